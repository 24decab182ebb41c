#pragma once
// A token bucket: `rate` tokens a second up to `burst`; each request takes one.

#include <algorithm>
#include <chrono>
#include <cstdint>

namespace troupe::ipc::internal {

class token_bucket {
public:
    using clock = std::chrono::steady_clock;

    token_bucket(double rate, double burst) noexcept
        : rate_(rate), burst_(std::max(burst, 1.0)), tokens_(burst_), last_(clock::now()) {}

    /// Takes a token; false if the bucket is empty (a rate of 0 never limits).
    bool take() noexcept {
        if (rate_ <= 0) return true;
        refill(clock::now());
        if (tokens_ < 1.0) return false;
        tokens_ -= 1.0;
        return true;
    }

    /// Milliseconds until the next token (after a refused take).
    std::int64_t retry_after_ms() const noexcept {
        if (rate_ <= 0 || tokens_ >= 1.0) return 0;
        return static_cast<std::int64_t>((1.0 - tokens_) * 1000.0 / rate_) + 1;
    }

private:
    void refill(clock::time_point now) noexcept {
        const double elapsed = std::chrono::duration<double>(now - last_).count();
        last_ = now;
        tokens_ = std::min(burst_, tokens_ + elapsed * rate_);
    }

    double rate_;
    double burst_;
    double tokens_;
    clock::time_point last_;
};

}  // namespace troupe::ipc::internal

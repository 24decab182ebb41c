#pragma once
// A count that tests wait on with a bound: no sleeps, no unbounded waits.

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>

namespace troupe::test {

using namespace std::chrono_literals;
inline constexpr auto wait_limit = 10s;

class counter {
public:
    void add(std::size_t n = 1) {
        std::lock_guard<std::mutex> lock(mutex_);
        value_ += n;
        changed_.notify_all();
    }
    /// True iff the count reached `target` within `limit`.
    bool wait_for(std::size_t target, std::chrono::milliseconds limit = wait_limit) {
        std::unique_lock<std::mutex> lock(mutex_);
        return changed_.wait_for(lock, limit, [&] { return value_ >= target; });
    }
    std::size_t get() {
        std::lock_guard<std::mutex> lock(mutex_);
        return value_;
    }

private:
    std::mutex mutex_;
    std::condition_variable changed_;
    std::size_t value_ = 0;
};

}  // namespace troupe::test

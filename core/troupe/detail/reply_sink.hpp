#pragma once
// Where a handler's reply goes: the asker's pending state. Completed at most once; the
// first of reply, error and time-out wins. Thread-safe.

#include <atomic>
#include <cstdint>

#include <troupe/detail/type_id.hpp>
#include <troupe/error.hpp>

namespace troupe::detail {

class reply_sink {
public:
    /// `value` points to an object of type `type` to move from (nullptr for void).
    virtual void set_value(type_id type, void* value) noexcept = 0;
    virtual void set_error(error e) noexcept = 0;

    void add_ref() noexcept { refs_.fetch_add(1, std::memory_order_relaxed); }
    void release() noexcept {
        if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) delete this;
    }

protected:
    virtual ~reply_sink() = default;

private:
    std::atomic<std::uint32_t> refs_{1};
};

}  // namespace troupe::detail

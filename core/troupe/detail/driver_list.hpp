#pragma once
// The coroutine frames of concurrent handlers that are in flight on a node. They own
// themselves while they run; if the node shuts down while one is suspended (its timer
// released, its reply never coming), the node destroys it here so that nothing leaks and
// its asker is answered.

#include <coroutine>
#include <mutex>
#include <unordered_set>

namespace troupe::detail {

class driver_list {
public:
    /// Thread-safe.
    void add(std::coroutine_handle<> h) {
        std::lock_guard lock{mutex_};
        frames_.insert(h.address());
    }
    /// Thread-safe; a frame leaves when it is destroyed.
    void remove(std::coroutine_handle<> h) noexcept {
        std::lock_guard lock{mutex_};
        frames_.erase(h.address());
    }
    /// Destroys every frame still listed. Only once nothing can resume them (the executor
    /// has been joined).
    void destroy_all() noexcept {
        std::unordered_set<void*> left;
        {
            std::lock_guard lock{mutex_};
            left.swap(frames_);
        }
        for (void* f : left) std::coroutine_handle<>::from_address(f).destroy();
    }

private:
    std::mutex mutex_;
    std::unordered_set<void*> frames_;
};

}  // namespace troupe::detail

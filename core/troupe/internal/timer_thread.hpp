#pragma once
// The timer service behind work_stealing_executor::schedule_timer: one thread sleeping on a
// condition variable until the earliest deadline of a binary min-heap of pending timers.
// The node protocol (who fires, who drops, who releases) is in detail/timer_node.hpp.

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

#include <troupe/clock.hpp>

namespace troupe::detail {
class timer_node;
}

namespace troupe::internal {

class timer_thread {
public:
    /// Starts the thread. It blocks (0 % CPU) while nothing is due.
    timer_thread();
    /// Calls shutdown().
    ~timer_thread();

    timer_thread(const timer_thread&) = delete;
    timer_thread& operator=(const timer_thread&) = delete;

    /// Arms `node` at node->deadline(); takes over the caller's reference. Timers with equal
    /// deadlines fire in the order they were scheduled. After shutdown() the node is
    /// cancelled (its payload dropped) and released at once. Thread-safe, also from fire().
    void schedule(detail::timer_node* node);

    /// Stops and joins the thread, then cancels and releases every pending node without
    /// firing it. Idempotent and thread-safe; not from inside a timer's fire().
    void shutdown() noexcept;

    /// Heap entries, cancelled ones not yet purged included. Thread-safe; for tests/stats.
    std::size_t size() const;

private:
    struct entry {
        time_point deadline;
        std::uint64_t seq;  // FIFO among equal deadlines
        detail::timer_node* node;
    };
    // Heap order: std::*_heap build a max-heap, so "less" means "fires later".
    static bool fires_later(const entry& a, const entry& b) noexcept {
        return a.deadline != b.deadline ? a.deadline > b.deadline : a.seq > b.seq;
    }

    void run();
    // The following require mutex_.
    void push(detail::timer_node* node);
    detail::timer_node* pop();
    void compact(std::vector<detail::timer_node*>& garbage);

    // Scan for cancelled nodes at most once per this many insertions (or the heap size, if
    // larger), so the O(n) scan costs O(1) amortised per insertion.
    static constexpr std::size_t min_scan_interval = 1024;
    // Due timers fired per unlock of the heap.
    static constexpr std::size_t max_fire_batch = 256;

    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::vector<entry> heap_;  // guarded by mutex_
    std::uint64_t next_seq_ = 0;
    std::size_t inserts_since_scan_ = 0;
    std::size_t scan_interval_ = min_scan_interval;
    bool scan_requested_ = false;
    bool stop_ = false;

    std::mutex shutdown_mutex_;  // serialises shutdown() callers
    std::thread thread_;
};

}  // namespace troupe::internal

#pragma once
// The timer service behind work_stealing_executor::schedule_timer: one thread sleeping on a
// condition variable until the earliest deadline. Pending timers live in three tiers (see
// timer_thread.cpp): a min-heap of those due in the current ~1 ms bucket, a ring of
// unsorted buckets for the next ~1 s, and a min-heap beyond, so that a million pending
// timers cost O(1) to insert and a small heap to fire.
// The node protocol (who fires, who drops, who releases) is in detail/timer_node.hpp.

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
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

    /// Pending entries, cancelled ones not yet purged included. Thread-safe; for tests/stats.
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

    // Buckets of 2^20 ns (about 1 ms); the ring covers the next ring_size of them (~1.07 s).
    static constexpr int bucket_shift = 20;
    static constexpr std::int64_t ring_size = 1024;
    static std::int64_t bucket_of(time_point t) noexcept {
        return t.time_since_epoch().count() >> bucket_shift;
    }
    static time_point bucket_start(std::int64_t b) noexcept {
        return time_point{duration{b << bucket_shift}};
    }

    void run();
    static detail::timer_node* closed() noexcept {
        return reinterpret_cast<detail::timer_node*>(std::uintptr_t{1});
    }
    /// Wakes the thread (it may be about to wait: take the mutex first).
    void wake() noexcept;
    // The following require mutex_.
    /// Files the timers scheduled since the last call, in the order they were scheduled.
    void file_scheduled();
    /// Files the entry in its tier; returns when the thread must be awake to handle it.
    time_point push(detail::timer_node* node);
    time_point place(const entry& e);
    detail::timer_node* pop();
    /// Moves the current bucket on to `now`'s, bringing due buckets into the near heap.
    void advance(time_point now);
    /// When the thread must wake next (time_point::max(): nothing pending).
    time_point next_wake() const;
    void compact(std::vector<detail::timer_node*>& garbage);
    template <class F>
    void for_each_entry(F&& f) const;

    // Scan for cancelled nodes at most once per this many insertions (or the number of
    // pending entries, if larger), so the O(n) scan costs O(1) amortised per insertion.
    static constexpr std::size_t min_scan_interval = 1024;
    // Due timers fired per unlock of the heap.
    static constexpr std::size_t max_fire_batch = 256;

    mutable std::mutex mutex_;
    std::condition_variable wake_;
    // All guarded by mutex_. Every entry of bucket <= bucket_ is in near_.
    std::int64_t bucket_;
    std::vector<entry> near_;                     // min-heap
    std::unique_ptr<std::vector<entry>[]> ring_;  // bucket b at ring_[b % ring_size]
    std::size_t ring_count_ = 0;                  // entries in the ring
    std::vector<entry> far_;                      // min-heap, buckets > bucket_ + ring_size
    // Scheduled timers not yet filed: a lock-free stack, so that schedule() never waits for
    // the thread's work under mutex_; closed() once shut down.
    std::atomic<detail::timer_node*> scheduled_{nullptr};
    std::atomic<std::uint32_t> schedule_count_{0};
    // Until when the thread sleeps (time_point::min(): it is awake and will look at
    // scheduled_ before it sleeps again). Written under mutex_, read by schedule().
    std::atomic<duration::rep> sleeping_until_{time_point::min().time_since_epoch().count()};
    std::uint64_t next_seq_ = 0;
    std::size_t inserts_since_scan_ = 0;
    std::size_t scan_interval_ = min_scan_interval;
    bool scan_requested_ = false;
    bool stop_ = false;  // guarded by mutex_

    std::mutex shutdown_mutex_;  // serialises shutdown() callers
    std::thread thread_;
};

}  // namespace troupe::internal

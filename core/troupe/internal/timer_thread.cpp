// The timer service: one thread, one mutex-guarded min-heap ordered by (deadline, seq).
//
//  1. schedule() pushes the node and wakes the thread only if the node became the earliest
//     entry (the thread waits until the old earliest deadline, which is still correct for
//     every other insertion) or a scan for cancelled nodes is due.
//  2. The thread pops every due entry (and every cancelled entry at the top, so it never
//     waits for a dead deadline) into a batch, unlocks, and calls node->run() on each in
//     heap order: firing happens outside the lock, so fire() may schedule timers and actors.
//     run() returns true for a periodic timer still armed: it is pushed again with a new
//     seq; otherwise the service's reference is released.
//  3. cancel() does not tell the service (the node protocol has no hook for it), so
//     cancelled nodes stay in the heap until they reach the top. To bound that garbage, every
//     max(min_scan_interval, heap size) insertions the thread counts them and, when more than
//     half of the heap is dead, removes them in one O(n) pass and re-heapifies. Their
//     payloads were already dropped by cancel(); only the node memory waited.
//  4. shutdown() stops and joins the thread, then cancels (drop()) and releases what is
//     left, without firing it. Later schedule() calls do the same at once.

#include <algorithm>

#include <troupe/detail/timer_node.hpp>
#include <troupe/internal/timer_thread.hpp>

namespace troupe::internal {

timer_thread::timer_thread() {
    thread_ = std::thread([this] { run(); });
}

timer_thread::~timer_thread() {
    shutdown();
}

void timer_thread::schedule(detail::timer_node* node) {
    bool wake = false;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        if (!stop_) {
            push(node);
            wake = heap_.front().node == node;
            if (++inserts_since_scan_ >= scan_interval_ && !scan_requested_) {
                scan_requested_ = true;
                wake = true;
            }
            node = nullptr;
        }
    }
    if (node != nullptr) {  // shut down: the timer can never fire
        node->cancel();
        node->release();
        return;
    }
    if (wake) wake_.notify_one();
}

void timer_thread::shutdown() noexcept {
    std::lock_guard<std::mutex> serial(shutdown_mutex_);
    {
        std::lock_guard<std::mutex> lock(mutex_);
        stop_ = true;
    }
    wake_.notify_one();
    if (thread_.joinable()) thread_.join();
    std::vector<entry> rest;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        rest.swap(heap_);
    }
    for (const entry& e : rest) {
        e.node->cancel();
        e.node->release();
    }
}

std::size_t timer_thread::size() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return heap_.size();
}

void timer_thread::push(detail::timer_node* node) {
    heap_.push_back(entry{node->deadline(), next_seq_++, node});
    std::push_heap(heap_.begin(), heap_.end(), fires_later);
}

detail::timer_node* timer_thread::pop() {
    std::pop_heap(heap_.begin(), heap_.end(), fires_later);
    detail::timer_node* node = heap_.back().node;
    heap_.pop_back();
    return node;
}

void timer_thread::compact(std::vector<detail::timer_node*>& garbage) {
    scan_requested_ = false;
    inserts_since_scan_ = 0;
    // In the heap a node is pending or cancelled: firing/fired exist only inside run().
    const auto dead = static_cast<std::size_t>(std::count_if(
        heap_.begin(), heap_.end(), [](const entry& e) { return !e.node->is_pending(); }));
    if (dead * 2 > heap_.size()) {
        auto live_end = std::partition(heap_.begin(), heap_.end(),
                                       [](const entry& e) { return e.node->is_pending(); });
        // A node cancelled after the partition test stays in the live part: harmless, it is
        // skipped when it reaches the top. The dead part is released, never run.
        for (auto it = live_end; it != heap_.end(); ++it) garbage.push_back(it->node);
        heap_.erase(live_end, heap_.end());
        std::make_heap(heap_.begin(), heap_.end(), fires_later);
        if (heap_.capacity() > 4 * std::max(heap_.size(), min_scan_interval)) {
            heap_.shrink_to_fit();
        }
    }
    scan_interval_ = std::max(min_scan_interval, heap_.size());
}

void timer_thread::run() {
    std::vector<detail::timer_node*> batch;
    std::vector<detail::timer_node*> rearm;
    std::vector<detail::timer_node*> garbage;
    batch.reserve(max_fire_batch);
    rearm.reserve(max_fire_batch);

    std::unique_lock<std::mutex> lock(mutex_);
    while (!stop_) {
        if (scan_requested_) compact(garbage);
        if (!garbage.empty()) {
            lock.unlock();
            for (detail::timer_node* node : garbage) node->release();
            garbage.clear();
            garbage.shrink_to_fit();
            lock.lock();
            continue;
        }
        if (heap_.empty()) {
            wake_.wait(lock);
            continue;
        }
        const time_point now = clock::now();
        while (!heap_.empty() && batch.size() < max_fire_batch &&
               (heap_.front().deadline <= now || !heap_.front().node->is_pending())) {
            batch.push_back(pop());
        }
        if (batch.empty()) {
            // A copy: wait_until holds a reference while the heap may reallocate.
            const time_point next = heap_.front().deadline;
            wake_.wait_until(lock, next);
            continue;
        }
        lock.unlock();
        for (detail::timer_node* node : batch) {
            // run() returns false for a cancelled node without firing it.
            if (node->run(now)) {
                rearm.push_back(node);
            } else {
                node->release();
            }
        }
        batch.clear();
        lock.lock();
        for (detail::timer_node* node : rearm) push(node);
        rearm.clear();
    }
}

}  // namespace troupe::internal

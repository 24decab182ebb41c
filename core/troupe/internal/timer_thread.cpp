// The timer service: one thread; pending timers in three tiers under one mutex.
//
// # Where a timer waits
// Time is cut into buckets of 2^20 ns (~1 ms); `bucket_` is the current one.
//  - near_: a min-heap by (deadline, seq) of every entry whose bucket is <= bucket_: the
//    timers due now or within the current millisecond. It stays small (the timers of about
//    one millisecond), so firing pops from a heap that fits in cache.
//  - ring_: ring_size unsorted lists for the buckets bucket_+1 .. bucket_+ring_size (~1 s).
//    Inserting there is a push_back: O(1) however many timers are pending.
//  - far_: a min-heap of the rest (long timers, ask timeouts).
// advance(now) moves bucket_ on to now's bucket, one bucket at a time while the ring holds
// entries (each bucket's list goes into near_), in one jump when it is empty; then far_
// entries that came within the ring's reach move into the ring (or near_). Every entry due
// by `now` is then in near_, so timers fire in (deadline, seq) order, as with one heap.
//
// # The thread
//  1. schedule() pushes the node on a lock-free stack (`scheduled_`), never waiting for the
//     thread's work, and wakes the thread only if the node's deadline comes before the time
//     the thread sleeps until (`sleeping_until_`), or every 1024 timers so that they are
//     filed and counted towards a scan for cancelled nodes. The thread files the stack's
//     nodes in schedule order whenever it wakes. Before sleeping it publishes the time it
//     sleeps until and then looks at the stack again (seq_cst on both sides), so a timer
//     pushed meanwhile is either seen there or finds the new time and wakes it; wake()
//     takes the mutex, so its notification cannot fall between that look and the wait.
//  2. The thread advances to now, pops every due entry of near_ (and every cancelled entry
//     at its top) into a batch, unlocks, and calls node->run() on each in order: firing
//     happens outside the lock, so fire() may schedule timers and actors. run() returns true
//     for a periodic timer still armed: it is filed again with a new seq; otherwise the
//     service's reference is released. With nothing due, it sleeps until the earliest of:
//     near_'s top, the first non-empty bucket of the ring, far_'s top.
//  3. cancel() does not tell the service (the node protocol has no hook for it), so
//     cancelled nodes stay filed until they come due. To bound that garbage, every
//     max(min_scan_interval, pending entries) insertions the thread counts them and, when
//     more than half are dead, removes them in one O(n) pass. Their payloads were already
//     dropped by cancel(); only the node memory waited.
//  4. shutdown() stops and joins the thread, closes the stack, then cancels (drop()) and
//     releases what is left, without firing it. Later schedule() calls do the same at once.

#include <algorithm>

#include <troupe/detail/timer_node.hpp>
#include <troupe/internal/timer_thread.hpp>

namespace troupe::internal {

timer_thread::timer_thread()
    : bucket_(bucket_of(clock::now())), ring_(new std::vector<entry>[ring_size]) {
    thread_ = std::thread([this] { run(); });
}

timer_thread::~timer_thread() {
    shutdown();
}

void timer_thread::schedule(detail::timer_node* node) {
    // Read before the push: once pushed, the node may be filed, fired and freed.
    const duration::rep due = node->deadline().time_since_epoch().count();
    detail::timer_node* head = scheduled_.load(std::memory_order_relaxed);
    do {
        if (head == closed()) {  // shut down: the timer can never fire
            node->cancel();
            node->release();
            return;
        }
        node->next_scheduled = head;
    } while (!scheduled_.compare_exchange_weak(head, node, std::memory_order_seq_cst,
                                               std::memory_order_relaxed));
    // The thread sleeping past this deadline must wake; so must it every so many timers,
    // to file them (and count them towards a scan for cancelled ones). Step 1 above.
    const bool batch_full =
        (schedule_count_.fetch_add(1, std::memory_order_relaxed) & 1023) == 1023;
    if (batch_full || due < sleeping_until_.load(std::memory_order_seq_cst)) wake();
}

void timer_thread::wake() noexcept {
    // Taking the mutex orders this after the thread's last look at scheduled_: it is then
    // either waiting (and gets the notification) or not yet past its look.
    { std::lock_guard<std::mutex> lock(mutex_); }
    wake_.notify_one();
}

void timer_thread::file_scheduled() {
    detail::timer_node* list = scheduled_.exchange(nullptr, std::memory_order_acq_rel);
    // Newest first: reverse, so that seq follows the order of schedule() calls.
    detail::timer_node* ordered = nullptr;
    while (list != nullptr) {
        detail::timer_node* next = list->next_scheduled;
        list->next_scheduled = ordered;
        ordered = list;
        list = next;
    }
    while (ordered != nullptr) {
        detail::timer_node* next = ordered->next_scheduled;
        push(ordered);
        ordered = next;
        if (++inserts_since_scan_ >= scan_interval_) scan_requested_ = true;
    }
}

void timer_thread::shutdown() noexcept {
    std::lock_guard<std::mutex> serial(shutdown_mutex_);
    {
        std::lock_guard<std::mutex> lock(mutex_);
        stop_ = true;
    }
    wake_.notify_one();
    if (thread_.joinable()) thread_.join();
    std::vector<detail::timer_node*> rest;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        detail::timer_node* list = scheduled_.exchange(closed(), std::memory_order_acq_rel);
        for (; list != nullptr && list != closed(); list = list->next_scheduled) {
            rest.push_back(list);
        }
        for_each_entry([&](const entry& e) { rest.push_back(e.node); });
        near_.clear();
        far_.clear();
        for (std::int64_t i = 0; i < ring_size; ++i) ring_[i].clear();
        ring_count_ = 0;
    }
    for (detail::timer_node* node : rest) {
        node->cancel();
        node->release();
    }
}

std::size_t timer_thread::size() const {
    std::lock_guard<std::mutex> lock(mutex_);
    // Under mutex_ the thread cannot file (and then free) the scheduled ones meanwhile.
    std::size_t scheduled = 0;
    for (auto* n = scheduled_.load(std::memory_order_acquire); n != nullptr && n != closed();
         n = n->next_scheduled) {
        ++scheduled;
    }
    return near_.size() + ring_count_ + far_.size() + scheduled;
}

template <class F>
void timer_thread::for_each_entry(F&& f) const {
    for (const entry& e : near_) f(e);
    for (std::int64_t i = 0; i < ring_size; ++i) {
        for (const entry& e : ring_[i]) f(e);
    }
    for (const entry& e : far_) f(e);
}

time_point timer_thread::push(detail::timer_node* node) {
    return place(entry{node->deadline(), next_seq_++, node});
}

time_point timer_thread::place(const entry& e) {
    const std::int64_t b = bucket_of(e.deadline);
    if (b <= bucket_) {
        near_.push_back(e);
        std::push_heap(near_.begin(), near_.end(), fires_later);
        return e.deadline;
    }
    if (b - bucket_ <= ring_size) {
        ring_[b % ring_size].push_back(e);
        ++ring_count_;
        return bucket_start(b);
    }
    far_.push_back(e);
    std::push_heap(far_.begin(), far_.end(), fires_later);
    return e.deadline;
}

detail::timer_node* timer_thread::pop() {
    std::pop_heap(near_.begin(), near_.end(), fires_later);
    detail::timer_node* node = near_.back().node;
    near_.pop_back();
    return node;
}

void timer_thread::advance(time_point now) {
    const std::int64_t target = bucket_of(now);
    while (bucket_ < target) {
        if (ring_count_ == 0) {
            bucket_ = target;
        } else {
            ++bucket_;
            auto& due = ring_[bucket_ % ring_size];
            for (const entry& e : due) {
                near_.push_back(e);
                std::push_heap(near_.begin(), near_.end(), fires_later);
            }
            ring_count_ -= due.size();
            due.clear();
        }
        while (!far_.empty() && bucket_of(far_.front().deadline) - bucket_ <= ring_size) {
            std::pop_heap(far_.begin(), far_.end(), fires_later);
            entry e = far_.back();
            far_.pop_back();
            place(e);
        }
    }
}

time_point timer_thread::next_wake() const {
    if (!near_.empty()) return near_.front().deadline;
    if (ring_count_ > 0) {
        for (std::int64_t b = bucket_ + 1; b <= bucket_ + ring_size; ++b) {
            if (!ring_[b % ring_size].empty()) return bucket_start(b);
        }
    }
    return far_.empty() ? time_point::max() : far_.front().deadline;
}

void timer_thread::compact(std::vector<detail::timer_node*>& garbage) {
    scan_requested_ = false;
    inserts_since_scan_ = 0;
    // Filed, a node is pending or cancelled: firing/fired exist only inside run().
    std::size_t total = 0;
    std::size_t dead = 0;
    for_each_entry([&](const entry& e) {
        ++total;
        dead += e.node->is_pending() ? 0 : 1;
    });
    if (dead * 2 > total) {
        // A node cancelled after its test stays filed: harmless, it is skipped when it
        // comes due. The dead ones are released, never run.
        auto purge = [&](std::vector<entry>& list) {
            auto live_end = std::partition(list.begin(), list.end(),
                                           [](const entry& e) { return e.node->is_pending(); });
            for (auto it = live_end; it != list.end(); ++it) garbage.push_back(it->node);
            list.erase(live_end, list.end());
            if (list.capacity() > 4 * std::max<std::size_t>(list.size(), 64)) list.shrink_to_fit();
        };
        purge(near_);
        std::make_heap(near_.begin(), near_.end(), fires_later);
        purge(far_);
        std::make_heap(far_.begin(), far_.end(), fires_later);
        ring_count_ = 0;
        for (std::int64_t i = 0; i < ring_size; ++i) {
            purge(ring_[i]);
            ring_count_ += ring_[i].size();
        }
        total -= dead;
    }
    scan_interval_ = std::max(min_scan_interval, total);
}

void timer_thread::run() {
    std::vector<detail::timer_node*> batch;
    std::vector<detail::timer_node*> rearm;
    std::vector<detail::timer_node*> garbage;
    batch.reserve(max_fire_batch);
    rearm.reserve(max_fire_batch);

    std::unique_lock<std::mutex> lock(mutex_);
    while (!stop_) {
        sleeping_until_.store(time_point::min().time_since_epoch().count(),
                              std::memory_order_seq_cst);
        file_scheduled();
        if (scan_requested_) compact(garbage);
        if (!garbage.empty()) {
            lock.unlock();
            for (detail::timer_node* node : garbage) node->release();
            garbage.clear();
            garbage.shrink_to_fit();
            lock.lock();
            continue;
        }
        const time_point now = clock::now();
        advance(now);
        while (!near_.empty() && batch.size() < max_fire_batch &&
               (near_.front().deadline <= now || !near_.front().node->is_pending())) {
            batch.push_back(pop());
        }
        if (batch.empty()) {
            const time_point until = next_wake();
            sleeping_until_.store(until.time_since_epoch().count(), std::memory_order_seq_cst);
            // A timer scheduled before that store was not told to wake us: look again.
            if (scheduled_.load(std::memory_order_seq_cst) != nullptr) continue;
            if (until == time_point::max()) {
                wake_.wait(lock);
            } else {
                wake_.wait_until(lock, until);
            }
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

// The work-stealing executor (tokio's multi-thread scheduler, adapted).
//
// # Where a job goes
//  - schedule() on a worker of this executor puts the job in that worker's LIFO slot; the
//    slot's previous occupant moves to the back of the worker's run queue. From any other
//    thread the job goes to the global queue.
//  - resume() returning `again` puts the job at the back of the worker's run queue, never in
//    the LIFO slot, so a busy job lets the queue through.
//  - A full run queue moves its older half plus the new job to the global queue in one lock.
//
// # What a worker runs next
//  1. Its LIFO slot, right after the job that filled it, at most lifo_cap times in a row;
//     then the slot's job goes to the back of the run queue, so two jobs bouncing through
//     the slot cannot starve the queue.
//  2. Every global_queue_interval-th job, one job from the global queue, so external work is
//     not starved by local work.
//  3. Its run queue (FIFO), then a batch from the global queue.
//  4. Searching: a batch from the global queue, else steal half of another worker's run
//     queue (random start); a few rounds with pause/yield in between; then it parks.
//
// # Parking without lost wake-ups
// Shared state: `searching_` (workers in step 4), the `sleepers_` list (parked workers,
// mirrored by `num_sleepers_`), and each worker's futex word `notified`.
//  1. A producer publishes a job in a queue other workers can take from: a run queue or the
//     global queue. A job put in an empty LIFO slot is exempt: the slot's owner is awake and
//     runs it next, so it wakes nobody and ping-pong costs no system call.
//  2. The producer then issues a seq_cst fence and reads searching_ and num_sleepers_. If a
//     worker is searching, it wakes nobody: that searcher finds the job or passes the duty
//     on (3, 4). If nobody sleeps, neither: any worker about to sleep re-checks the queues
//     (5). Otherwise it locks sleep_mutex_, checks again, pops one sleeper, counts it in
//     searching_ (so that other producers do not wake a second worker for the same work),
//     sets its `notified` word, unlocks and futex-wakes it.
//  3. A searcher that finds work leaves the searching state; if it was the last searcher and
//     work is still visible in a queue after a seq_cst fence, it runs step 2 itself. Reason:
//     producers that saw it searching woke nobody, and it may have found other work than
//     theirs; but when the queues are empty every such producer's job has been taken, and
//     waking a worker only to find nothing costs two context switches per message.
//  4. A searcher that finds nothing leaves the searching state (a worker that may not search
//     because half the workers already do comes here directly), then
//  5. registers in sleepers_ (resetting `notified` under the lock), issues a seq_cst fence,
//     and re-checks stop_, the global queue and every run queue. The fences of steps 2 and 5
//     are ordered one way or the other, so either the producer sees this worker registered
//     (or searching_ not yet decremented, whose last decrement then runs 3 or 5 after the
//     producer's fence) or this worker sees the job. Seeing work, it takes itself off the
//     list and searches again; if a producer popped it first, it keeps that wake-up.
//  6. Otherwise it waits until `notified` is 1. The word is written only under sleep_mutex_,
//     so a worker no longer on the list knows its word is already 1; a late notify_one can
//     only cause a spurious futex return, after which the word is re-checked.
//  7. A woken worker is already counted as searching (step 2), issues a seq_cst fence (its
//     waker's fence and the job it saw are then visible to it) and searches.
//  8. Shutdown sets stop_, then pops and notifies every sleeper; a worker registering later
//     sees stop_ in its re-check (5). Workers are joined; then the global queue is closed
//     (later schedule() calls release at once) and every queued job is released unrun.

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <utility>

#include <troupe/internal/spin_mutex.hpp>
#include <troupe/internal/work_stealing.hpp>

#if defined(__linux__)
#include <pthread.h>
#endif

namespace troupe::internal {

namespace {

// Jobs moved from the global queue to a run queue at once (at most).
constexpr std::size_t global_batch_max = 64;
// Search rounds before parking: the first ones spin with pause, the later ones yield.
constexpr int search_spin_rounds = 4;
constexpr int search_yield_rounds = 2;

#if defined(__SANITIZE_THREAD__)
#define TROUPE_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define TROUPE_TSAN 1
#endif
#endif

#if defined(TROUPE_TSAN)
std::atomic<std::uint32_t> fence_word{0};
#endif

// The seq_cst fence of the parking protocol (steps 2, 5, 7). ThreadSanitizer does not model
// fences; under it, every fence is an RMW of one shared word instead: those are totally
// ordered and each synchronises with the previous one, which is stronger than a seq_cst
// fence and visible to TSan. Production builds keep the fence, which writes no shared line.
inline void protocol_fence() noexcept {
#if defined(TROUPE_TSAN)
    fence_word.fetch_add(1, std::memory_order_seq_cst);
#else
    std::atomic_thread_fence(std::memory_order_seq_cst);
#endif
}

}  // namespace

// ---------------------------------------------------------------------------------------
// The run queue: a bounded SPMC ring (tokio's queue.rs, simplified with 64-bit counters
// that never wrap, so no ABA). The owner pushes at the tail; the owner and thieves pop at
// the head with a CAS. A thief copies the slots it wants, then CASes the head past them:
// if the CAS succeeds no one popped those slots, and the owner cannot have overwritten
// them, since it reuses a slot only after seeing the head move past it.
class work_stealing_executor::local_queue {
public:
    static constexpr std::uint64_t capacity = local_queue_capacity;
    static_assert((capacity & (capacity - 1)) == 0, "capacity must be a power of two");

    /// Owner only. False if full.
    bool try_push(resumable* job) noexcept {
        const std::uint64_t t = tail_.load(std::memory_order_relaxed);
        // acquire: thieves' reads of the slot we reuse happen before this write.
        if (t - head_.load(std::memory_order_acquire) >= capacity) return false;
        slots_[t & mask].store(job, std::memory_order_relaxed);
        tail_.store(t + 1, std::memory_order_release);
        return true;
    }

    /// Owner only.
    resumable* pop() noexcept {
        std::uint64_t h = head_.load(std::memory_order_acquire);
        for (;;) {
            if (h == tail_.load(std::memory_order_relaxed)) return nullptr;
            resumable* job = slots_[h & mask].load(std::memory_order_relaxed);
            if (head_.compare_exchange_weak(h, h + 1, std::memory_order_acq_rel,
                                            std::memory_order_acquire)) {
                return job;
            }
        }
    }

    /// Owner only, when try_push() failed: claims the older half into `out` and returns how
    /// many (capacity / 2), or 0 if thieves made room meanwhile.
    std::size_t take_half(resumable** out) noexcept {
        constexpr std::uint64_t n = capacity / 2;
        std::uint64_t h = head_.load(std::memory_order_acquire);
        for (;;) {
            if (tail_.load(std::memory_order_relaxed) - h < capacity) return 0;
            for (std::uint64_t i = 0; i < n; ++i) {
                out[i] = slots_[(h + i) & mask].load(std::memory_order_relaxed);
            }
            if (head_.compare_exchange_weak(h, h + n, std::memory_order_acq_rel,
                                            std::memory_order_acquire)) {
                return n;
            }
        }
    }

    /// Any thread but the owner; `dst` must be the calling worker's (empty) queue. Moves
    /// half of this queue (rounded up) into `dst` and returns one of the jobs to run now.
    resumable* steal_into(local_queue& dst) noexcept {
        const std::uint64_t dt = dst.tail_.load(std::memory_order_relaxed);
        const std::uint64_t room = capacity - (dt - dst.head_.load(std::memory_order_acquire));
        std::uint64_t h = head_.load(std::memory_order_acquire);
        std::uint64_t n = 0;
        for (;;) {
            const std::uint64_t t = tail_.load(std::memory_order_acquire);
            const std::uint64_t len = t - h;
            if (len == 0) return nullptr;
            if (len > capacity) {  // h is stale: the queue moved on while we read t
                h = head_.load(std::memory_order_acquire);
                continue;
            }
            n = std::min(len - len / 2, room);
            if (n == 0) return nullptr;
            for (std::uint64_t i = 0; i < n; ++i) {
                dst.slots_[(dt + i) & mask].store(
                    slots_[(h + i) & mask].load(std::memory_order_relaxed),
                    std::memory_order_relaxed);
            }
            if (head_.compare_exchange_weak(h, h + n, std::memory_order_acq_rel,
                                            std::memory_order_acquire)) {
                break;
            }
        }
        --n;  // the last one is returned, the others published
        resumable* job = dst.slots_[(dt + n) & mask].load(std::memory_order_relaxed);
        if (n > 0) dst.tail_.store(dt + n, std::memory_order_release);
        return job;
    }

    /// Any thread; exact for the owner, a snapshot for others.
    std::uint64_t size() const noexcept {
        const std::uint64_t h = head_.load(std::memory_order_acquire);
        const std::uint64_t t = tail_.load(std::memory_order_acquire);
        return t > h ? t - h : 0;
    }

private:
    static constexpr std::uint64_t mask = capacity - 1;

    alignas(64) std::atomic<std::uint64_t> head_{0};
    std::atomic<std::uint64_t> tail_{0};
    std::atomic<resumable*> slots_[capacity] = {};
};

// ---------------------------------------------------------------------------------------
// The global injection queue: a mutex-guarded growable ring, only for external threads and
// overflow, so the lock is off the worker-to-worker path. Allocates only when it grows.
class work_stealing_executor::global_queue {
public:
    global_queue() : ring_(1024) {}

    /// Thread-safe. False once closed: the caller still owns (and must release) the jobs.
    bool push(resumable* const* jobs, std::size_t n) {
        std::lock_guard<std::mutex> lock(mutex_);
        if (closed_) return false;
        while (len_ + n > ring_.size()) grow();
        const std::size_t mask = ring_.size() - 1;
        for (std::size_t i = 0; i < n; ++i) ring_[(head_ + len_ + i) & mask] = jobs[i];
        len_ += n;
        size_.store(len_, std::memory_order_relaxed);
        return true;
    }

    /// Thread-safe. Moves up to `max` jobs into `out`, oldest first; returns how many.
    std::size_t pop(resumable** out, std::size_t max) noexcept {
        std::lock_guard<std::mutex> lock(mutex_);
        const std::size_t n = std::min(max, len_);
        const std::size_t mask = ring_.size() - 1;
        for (std::size_t i = 0; i < n; ++i) out[i] = ring_[(head_ + i) & mask];
        head_ = (head_ + n) & mask;
        len_ -= n;
        size_.store(len_, std::memory_order_relaxed);
        return n;
    }

    /// Thread-safe, lock-free; a hint (exact under the fences of the parking protocol).
    std::size_t size() const noexcept { return size_.load(std::memory_order_relaxed); }

    /// Thread-safe. Refuses later pushes and hands back everything queued.
    std::vector<resumable*> close() {
        std::lock_guard<std::mutex> lock(mutex_);
        closed_ = true;
        std::vector<resumable*> rest;
        rest.reserve(len_);
        const std::size_t mask = ring_.size() - 1;
        for (std::size_t i = 0; i < len_; ++i) rest.push_back(ring_[(head_ + i) & mask]);
        head_ = len_ = 0;
        size_.store(0, std::memory_order_relaxed);
        return rest;
    }

private:
    void grow() {
        std::vector<resumable*> bigger(ring_.size() * 2);
        const std::size_t mask = ring_.size() - 1;
        for (std::size_t i = 0; i < len_; ++i) bigger[i] = ring_[(head_ + i) & mask];
        ring_.swap(bigger);
        head_ = 0;
    }

    std::mutex mutex_;
    std::vector<resumable*> ring_;  // size is a power of two
    std::size_t head_ = 0;
    std::size_t len_ = 0;
    bool closed_ = false;
    std::atomic<std::size_t> size_{0};
};

// ---------------------------------------------------------------------------------------
struct alignas(64) work_stealing_executor::worker {
    local_queue queue;  // shared: stolen from by other workers

    // Owner thread only (the executor's shutdown reads them after joining the thread).
    alignas(64) work_stealing_executor* owner = nullptr;
    std::uint32_t index = 0;
    resumable* lifo = nullptr;
    std::uint32_t tick = 0;
    bool searching = false;  // counted in owner->searching_
    std::uint64_t rng = 0;   // xorshift state for the steal start

    std::atomic<std::uint32_t> notified{0};  // futex word; written under sleep_mutex_
    std::thread thread;
};

namespace {
// The worker running on this thread, of whichever executor owns it.
thread_local void* current_worker = nullptr;
}  // namespace

work_stealing_executor::work_stealing_executor(std::size_t workers)
    : num_workers_(std::max<std::size_t>(workers, 1)),
      workers_(new worker[num_workers_]),
      global_(std::make_unique<global_queue>()) {
    sleepers_.reserve(num_workers_);
    for (std::size_t i = 0; i < num_workers_; ++i) {
        worker& w = workers_[i];
        w.owner = this;
        w.index = static_cast<std::uint32_t>(i);
        w.rng = 0x9E3779B97F4A7C15ull * (i + 1);
    }
    for (std::size_t i = 0; i < num_workers_; ++i) {
        workers_[i].thread = std::thread([this, i] { run_worker(workers_[i]); });
    }
}

work_stealing_executor::~work_stealing_executor() {
    shutdown();
}

time_point work_stealing_executor::now() const noexcept {
    return clock::now();
}

void work_stealing_executor::schedule_timer(detail::timer_node* timer) {
    timers_.schedule(timer);
}

std::size_t work_stealing_executor::concurrency() const noexcept {
    return num_workers_;
}

bool work_stealing_executor::on_worker_thread() const noexcept {
    auto* w = static_cast<worker*>(current_worker);
    return w != nullptr && w->owner == this;
}

void work_stealing_executor::schedule(resumable* job) noexcept {
    auto* w = static_cast<worker*>(current_worker);
    if (w != nullptr && w->owner == this) {
        resumable* prev = std::exchange(w->lifo, job);
        if (prev == nullptr) return;  // runs next on this worker: wake nobody (step 1)
        push_back(*w, prev);
        notify_parked();
        return;
    }
    if (!global_->push(&job, 1)) {
        job->release();  // shut down
        return;
    }
    notify_parked();
}

void work_stealing_executor::share_local() noexcept {
    auto* w = static_cast<worker*>(current_worker);
    if (w == nullptr || w->owner != this || w->lifo == nullptr) return;
    push_back(*w, std::exchange(w->lifo, nullptr));
    notify_parked();
}

void work_stealing_executor::release_all(resumable* const* jobs, std::size_t n) noexcept {
    for (std::size_t i = 0; i < n; ++i) jobs[i]->release();
}

void work_stealing_executor::shutdown() noexcept {
    if (on_worker_thread()) {
        std::fputs("troupe: executor::shutdown() called from one of its worker threads\n", stderr);
        std::abort();
    }
    std::lock_guard<std::mutex> serial(shutdown_mutex_);
    if (joined_) return;
    stop_.store(true, std::memory_order_seq_cst);
    timers_.shutdown();
    {
        std::lock_guard<std::mutex> lock(sleep_mutex_);
        for (std::uint32_t i : sleepers_) workers_[i].notified.store(1, std::memory_order_release);
        sleepers_.clear();
        num_sleepers_.store(0, std::memory_order_relaxed);
    }
    for (std::size_t i = 0; i < num_workers_; ++i) workers_[i].notified.notify_one();
    for (std::size_t i = 0; i < num_workers_; ++i) workers_[i].thread.join();
    joined_ = true;

    // Close the global queue first: a job released below may schedule another one, which
    // is then released at once.
    const std::vector<resumable*> rest = global_->close();
    release_all(rest.data(), rest.size());
    for (std::size_t i = 0; i < num_workers_; ++i) {
        worker& w = workers_[i];
        if (resumable* job = std::exchange(w.lifo, nullptr)) job->release();
        while (resumable* job = w.queue.pop()) job->release();
    }
}

// --- the worker loop -------------------------------------------------------------------

void work_stealing_executor::run_worker(worker& w) {
    current_worker = &w;
#if defined(__linux__)
    const std::string name = "troupe-w" + std::to_string(w.index);
    pthread_setname_np(pthread_self(), name.substr(0, 15).c_str());
#endif
    while (!stop_.load(std::memory_order_relaxed)) {
        resumable* job = next_job(w);
        if (job == nullptr) job = search(w);
        if (job == nullptr) {
            park(w);
            continue;
        }
        if (w.searching) leave_searching(w);
        run(w, job);
    }
    current_worker = nullptr;
}

resumable* work_stealing_executor::next_job(worker& w) {
    if (++w.tick % global_queue_interval == 0 && global_->size() != 0) {
        resumable* job = nullptr;
        if (global_->pop(&job, 1) == 1) return job;
    }
    if (resumable* job = w.queue.pop()) return job;
    return take_global_batch(w);
}

resumable* work_stealing_executor::take_global_batch(worker& w) {
    const std::size_t queued = global_->size();
    if (queued == 0) return nullptr;
    resumable* batch[global_batch_max];
    const std::size_t n =
        global_->pop(batch, std::min(queued / num_workers_ + 1, global_batch_max));
    if (n == 0) return nullptr;
    for (std::size_t i = 1; i < n; ++i) push_back(w, batch[i]);
    return batch[0];
}

void work_stealing_executor::run(worker& w, resumable* job) {
    std::uint32_t lifo_runs = 0;
    for (;;) {
        if (job->resume(job_budget) == resumable::resume_result::done) {
            job->release();
        } else {
            push_back(w, job);
            // Wake a helper only if there is more than this job: alone, it runs next here.
            if (w.queue.size() > 1) notify_parked();
        }
        job = std::exchange(w.lifo, nullptr);
        if (job == nullptr) return;
        if (lifo_runs == lifo_cap || stop_.load(std::memory_order_relaxed)) {
            push_back(w, job);  // no wake: this worker takes it from the queue next
            return;
        }
        ++lifo_runs;
    }
}

void work_stealing_executor::push_back(worker& w, resumable* job) {
    if (w.queue.try_push(job)) return;
    resumable* batch[local_queue_capacity / 2 + 1];
    for (;;) {
        const std::size_t n = w.queue.take_half(batch);
        if (n == 0) {  // thieves made room
            if (w.queue.try_push(job)) return;
            continue;
        }
        batch[n] = job;
        if (!global_->push(batch, n + 1)) release_all(batch, n + 1);
        return;
    }
}

// --- searching and parking (protocol steps in the header comment) ----------------------

resumable* work_stealing_executor::search(worker& w) {
    if (!w.searching) {
        // At most half the workers search at once, so idle workers do not swarm the queues.
        if (2 * searching_.load(std::memory_order_relaxed) >= num_workers_) return nullptr;
        searching_.fetch_add(1, std::memory_order_seq_cst);
        w.searching = true;
    }
    for (int round = 0; round < search_spin_rounds + search_yield_rounds; ++round) {
        if (stop_.load(std::memory_order_relaxed)) return nullptr;
        if (resumable* job = take_global_batch(w)) return job;
        if (resumable* job = steal(w)) return job;
        if (round < search_spin_rounds) {
            for (int i = 0; i < (32 << round); ++i) cpu_relax();
        } else {
            std::this_thread::yield();
        }
    }
    return nullptr;
}

resumable* work_stealing_executor::steal(worker& w) {
    if (num_workers_ == 1) return nullptr;
    w.rng ^= w.rng << 13;
    w.rng ^= w.rng >> 7;
    w.rng ^= w.rng << 17;
    const std::size_t start = w.rng % num_workers_;
    for (std::size_t i = 0; i < num_workers_; ++i) {
        worker& victim = workers_[(start + i) % num_workers_];
        if (&victim == &w) continue;
        if (resumable* job = victim.queue.steal_into(w.queue)) return job;
    }
    return nullptr;
}

void work_stealing_executor::leave_searching(worker& w) noexcept {
    w.searching = false;
    if (searching_.fetch_sub(1, std::memory_order_seq_cst) != 1) return;
    // Step 3: the last searcher passes the duty on, but only if work is left for another
    // worker. A producer that saw it searching pushed before its decrement, so after this
    // fence that work is visible here; one that did not see it wakes a sleeper itself.
    protocol_fence();
    if (work_visible()) notify_parked();
}

void work_stealing_executor::notify_parked() noexcept {
    protocol_fence();  // step 2, pairs with step 5
    if (searching_.load(std::memory_order_relaxed) != 0 ||
        num_sleepers_.load(std::memory_order_relaxed) == 0) {
        return;
    }
    worker* target = nullptr;
    {
        std::lock_guard<std::mutex> lock(sleep_mutex_);
        if (searching_.load(std::memory_order_relaxed) != 0 || sleepers_.empty()) return;
        target = &workers_[sleepers_.back()];
        sleepers_.pop_back();
        num_sleepers_.store(static_cast<std::uint32_t>(sleepers_.size()),
                            std::memory_order_relaxed);
        searching_.fetch_add(1, std::memory_order_seq_cst);
        target->notified.store(1, std::memory_order_release);
    }
    target->notified.notify_one();
}

bool work_stealing_executor::work_visible() const noexcept {
    if (global_->size() != 0) return true;
    for (std::size_t i = 0; i < num_workers_; ++i) {
        if (workers_[i].queue.size() != 0) return true;
    }
    return false;
}

void work_stealing_executor::park(worker& w) {
    if (w.searching) {  // step 4
        w.searching = false;
        searching_.fetch_sub(1, std::memory_order_seq_cst);
    }
    {  // step 5
        std::lock_guard<std::mutex> lock(sleep_mutex_);
        w.notified.store(0, std::memory_order_relaxed);
        sleepers_.push_back(w.index);
        num_sleepers_.store(static_cast<std::uint32_t>(sleepers_.size()),
                            std::memory_order_relaxed);
    }
    protocol_fence();
    if (stop_.load(std::memory_order_relaxed) || work_visible()) {
        bool removed = false;
        {
            std::lock_guard<std::mutex> lock(sleep_mutex_);
            auto it = std::find(sleepers_.begin(), sleepers_.end(), w.index);
            if (it != sleepers_.end()) {
                sleepers_.erase(it);
                num_sleepers_.store(static_cast<std::uint32_t>(sleepers_.size()),
                                    std::memory_order_relaxed);
                removed = true;
            }
        }
        if (removed) {
            // Search again, even beyond the half-the-workers limit: work is there.
            searching_.fetch_add(1, std::memory_order_seq_cst);
            w.searching = true;
            return;
        }
        // A producer (or shutdown) popped us first: its notification is already stored.
    }
    while (w.notified.load(std::memory_order_acquire) == 0) {  // step 6
        w.notified.wait(0, std::memory_order_acquire);
    }
    w.searching = true;  // step 7: counted by the waker (shutdown does not count; moot)
    protocol_fence();
}

}  // namespace troupe::internal

namespace troupe {

std::unique_ptr<executor> make_work_stealing_executor(std::size_t workers) {
    if (workers == 0) workers = std::thread::hardware_concurrency();
    return std::make_unique<internal::work_stealing_executor>(std::max<std::size_t>(workers, 1));
}

}  // namespace troupe

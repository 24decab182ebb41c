#pragma once
// The scheduling seam. A node runs its actors on an executor: the work-stealing pool by
// default, testing::deterministic_executor in tests, or a user's own.

#include <cstddef>
#include <functional>
#include <memory>

#include <troupe/clock.hpp>
#include <troupe/resumable.hpp>

namespace troupe {

namespace detail {
class timer_node;
}

class executor {
public:
    virtual ~executor() = default;

    /// Queues a job; the caller hands over one reference (resumable::add_ref already done).
    /// Thread-safe. After shutdown() jobs are released without running.
    virtual void schedule(resumable* job) noexcept = 0;

    /// The executor's clock (virtual in tests). Thread-safe.
    virtual time_point now() const noexcept = 0;

    /// Arms a timer; the caller hands over one reference to it. Thread-safe.
    virtual void schedule_timer(detail::timer_node* timer) = 0;

    /// How many jobs may run at once (worker threads).
    /// The running job goes on working after scheduling others (a handler sending in a long
    /// loop): make the jobs it scheduled for this thread available to other threads now.
    /// Called from inside a running job. The default does nothing.
    virtual void share_local() noexcept {}
    virtual std::size_t concurrency() const noexcept = 0;

    /// Stops the workers and the timer service and joins their threads; queued jobs and
    /// pending timers are released without running. Idempotent. Not from a worker thread.
    virtual void shutdown() noexcept = 0;

    /// For single-threaded executors: runs jobs on the calling thread until `done()` holds
    /// or nothing is left to run. Returns false if this executor cannot be driven from the
    /// calling thread (then the caller blocks and waits instead). Blocking waits in tests
    /// use it, so that `.get()` works in the deterministic runtime.
    virtual bool drive_until(const std::function<bool()>& done) {
        (void)done;
        return false;
    }

    /// True on one of this executor's worker threads (blocking there would deadlock).
    virtual bool on_worker_thread() const noexcept = 0;
};

/// The default: one worker per `workers` (0 = hardware threads), per-worker run queues,
/// stealing when idle, idle workers parked on a futex, timers on their own thread.
std::unique_ptr<executor> make_work_stealing_executor(std::size_t workers = 0);

}  // namespace troupe

#pragma once
// A single-threaded executor with a virtual clock, for tests that step through actor logic:
// nothing runs until the test says so, one message at a time, and time only moves when the
// test advances it. No sleeps, no races, the same order on every run.

#include <cstddef>
#include <deque>
#include <mutex>
#include <queue>
#include <vector>

#include <troupe/executor.hpp>

namespace troupe::testing {

class deterministic_executor final : public executor {
public:
    deterministic_executor();
    ~deterministic_executor() override;

    // --- the executor interface (thread-safe, but the test thread drives) ----------------
    void schedule(resumable* job) noexcept override;
    time_point now() const noexcept override;
    void schedule_timer(detail::timer_node* timer) override;
    std::size_t concurrency() const noexcept override { return 1; }
    void shutdown() noexcept override;
    /// Runs jobs until done() or nothing is left; when only timers are left, advances the
    /// virtual clock to the next one (so a blocking .get() of an ask that times out works).
    bool drive_until(const std::function<bool()>& done) override;
    bool on_worker_thread() const noexcept override { return false; }

    // --- stepping ----------------------------------------------------------------------------
    /// Runs one job for one message. False if no job was queued.
    bool step();
    /// Runs until no job is queued (timers are not advanced). Returns the steps taken.
    std::size_t run_until_idle();
    /// Moves the clock forward by `d`, firing due timers in deadline order and running until
    /// idle after each firing.
    void advance(duration d);
    void advance_to(time_point t);
    /// Jobs waiting to run, and timers waiting to fire.
    std::size_t queued_jobs() const;
    std::size_t pending_timers() const;
    /// The deadline of the next timer, if any.
    bool next_timer(time_point& at) const;

private:
    struct timer_entry {
        time_point at;
        std::uint64_t seq;
        detail::timer_node* node;
        bool operator>(const timer_entry& o) const { return at != o.at ? at > o.at : seq > o.seq; }
    };
    bool fire_next_due(time_point limit);

    mutable std::mutex mutex_;
    std::deque<resumable*> jobs_;
    std::priority_queue<timer_entry, std::vector<timer_entry>, std::greater<>> timers_;
    std::uint64_t seq_ = 0;
    time_point now_;
    bool stopped_ = false;
};

}  // namespace troupe::testing

#include <chrono>

#include <troupe/detail/timer_node.hpp>
#include <troupe/testing/deterministic_executor.hpp>

namespace troupe::testing {

// The virtual clock starts at an arbitrary, fixed point, so time values are reproducible.
deterministic_executor::deterministic_executor() : now_(time_point{} + std::chrono::hours(1)) {}

deterministic_executor::~deterministic_executor() {
    shutdown();
}

void deterministic_executor::schedule(resumable* job) noexcept {
    {
        std::lock_guard lock{mutex_};
        if (!stopped_) {
            jobs_.push_back(job);
            return;
        }
    }
    job->release();
}

time_point deterministic_executor::now() const noexcept {
    std::lock_guard lock{mutex_};
    return now_;
}

void deterministic_executor::schedule_timer(detail::timer_node* timer) {
    {
        std::lock_guard lock{mutex_};
        if (!stopped_) {
            timers_.push(timer_entry{timer->deadline(), seq_++, timer});
            return;
        }
    }
    timer->release();
}

void deterministic_executor::shutdown() noexcept {
    std::deque<resumable*> jobs;
    std::vector<detail::timer_node*> timers;
    {
        std::lock_guard lock{mutex_};
        stopped_ = true;
        jobs.swap(jobs_);
        while (!timers_.empty()) {
            timers.push_back(timers_.top().node);
            timers_.pop();
        }
    }
    for (auto* j : jobs) j->release();
    for (auto* t : timers) {
        t->cancel();
        t->release();
    }
}

bool deterministic_executor::step() {
    resumable* job;
    {
        std::lock_guard lock{mutex_};
        if (jobs_.empty()) return false;
        job = jobs_.front();
        jobs_.pop_front();
    }
    if (job->resume(1) == resumable::resume_result::again) {
        std::lock_guard lock{mutex_};
        jobs_.push_back(job);
    } else {
        job->release();
    }
    return true;
}

std::size_t deterministic_executor::run_until_idle() {
    std::size_t steps = 0;
    while (step()) ++steps;
    return steps;
}

bool deterministic_executor::fire_next_due(time_point limit) {
    detail::timer_node* t;
    {
        std::lock_guard lock{mutex_};
        // Cancelled timers leave without moving the clock.
        while (!timers_.empty() && !timers_.top().node->is_pending()) {
            timers_.top().node->release();
            timers_.pop();
        }
        if (timers_.empty() || timers_.top().at > limit) return false;
        auto entry = timers_.top();
        timers_.pop();
        if (entry.at > now_) now_ = entry.at;
        t = entry.node;
    }
    if (t->run()) {
        std::lock_guard lock{mutex_};
        timers_.push(timer_entry{t->deadline(), seq_++, t});
    } else {
        t->release();
    }
    return true;
}

void deterministic_executor::advance_to(time_point target) {
    run_until_idle();
    while (fire_next_due(target)) run_until_idle();
    std::lock_guard lock{mutex_};
    if (target > now_) now_ = target;
}

void deterministic_executor::advance(duration d) {
    advance_to(now() + d);
}

bool deterministic_executor::drive_until(const std::function<bool()>& done) {
    for (;;) {
        if (done()) return true;
        if (step()) continue;
        if (!fire_next_due(time_point::max())) return true;  // nothing left to run
    }
}

std::size_t deterministic_executor::queued_jobs() const {
    std::lock_guard lock{mutex_};
    return jobs_.size();
}

std::size_t deterministic_executor::pending_timers() const {
    std::lock_guard lock{mutex_};
    return timers_.size();
}

bool deterministic_executor::next_timer(time_point& at) const {
    std::lock_guard lock{mutex_};
    if (timers_.empty()) return false;
    at = timers_.top().at;
    return true;
}

}  // namespace troupe::testing

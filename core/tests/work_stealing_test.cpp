// The work-stealing executor: every job runs and is released exactly once, LIFO slot and
// fairness rules, stealing, idle CPU, shutdown. Waits are bounded waits on the event itself.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <sys/resource.h>

#include <troupe/detail/timer_node.hpp>
#include <troupe/executor.hpp>
#include <troupe/internal/work_stealing.hpp>

#include "support/counter.hpp"

namespace {

using namespace std::chrono_literals;
using troupe::executor;
using troupe::resumable;
using result = troupe::resumable::resume_result;

using troupe::test::counter;
using troupe::test::wait_limit;

/// A job running `body`; counts its runs and checks it is never resumed concurrently. The
/// test owns it; `released` counts the times its references dropped to zero.
class fn_job final : public resumable {
public:
    using body_fn = std::function<result(fn_job&)>;

    explicit fn_job(body_fn body, counter* released = nullptr)
        : body_(std::move(body)), released_(released) {}

    result resume(std::size_t budget) override {
        EXPECT_EQ(budget, troupe::internal::job_budget);
        EXPECT_FALSE(running_.exchange(true, std::memory_order_acquire)) << "resumed twice";
        runs.fetch_add(1, std::memory_order_relaxed);
        const result r = body_(*this);
        running_.store(false, std::memory_order_release);
        return r;
    }
    void add_ref() noexcept override { refs.fetch_add(1, std::memory_order_relaxed); }
    void release() noexcept override {
        const int before = refs.fetch_sub(1, std::memory_order_acq_rel);
        EXPECT_GT(before, 0) << "released more often than referenced";
        if (before == 1 && released_ != nullptr) released_->add();
    }

    std::atomic<int> refs{0};
    std::atomic<std::size_t> runs{0};

private:
    body_fn body_;
    counter* released_;
    std::atomic<bool> running_{false};
};

/// Hands `ex` a reference to `job`, as the executor contract asks.
void schedule(executor& ex, fn_job& job) {
    job.add_ref();
    ex.schedule(&job);
}

std::vector<std::unique_ptr<fn_job>> make_jobs(std::size_t n, const fn_job::body_fn& body,
                                               counter* released) {
    std::vector<std::unique_ptr<fn_job>> jobs;
    jobs.reserve(n);
    for (std::size_t i = 0; i < n; ++i) jobs.push_back(std::make_unique<fn_job>(body, released));
    return jobs;
}

double cpu_seconds() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    auto secs = [](const timeval& tv) { return double(tv.tv_sec) + double(tv.tv_usec) / 1e6; };
    return secs(usage.ru_utime) + secs(usage.ru_stime);
}

TEST(WorkStealing, ReportsItsConcurrency) {
    EXPECT_EQ(troupe::make_work_stealing_executor(3)->concurrency(), 3u);
    const std::size_t hw = std::max(1u, std::thread::hardware_concurrency());
    EXPECT_EQ(troupe::make_work_stealing_executor(0)->concurrency(), hw);
    auto ex = troupe::make_work_stealing_executor(1);
    const auto before = troupe::clock::now();
    const auto now = ex->now();
    EXPECT_LE(before, now);
    EXPECT_LE(now, troupe::clock::now());
}

TEST(WorkStealing, RunsEveryJobOnceAndReleasesIt) {
    for (std::size_t workers : {1u, 4u}) {
        counter released;
        auto jobs = make_jobs(
            5000, [](fn_job&) { return result::done; }, &released);
        auto ex = troupe::make_work_stealing_executor(workers);
        for (auto& job : jobs) schedule(*ex, *job);
        ASSERT_TRUE(released.wait_for(jobs.size())) << released.get() << " released";
        for (auto& job : jobs) {
            EXPECT_EQ(job->runs.load(), 1u);
            EXPECT_EQ(job->refs.load(), 0);
        }
    }
}

TEST(WorkStealing, JobReturningAgainKTimesRunsKPlusOneTimes) {
    constexpr std::size_t k = 10;
    counter released;
    auto jobs = make_jobs(
        300, [](fn_job& self) { return self.runs.load() <= k ? result::again : result::done; },
        &released);
    auto ex = troupe::make_work_stealing_executor(2);
    for (auto& job : jobs) schedule(*ex, *job);
    ASSERT_TRUE(released.wait_for(jobs.size()));
    for (auto& job : jobs) {
        EXPECT_EQ(job->runs.load(), k + 1);
        EXPECT_EQ(job->refs.load(), 0);
    }
}

// 4 external threads each schedule 1000 jobs; each job runs 100 times, alternately by
// returning `again` and by scheduling itself from inside its worker: 400k runs in all.
TEST(WorkStealing, StressExternalProducersAndReschedules) {
    constexpr std::size_t producers = 4, jobs_per_producer = 1000, runs_per_job = 100;
    counter released;
    executor* ex = nullptr;  // declared before the jobs, created after: dies first
    auto body = [&ex](fn_job& self) {
        const std::size_t runs = self.runs.load(std::memory_order_relaxed);
        if (runs >= runs_per_job) return result::done;
        if (runs % 2 == 0) return result::again;
        EXPECT_TRUE(ex->on_worker_thread());
        schedule(*ex, self);  // last act of this run: it lands in this worker's LIFO slot
        return result::done;
    };
    auto jobs = make_jobs(producers * jobs_per_producer, body, &released);
    auto owner = troupe::make_work_stealing_executor(4);
    ex = owner.get();
    std::vector<std::thread> threads;
    for (std::size_t p = 0; p < producers; ++p) {
        threads.emplace_back([&, p] {
            for (std::size_t i = 0; i < jobs_per_producer; ++i) {
                schedule(*ex, *jobs[p * jobs_per_producer + i]);
            }
        });
    }
    for (auto& t : threads) t.join();
    ASSERT_TRUE(released.wait_for(jobs.size())) << released.get() << " of " << jobs.size();
    std::size_t total = 0;
    for (auto& job : jobs) {
        EXPECT_EQ(job->runs.load(), runs_per_job);
        EXPECT_EQ(job->refs.load(), 0);
        total += job->runs.load();
    }
    EXPECT_EQ(total, producers * jobs_per_producer * runs_per_job);
}

TEST(WorkStealing, BusyJobDoesNotStarveLaterJobs) {
    std::atomic<bool> stop{false};
    counter released;
    fn_job hog([&](fn_job&) { return stop.load() ? result::done : result::again; }, &released);
    auto others = make_jobs(
        10, [](fn_job&) { return result::done; }, &released);
    auto ex = troupe::make_work_stealing_executor(1);
    schedule(*ex, hog);
    for (auto& job : others) schedule(*ex, *job);
    const bool others_ran = released.wait_for(others.size());
    stop = true;
    ASSERT_TRUE(others_ran) << "a job returning `again` starved the global queue";
    ASSERT_TRUE(released.wait_for(others.size() + 1));
    EXPECT_GT(hog.runs.load(), 0u);
}

/// A one-shot timer running callbacks; deletes itself when its last reference goes.
class callback_timer final : public troupe::detail::timer_node {
public:
    callback_timer(troupe::time_point deadline, std::function<void()> on_fire,
                   std::function<void()> on_drop = {})
        : timer_node(deadline, troupe::duration::zero()),
          on_fire_(std::move(on_fire)),
          on_drop_(std::move(on_drop)) {}

protected:
    void fire() noexcept override {
        if (on_fire_) on_fire_();
    }
    void drop() noexcept override {
        if (on_drop_) on_drop_();
    }

private:
    std::function<void()> on_fire_;
    std::function<void()> on_drop_;
};

// Two jobs schedule each other from inside the worker forever, through the LIFO slot; a
// third job, displaced from the slot into the run queue, must still run.
TEST(WorkStealing, LifoSlotUseIsCapped) {
    std::atomic<bool> stop{false};
    counter third_ran;
    executor* ex = nullptr;
    fn_job third([](fn_job&) { return result::done; }, &third_ran);
    fn_job* b_ptr = nullptr;
    fn_job a([&](fn_job& self) {
        if (self.runs.load() == 1) schedule(*ex, third);  // LIFO slot, displaced just below
        if (!stop.load()) schedule(*ex, *b_ptr);
        return result::done;
    });
    fn_job b([&](fn_job&) {
        if (!stop.load()) schedule(*ex, a);
        return result::done;
    });
    b_ptr = &b;
    auto owner = troupe::make_work_stealing_executor(1);
    ex = owner.get();
    schedule(*ex, a);
    const bool ran = third_ran.wait_for(1);
    stop = true;
    ASSERT_TRUE(ran) << "two jobs bouncing through the LIFO slot starved the run queue";
    owner->shutdown();
    EXPECT_GT(a.runs.load() + b.runs.load(), troupe::internal::lifo_cap);
    EXPECT_EQ(a.refs.load(), 0);
    EXPECT_EQ(b.refs.load(), 0);
    EXPECT_EQ(third.refs.load(), 0);
}

// The same with the third job coming from another thread, into the global queue.
TEST(WorkStealing, ExternalJobRunsWhileJobsBounce) {
    std::atomic<bool> stop{false};
    counter bounces, third_ran;
    executor* ex = nullptr;
    fn_job third([](fn_job&) { return result::done; }, &third_ran);
    fn_job* b_ptr = nullptr;
    fn_job a([&](fn_job&) {
        if (!stop.load()) schedule(*ex, *b_ptr);
        return result::done;
    });
    fn_job b([&](fn_job&) {
        bounces.add();
        if (!stop.load()) schedule(*ex, a);
        return result::done;
    });
    b_ptr = &b;
    auto owner = troupe::make_work_stealing_executor(1);
    ex = owner.get();
    schedule(*ex, a);
    ASSERT_TRUE(bounces.wait_for(1000));
    schedule(*ex, third);
    const bool ran = third_ran.wait_for(1);
    stop = true;
    ASSERT_TRUE(ran) << "jobs bouncing on a worker starved the global queue";
    owner->shutdown();
    EXPECT_EQ(a.refs.load(), 0);
    EXPECT_EQ(b.refs.load(), 0);
}

// With one worker the order is deterministic: the job scheduled last from inside a job
// runs next (LIFO slot), the ones it displaced follow in FIFO order.
TEST(WorkStealing, MostRecentlyScheduledJobRunsNext) {
    std::mutex mutex;
    std::vector<char> order;
    auto record = [&](char c) {
        std::lock_guard<std::mutex> lock(mutex);
        order.push_back(c);
    };
    counter released;
    executor* ex = nullptr;
    auto leaf = [&](char c) {
        return [&record, c](fn_job&) {
            record(c);
            return result::done;
        };
    };
    fn_job x(leaf('x'), &released), y(leaf('y'), &released), z(leaf('z'), &released);
    fn_job seed(
        [&](fn_job&) {
            record('s');
            schedule(*ex, x);
            schedule(*ex, y);
            schedule(*ex, z);
            return result::done;
        },
        &released);
    auto owner = troupe::make_work_stealing_executor(1);
    ex = owner.get();
    schedule(*ex, seed);
    ASSERT_TRUE(released.wait_for(4));
    std::lock_guard<std::mutex> lock(mutex);
    EXPECT_EQ(order, (std::vector<char>{'s', 'z', 'x', 'y'}));
}

// A job returning `again` goes behind the queued jobs, never into the LIFO slot.
TEST(WorkStealing, AgainGoesToTheBackOfTheQueue) {
    std::mutex mutex;
    std::vector<char> order;
    auto record = [&](char c) {
        std::lock_guard<std::mutex> lock(mutex);
        order.push_back(c);
    };
    counter released;
    executor* ex = nullptr;
    fn_job x(
        [&](fn_job&) {
            record('x');
            return result::done;
        },
        &released);
    fn_job y(
        [&](fn_job&) {
            record('y');
            return result::done;
        },
        &released);
    fn_job seed(
        [&](fn_job& self) {
            record('s');
            if (self.runs.load() > 1) return result::done;
            schedule(*ex, x);
            schedule(*ex, y);
            return result::again;
        },
        &released);
    auto owner = troupe::make_work_stealing_executor(1);
    ex = owner.get();
    schedule(*ex, seed);
    ASSERT_TRUE(released.wait_for(3));
    std::lock_guard<std::mutex> lock(mutex);
    EXPECT_EQ(order, (std::vector<char>{'s', 'y', 'x', 's'}));
}

// Ping-pong between two jobs stays on one worker although another one is idle: handing a
// message through the LIFO slot wakes nobody, so nobody steals it.
TEST(WorkStealing, PingPongStaysOnOneWorker) {
    constexpr std::size_t hops = 20000;
    std::vector<std::thread::id> ran_on(hops);
    std::size_t hop = 0;  // the two jobs never run at once
    counter finished;
    executor* ex = nullptr;
    fn_job* other[2] = {};
    auto body = [&](int me) {
        return [&, me](fn_job&) {
            ran_on[hop] = std::this_thread::get_id();
            if (++hop == hops) {
                finished.add();
            } else {
                schedule(*ex, *other[me]);
            }
            return result::done;
        };
    };
    fn_job ping(body(0)), pong(body(1));
    other[0] = &pong;
    other[1] = &ping;
    auto owner = troupe::make_work_stealing_executor(2);
    ex = owner.get();
    schedule(*ex, ping);
    ASSERT_TRUE(finished.wait_for(1));
    owner->shutdown();
    std::size_t migrations = 0;
    for (std::size_t i = 1; i < hops; ++i) migrations += ran_on[i] != ran_on[i - 1];
    EXPECT_LE(migrations, hops / 100);
}

// 1000 jobs of ~50 us each, all scheduled from inside one worker: the idle one steals.
TEST(WorkStealing, IdleWorkerStealsWork) {
    constexpr std::size_t n = 1000;
    std::vector<std::thread::id> ran_on(n);
    counter released;
    executor* ex = nullptr;
    std::vector<std::unique_ptr<fn_job>> jobs;
    for (std::size_t i = 0; i < n; ++i) {
        jobs.push_back(std::make_unique<fn_job>(
            [&ran_on, i](fn_job&) {
                ran_on[i] = std::this_thread::get_id();
                const auto until = std::chrono::steady_clock::now() + 50us;
                while (std::chrono::steady_clock::now() < until) {
                }
                return result::done;
            },
            &released));
    }
    fn_job seed(
        [&](fn_job&) {
            for (auto& job : jobs) schedule(*ex, *job);
            return result::done;
        },
        &released);
    auto owner = troupe::make_work_stealing_executor(2);
    ex = owner.get();
    schedule(*ex, seed);
    ASSERT_TRUE(released.wait_for(n + 1));
    const std::set<std::thread::id> threads(ran_on.begin(), ran_on.end());
    EXPECT_EQ(threads.size(), 2u);
    for (auto& job : jobs) EXPECT_EQ(job->runs.load(), 1u);
}

TEST(WorkStealing, IdleWorkersUseNoCpu) {
    counter released;
    auto jobs = make_jobs(
        10000, [](fn_job&) { return result::done; }, &released);
    auto ex = troupe::make_work_stealing_executor(2);
    for (auto& job : jobs) schedule(*ex, *job);
    ASSERT_TRUE(released.wait_for(jobs.size()));
    const double before = cpu_seconds();
    std::this_thread::sleep_for(2s);  // the idleness being measured
    const double used = cpu_seconds() - before;
    EXPECT_LT(used, 0.1) << "idle executor burnt " << used << " s of CPU in 2 s";
}

// One worker blocked in a job; 100 jobs wait in the global queue and 2 in the blocked
// worker's LIFO slot and run queue. shutdown() raises its stop flag before it stops the
// timer service, whose drop() of a pending timer unblocks the worker: no queued job may
// run after that, all must be released.
TEST(WorkStealing, ShutdownReleasesQueuedJobsWithoutRunningThem) {
    counter blocker_running, timer_dropped, released;
    executor* ex = nullptr;
    auto queued = make_jobs(
        100, [](fn_job&) { return result::done; }, &released);
    fn_job local_x([](fn_job&) { return result::done; }, &released);
    fn_job local_y([](fn_job&) { return result::done; }, &released);
    bool unblocked = false;
    fn_job blocker(
        [&](fn_job&) {
            schedule(*ex, local_x);
            schedule(*ex, local_y);
            blocker_running.add();
            unblocked = timer_dropped.wait_for(1);
            return result::done;
        },
        &released);
    auto owner = troupe::make_work_stealing_executor(1);
    ex = owner.get();
    ex->schedule_timer(new callback_timer(
        troupe::clock::now() + 1h, [] { ADD_FAILURE() << "fired"; }, [&] { timer_dropped.add(); }));
    schedule(*ex, blocker);
    ASSERT_TRUE(blocker_running.wait_for(1));
    for (auto& job : queued) schedule(*ex, *job);
    ex->shutdown();
    EXPECT_TRUE(unblocked);
    EXPECT_EQ(released.get(), queued.size() + 3);
    for (auto& job : queued) {
        EXPECT_EQ(job->runs.load(), 0u);
        EXPECT_EQ(job->refs.load(), 0);
    }
    EXPECT_EQ(local_x.runs.load() + local_y.runs.load(), 0u);
    EXPECT_EQ(local_x.refs.load() + local_y.refs.load(), 0);
}

TEST(WorkStealing, ScheduleAfterShutdownReleasesAtOnce) {
    fn_job job([](fn_job&) { return result::done; });
    auto ex = troupe::make_work_stealing_executor(2);
    ex->shutdown();
    ex->shutdown();  // idempotent
    schedule(*ex, job);
    EXPECT_EQ(job.refs.load(), 0);
    EXPECT_EQ(job.runs.load(), 0u);
    bool dropped = false;
    ex->schedule_timer(new callback_timer(
        troupe::clock::now(), [] { ADD_FAILURE() << "fired"; }, [&] { dropped = true; }));
    EXPECT_TRUE(dropped);
}

// Destroy an executor while jobs run, are queued everywhere, and keep rescheduling.
TEST(WorkStealing, DestroyingWithQueuedWorkIsSafe) {
    counter released;
    executor* ex = nullptr;
    auto forever = [&ex](fn_job& self) {
        if (self.runs.load() % 2 == 0) return result::again;
        schedule(*ex, self);
        return result::done;
    };
    auto jobs = make_jobs(2000, forever, &released);
    {
        auto owner = troupe::make_work_stealing_executor(2);
        ex = owner.get();
        for (auto& job : jobs) schedule(*ex, *job);
    }
    EXPECT_EQ(released.get(), jobs.size());
    for (auto& job : jobs) EXPECT_EQ(job->refs.load(), 0);
}

TEST(WorkStealing, OnWorkerThreadIsPerExecutor) {
    counter released;
    executor* a = nullptr;
    executor* b = nullptr;
    std::atomic<bool> a_on_a{false}, a_on_b{true}, b_on_b{false}, b_on_a{true};
    fn_job on_b(
        [&](fn_job&) {
            b_on_b = b->on_worker_thread();
            b_on_a = a->on_worker_thread();
            return result::done;
        },
        &released);
    fn_job on_a(
        [&](fn_job&) {
            a_on_a = a->on_worker_thread();
            a_on_b = b->on_worker_thread();
            schedule(*b, on_b);  // must go to b, not into a's LIFO slot
            return result::done;
        },
        &released);
    auto owner_a = troupe::make_work_stealing_executor(1);
    auto owner_b = troupe::make_work_stealing_executor(1);
    a = owner_a.get();
    b = owner_b.get();
    EXPECT_FALSE(a->on_worker_thread());
    EXPECT_FALSE(b->on_worker_thread());
    schedule(*a, on_a);
    ASSERT_TRUE(released.wait_for(2));
    EXPECT_TRUE(a_on_a.load());
    EXPECT_FALSE(a_on_b.load());
    EXPECT_TRUE(b_on_b.load());
    EXPECT_FALSE(b_on_a.load());
}

TEST(WorkStealing, TimerFiresAndSchedulesAJob) {
    counter released;
    executor* ex = nullptr;
    std::atomic<bool> on_worker{false};
    fn_job job(
        [&](fn_job&) {
            on_worker = ex->on_worker_thread();
            return result::done;
        },
        &released);
    auto owner = troupe::make_work_stealing_executor(2);
    ex = owner.get();
    ex->schedule_timer(new callback_timer(
        ex->now() + 5ms, [&] { schedule(*ex, job); }, [] {}));
    ASSERT_TRUE(released.wait_for(1));
    EXPECT_TRUE(on_worker.load());
}

}  // namespace

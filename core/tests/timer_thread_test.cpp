// The timer service: deadline order, FIFO among equal deadlines, cancel, periodic timers,
// volume, cancel racing with firing, purging of cancelled timers, shutdown.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <numeric>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include <troupe/detail/timer_node.hpp>
#include <troupe/internal/timer_thread.hpp>

#include "support/counter.hpp"

namespace {

using namespace std::chrono_literals;
using troupe::clock;
using troupe::duration;
using troupe::time_point;
using troupe::internal::timer_thread;

using troupe::test::counter;
using troupe::test::wait_limit;

/// Shared tallies of a group of test timers.
struct tallies {
    counter fired, dropped, destroyed;
};

/// A timer that counts its fire()/drop() calls and its destruction, and checks the node
/// protocol: no fire() after drop(), drop() exactly once.
class test_timer final : public troupe::detail::timer_node {
public:
    test_timer(time_point deadline, duration period, tallies& t, std::function<void()> on_fire = {})
        : timer_node(deadline, period), tallies_(t), on_fire_(std::move(on_fire)) {}
    ~test_timer() override {
        EXPECT_EQ(drops.load(), 1) << "destroyed without exactly one drop()";
        tallies_.destroyed.add();
    }

    std::atomic<int> fires{0};
    std::atomic<int> drops{0};

protected:
    void fire() noexcept override {
        EXPECT_EQ(drops.load(), 0) << "fired after drop()";
        fires.fetch_add(1);
        if (on_fire_) on_fire_();
        tallies_.fired.add();
    }
    void drop() noexcept override {
        EXPECT_EQ(drops.fetch_add(1), 0) << "dropped twice";
        tallies_.dropped.add();
    }

private:
    tallies& tallies_;
    std::function<void()> on_fire_;
};

/// Creates a timer, keeps one reference for the test (release it with ->release()) and
/// hands the other to the service.
test_timer* arm(timer_thread& service, time_point deadline, duration period, tallies& t,
                std::function<void()> on_fire = {}) {
    auto* timer = new test_timer(deadline, period, t, std::move(on_fire));
    timer->add_ref();
    service.schedule(timer);
    return timer;
}

TEST(TimerThread, FiresInDeadlineOrderAndFifoAmongEqualDeadlines) {
    constexpr int n = 200;
    tallies t;
    std::mutex mutex;
    std::vector<int> fired;
    std::vector<int> slot(n);  // deadline slot per timer, inserted in id order
    std::mt19937 rng(42);
    for (int& s : slot) s = static_cast<int>(rng() % 10);
    std::vector<test_timer*> timers;
    {
        timer_thread service;
        const time_point base = clock::now() + 100ms;  // all inserted before the first is due
        for (int id = 0; id < n; ++id) {
            timers.push_back(arm(service, base + slot[id] * 1ms, duration::zero(), t, [&, id] {
                std::lock_guard<std::mutex> lock(mutex);
                fired.push_back(id);
            }));
        }
        ASSERT_TRUE(t.fired.wait_for(n));
    }
    std::vector<int> expected(n);
    std::iota(expected.begin(), expected.end(), 0);
    std::stable_sort(expected.begin(), expected.end(),
                     [&](int a, int b) { return slot[a] < slot[b]; });
    EXPECT_EQ(fired, expected);
    for (test_timer* timer : timers) {
        EXPECT_FALSE(timer->cancel()) << "cancel after firing must return false";
        EXPECT_TRUE(timer->has_fired());
        timer->release();
    }
    EXPECT_EQ(t.destroyed.get(), static_cast<std::size_t>(n));
}

// Timers wait in three tiers: due within the current ~1 ms bucket, within ~1 s (a ring of
// buckets), and beyond. Inserted latest first, with several in one bucket apart by less
// than a bucket, they still fire in deadline order as they move from tier to tier. The
// first is due 100 ms after the start, so that all are in before any is due even on a
// slow sanitizer build (a timer due during the loop fires before earlier ones are armed).
TEST(TimerThread, FiresInDeadlineOrderAcrossTiers) {
    const std::vector<duration> offsets = {0us,   300us,  700us,  20ms,          20ms + 100us,
                                           400ms, 1100ms, 1200ms, 1200ms + 10us, 1500ms};
    const int n = static_cast<int>(offsets.size());
    tallies t;
    std::mutex mutex;
    std::vector<int> fired;
    std::vector<test_timer*> timers;
    {
        timer_thread service;
        const time_point base = clock::now() + 100ms;
        for (int id = n - 1; id >= 0; --id) {
            timers.push_back(arm(service, base + offsets[id], duration::zero(), t, [&, id] {
                std::lock_guard<std::mutex> lock(mutex);
                fired.push_back(id);
            }));
        }
        ASSERT_TRUE(t.fired.wait_for(n));
        for (int id = 0; id < n; ++id) {
            EXPECT_GE(clock::now(), base + offsets[id]);
        }
    }
    std::vector<int> expected(n);
    std::iota(expected.begin(), expected.end(), 0);
    EXPECT_EQ(fired, expected);
    for (test_timer* timer : timers) timer->release();
}

// A timer never fires before its deadline, in whichever tier it waited.
TEST(TimerThread, NeverFiresEarly) {
    constexpr int n = 300;
    tallies t;
    std::atomic<int> early{0};
    std::vector<test_timer*> timers;
    std::mt19937 rng(7);
    {
        timer_thread service;
        for (int i = 0; i < n; ++i) {
            // 0 to 1.2 s, in microseconds: near, ring and far tiers alike.
            const time_point deadline = clock::now() + std::chrono::microseconds(rng() % 1'200'000);
            timers.push_back(arm(service, deadline, duration::zero(), t, [&early, deadline] {
                if (clock::now() < deadline) early.fetch_add(1);
            }));
        }
        ASSERT_TRUE(t.fired.wait_for(n));
    }
    EXPECT_EQ(early.load(), 0);
    for (test_timer* timer : timers) timer->release();
}

TEST(TimerThread, CancelBeforeTheDeadlinePreventsFiring) {
    tallies t, sentinel;
    timer_thread service;
    test_timer* timer = arm(service, clock::now() + 50ms, duration::zero(), t);
    ASSERT_TRUE(timer->cancel());
    EXPECT_EQ(timer->drops.load(), 1);  // the payload went at once
    EXPECT_FALSE(timer->cancel());
    arm(service, clock::now() + 100ms, duration::zero(), sentinel)->release();
    ASSERT_TRUE(sentinel.fired.wait_for(1));
    EXPECT_EQ(timer->fires.load(), 0);
    timer->release();
    ASSERT_TRUE(t.destroyed.wait_for(1)) << "the service kept the cancelled timer";
}

TEST(TimerThread, CancelAfterFiringReturnsFalse) {
    tallies t;
    timer_thread service;
    test_timer* timer = arm(service, clock::now(), duration::zero(), t);
    ASSERT_TRUE(t.fired.wait_for(1));
    ASSERT_TRUE(t.dropped.wait_for(1));
    EXPECT_FALSE(timer->cancel());
    EXPECT_EQ(timer->fires.load(), 1);
    EXPECT_EQ(timer->drops.load(), 1);
    timer->release();
    ASSERT_TRUE(t.destroyed.wait_for(1));  // the service releases just after drop()
}

TEST(TimerThread, PeriodicTimerFiresUntilCancelled) {
    tallies t, sentinel;
    timer_thread service;
    test_timer* timer = arm(service, clock::now() + 1ms, 1ms, t);
    ASSERT_TRUE(t.fired.wait_for(5));
    ASSERT_TRUE(timer->cancel());
    // A fire() in progress during cancel() may still finish; drop() comes after it.
    ASSERT_TRUE(t.dropped.wait_for(1));
    const int fires = timer->fires.load();
    arm(service, clock::now() + 20ms, duration::zero(), sentinel)->release();
    ASSERT_TRUE(sentinel.fired.wait_for(1));
    EXPECT_EQ(timer->fires.load(), fires);
    timer->release();
    ASSERT_TRUE(t.destroyed.wait_for(1));
}

TEST(TimerThread, FireMayScheduleAnotherTimer) {
    tallies t, second;
    timer_thread service;
    arm(service, clock::now(), duration::zero(), t, [&] {
        arm(service, clock::now() + 1ms, duration::zero(), second)->release();
    })->release();
    ASSERT_TRUE(second.fired.wait_for(1));
}

TEST(TimerThread, ManyRandomTimersFireExactlyOnce) {
    constexpr std::size_t n = 100000;
    tallies t;
    std::vector<std::atomic<int>> fires(n);
    std::mt19937 rng(7);
    timer_thread service;
    const time_point base = clock::now();
    for (std::size_t i = 0; i < n; ++i) {
        auto* timer = new test_timer(base + std::chrono::microseconds(rng() % 200000),
                                     duration::zero(), t, [&fires, i] { ++fires[i]; });
        service.schedule(timer);  // the service owns it alone
    }
    ASSERT_TRUE(t.destroyed.wait_for(n)) << t.fired.get() << " fired";
    EXPECT_EQ(t.fired.get(), n);
    for (std::size_t i = 0; i < n; ++i) ASSERT_EQ(fires[i].load(), 1) << "timer " << i;
    EXPECT_EQ(service.size(), 0u);
}

// Several threads schedule at once while the service fires: every timer fires exactly
// once, none before its deadline, and each thread's timers with equal deadlines fire in the
// order that thread scheduled them.
TEST(TimerThread, ManyThreadsScheduleWhileTimersFire) {
    constexpr std::size_t threads = 4;
    constexpr std::size_t each = 20000;
    tallies t;
    std::mutex mutex;
    std::vector<std::vector<std::size_t>> order(threads);  // per thread: indices as fired
    std::atomic<int> early{0};
    {
        timer_thread service;
        std::vector<std::thread> schedulers;
        for (std::size_t k = 0; k < threads; ++k) {
            schedulers.emplace_back([&, k] {
                // Deadlines in steps of 1 ms, 20 timers per step: equal deadlines abound.
                const time_point base = clock::now() + 2ms;
                for (std::size_t i = 0; i < each; ++i) {
                    const time_point deadline = base + std::chrono::milliseconds(i / 20 % 50);
                    service.schedule(
                        new test_timer(deadline, duration::zero(), t, [&, k, i, deadline] {
                            if (clock::now() < deadline) early.fetch_add(1);
                            std::lock_guard<std::mutex> lock(mutex);
                            order[k].push_back(i);
                        }));
                }
            });
        }
        for (auto& th : schedulers) th.join();
        ASSERT_TRUE(t.destroyed.wait_for(threads * each)) << t.fired.get() << " fired";
    }
    EXPECT_EQ(t.fired.get(), threads * each);
    EXPECT_EQ(early.load(), 0);
    for (std::size_t k = 0; k < threads; ++k) {
        ASSERT_EQ(order[k].size(), each);
        // Same deadline (i / 20 % 50 equal) => fired in increasing i.
        std::vector<std::size_t> last(50, 0);
        std::vector<bool> seen(50, false);
        for (std::size_t i : order[k]) {
            const std::size_t slot = i / 20 % 50;
            if (seen[slot]) {
                EXPECT_LT(last[slot], i) << "thread " << k;
            }
            seen[slot] = true;
            last[slot] = i;
        }
    }
}

// Two threads cancel timers right behind the thread arming them, due 0-300 us after being
// armed, so cancel() and firing race whatever the build's speed: each timer fires at most
// once, and it fires iff no cancel() returned true.
TEST(TimerThread, CancelRacingWithFiringNeverDoubleFires) {
    constexpr std::size_t n = 20000;
    tallies t;
    std::vector<test_timer*> timers(n);
    std::vector<std::atomic<int>> cancelled(n);
    std::atomic<std::size_t> armed{0};
    timer_thread service;
    std::vector<std::thread> cancellers;
    for (int c = 0; c < 2; ++c) {
        cancellers.emplace_back([&] {
            for (std::size_t i = 0; i < n; ++i) {
                while (armed.load(std::memory_order_acquire) <= i) std::this_thread::yield();
                cancelled[i] += timers[i]->cancel() ? 1 : 0;
            }
        });
    }
    std::mt19937 rng(11);
    for (std::size_t i = 0; i < n; ++i) {
        const auto delay = std::chrono::microseconds(rng() % 300);
        timers[i] = arm(service, clock::now() + delay, duration::zero(), t);
        armed.store(i + 1, std::memory_order_release);
    }
    for (auto& c : cancellers) c.join();
    ASSERT_TRUE(t.dropped.wait_for(n));
    std::size_t fired = 0;
    for (std::size_t i = 0; i < n; ++i) {
        EXPECT_LE(timers[i]->fires.load(), 1);
        EXPECT_EQ(timers[i]->fires.load() + cancelled[i].load(), 1) << "timer " << i;
        fired += static_cast<std::size_t>(timers[i]->fires.load());
        timers[i]->release();
    }
    EXPECT_EQ(fired, t.fired.get());
    RecordProperty("fired", std::to_string(fired));
    RecordProperty("cancelled", std::to_string(n - fired));
    ASSERT_TRUE(t.destroyed.wait_for(n));
}

// The same with periodic timers: after cancel() returned true and drop() ran, no fire().
TEST(TimerThread, CancelRacingWithPeriodicFiringStopsIt) {
    constexpr std::size_t n = 2000;
    tallies t;
    std::vector<test_timer*> timers;
    timer_thread service;
    const time_point base = clock::now();
    for (std::size_t i = 0; i < n; ++i) {
        timers.push_back(arm(service, base + std::chrono::microseconds(i % 100), 100us, t));
    }
    ASSERT_TRUE(t.fired.wait_for(n));
    std::thread canceller([&] {
        for (test_timer* timer : timers) EXPECT_TRUE(timer->cancel());
    });
    canceller.join();
    ASSERT_TRUE(t.dropped.wait_for(n));  // test_timer checks no fire() follows drop()
    for (test_timer* timer : timers) timer->release();
    ASSERT_TRUE(t.destroyed.wait_for(n));
}

// Timers armed and cancelled at once, far in the future: the service purges them long
// before their deadlines, so they do not pile up.
TEST(TimerThread, PurgesCancelledTimers) {
    constexpr std::size_t n = 100000;
    tallies t;
    timer_thread service;
    const time_point far = clock::now() + 1h;
    for (std::size_t i = 0; i < n; ++i) {
        test_timer* timer = arm(service, far, duration::zero(), t);
        ASSERT_TRUE(timer->cancel());
        timer->release();
    }
    // Everything but the last scan interval's worth is purged.
    ASSERT_TRUE(t.destroyed.wait_for(n - 2048)) << t.destroyed.get() << " purged";
    EXPECT_LE(service.size(), 2048u);
    service.shutdown();
    EXPECT_EQ(t.destroyed.get(), n);
}

TEST(TimerThread, ShutdownReleasesPendingTimersWithoutFiring) {
    constexpr std::size_t n = 1000;
    tallies t;
    {
        timer_thread service;
        for (std::size_t i = 0; i < n; ++i) {
            service.schedule(new test_timer(clock::now() + 1h, duration::zero(), t));
        }
        test_timer* kept = arm(service, clock::now() + 1h, 1s, t);
        service.shutdown();
        EXPECT_EQ(t.destroyed.get(), n);
        EXPECT_FALSE(kept->cancel());  // shutdown cancelled it
        kept->release();
        service.shutdown();                                                   // idempotent
        service.schedule(new test_timer(clock::now(), duration::zero(), t));  // released at once
        EXPECT_EQ(t.destroyed.get(), n + 2);
    }
    EXPECT_EQ(t.fired.get(), 0u);
    EXPECT_EQ(t.dropped.get(), n + 2);
}

}  // namespace

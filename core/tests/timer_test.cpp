// Timers: send_after, send_interval, exit_after, kill_after, notify_later, cancel, cleanup.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <troupe/actor.hpp>
#include <troupe/testing/runtime.hpp>

using namespace std::chrono_literals;

namespace {

struct tick {
    int n;
};
struct arm_self {};

struct clockwork : troupe::actor<clockwork, tick, arm_self> {
    std::vector<std::string>* log;
    troupe::testing::runtime* rt;
    clockwork(std::vector<std::string>* l, troupe::testing::runtime* r) : log(l), rt(r) {}
    void handle(tick t) {
        auto ms =
            std::chrono::duration_cast<std::chrono::milliseconds>(rt->now().time_since_epoch())
                .count() %
            100000;
        log->push_back("tick " + std::to_string(t.n) + " @" + std::to_string(ms));
    }
    void handle(arm_self) {
        notify_later(30ms, tick{1});
        send_interval(addr(), 10ms, tick{2});
    }
};

long long ms_now(troupe::testing::runtime& rt) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(rt.now().time_since_epoch())
               .count() %
           100000;
}

TEST(Timer, SendAfterFiresAtTheDeadline) {
    std::vector<std::string> log;  // outlives the runtime: stopped hooks write to it
    troupe::testing::runtime rt;
    auto a = rt.node().spawn<clockwork>(&log, &rt).value();
    auto t0 = ms_now(rt);
    auto t = rt.node().send_after(a.addr(), 50ms, tick{7});
    rt.advance(49ms);
    EXPECT_TRUE(log.empty());
    EXPECT_TRUE(t.active());
    rt.advance(1ms);
    EXPECT_EQ(log, (std::vector<std::string>{"tick 7 @" + std::to_string(t0 + 50)}));
    EXPECT_TRUE(t.fired());
    EXPECT_FALSE(t.cancel());  // already fired
}

TEST(Timer, CancelBeforeFiringPreventsIt) {
    std::vector<std::string> log;  // outlives the runtime: stopped hooks write to it
    troupe::testing::runtime rt;
    auto a = rt.node().spawn<clockwork>(&log, &rt).value();
    auto t = rt.node().send_after(a.addr(), 50ms, tick{1});
    EXPECT_TRUE(t.cancel());
    EXPECT_FALSE(t.cancel());  // second cancel: nothing left to stop
    rt.advance(100ms);
    EXPECT_TRUE(log.empty());
}

TEST(Timer, IntervalRepeatsUntilCancelled) {
    std::vector<std::string> log;  // outlives the runtime: stopped hooks write to it
    troupe::testing::runtime rt;
    auto a = rt.node().spawn<clockwork>(&log, &rt).value();
    auto t = rt.node().send_interval(a.addr(), 10ms, tick{0});
    rt.advance(35ms);
    EXPECT_EQ(log.size(), 3u);
    EXPECT_TRUE(t.cancel());
    rt.advance(100ms);
    EXPECT_EQ(log.size(), 3u);
}

TEST(Timer, ExitAfterAndKillAfter) {
    std::vector<std::string> log;  // outlives the runtime: stopped hooks write to it
    troupe::testing::runtime rt;
    auto a = rt.node().spawn<clockwork>(&log, &rt).value();
    auto b = rt.node().spawn<clockwork>(&log, &rt).value();
    auto ea = a.wait();
    auto eb = b.wait();
    rt.node().exit_after(a.addr(), 10ms, troupe::exit_reason::shutdown("late"));
    rt.node().kill_after(b.addr(), 20ms);
    rt.advance(10ms);
    EXPECT_TRUE(ea.is_ready());
    EXPECT_FALSE(eb.is_ready());
    rt.advance(10ms);
    EXPECT_EQ(std::move(ea).get().value(), troupe::exit_reason::shutdown("late"));
    EXPECT_EQ(std::move(eb).get().value(), troupe::exit_reason::killed());
}

TEST(Timer, TimersOfADeadActorAreReleased) {
    std::vector<std::string> log;  // outlives the runtime: stopped hooks write to it
    troupe::testing::runtime rt;
    auto a = rt.node().spawn<clockwork>(&log, &rt).value();
    a.tell(arm_self{});
    rt.run_until_idle();
    rt.advance(15ms);
    EXPECT_EQ(log.size(), 1u);  // one interval tick
    a.kill();
    rt.run_until_idle();
    EXPECT_EQ(rt.exec().pending_timers(), 2u);  // cancelled, still queued
    rt.advance(100ms);
    EXPECT_EQ(log.size(), 1u);
    EXPECT_EQ(rt.exec().pending_timers(), 0u);  // and gone
}

TEST(Timer, IntervalToADeadActorStopsItself) {
    std::vector<std::string> log;  // outlives the runtime: stopped hooks write to it
    troupe::testing::runtime rt;
    auto a = rt.node().spawn<clockwork>(&log, &rt).value();
    auto t = rt.node().send_interval(a.addr(), 10ms, tick{0});
    a.kill();
    rt.run_until_idle();
    rt.advance(10ms);
    EXPECT_FALSE(t.active());
    EXPECT_EQ(rt.exec().pending_timers(), 0u);
}

TEST(Timer, SleepInAPlainThreadCompletesAtTheDeadline) {
    troupe::testing::runtime rt;
    auto s = rt.node().sleep(5s);
    EXPECT_FALSE(s.is_ready());
    rt.advance(5s);
    EXPECT_TRUE(s.is_ready());
}

// A periodic timer that fell behind skips the firings it missed instead of bursting.
struct counting_timer final : troupe::detail::timer_node {
    int fired = 0;
    counting_timer(troupe::time_point at, troupe::duration period) : timer_node(at, period) {}
    void fire() noexcept override { ++fired; }
    void drop() noexcept override {}
};

TEST(Timer, ALateIntervalSkipsMissedFiringsInsteadOfBursting) {
    troupe::time_point t0{std::chrono::hours(1)};
    auto* t = new counting_timer(t0, 10ms);
    ASSERT_TRUE(t->run(t0 + 35ms));  // 35 ms late: once now, next at +40 ms
    EXPECT_EQ(t->fired, 1);
    EXPECT_EQ(t->deadline(), t0 + 40ms);
    ASSERT_TRUE(t->run(t0 + 40ms));  // on time: the next period
    EXPECT_EQ(t->deadline(), t0 + 50ms);
    EXPECT_TRUE(t->cancel());
    t->release();
}

}  // namespace

// Monitors: one down per monitor, noproc at once, demonitor means no later down.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <troupe/actor.hpp>
#include <troupe/process.hpp>
#include <troupe/testing/runtime.hpp>

#include "support/signals_probe.hpp"

using namespace std::chrono_literals;
using troupe::exit_reason;
using namespace troupe::test;

namespace {

struct Monitors : ::testing::Test {
    std::vector<std::string> log;  // outlives the runtime
    troupe::testing::runtime rt;
    troupe::ref<probe> watcher = rt.node().spawn<probe>("w", &log).value();
    troupe::ref<probe> target = rt.node().spawn<probe>("t", &log).value();

    troupe::monitor_ref monitor(troupe::address t) {
        auto r = watcher.ask(do_monitor{t}, 1s);
        rt.run_until_idle();
        return std::move(r).get().value();
    }
    std::string down_line(troupe::address who, const exit_reason& r) {
        return "w: down " + who.to_string() + " " + r.to_string();
    }
};

TEST_F(Monitors, ADownComesExactlyOnceWithTheReason) {
    auto ref = monitor(target);
    EXPECT_TRUE(ref);
    target.tell(crash{"bad input"});
    rt.run_until_idle();
    EXPECT_EQ(log, (std::vector<std::string>{down_line(target, exit_reason::error("bad input"))}));
    auto& downs = watcher.get()->downs;
    ASSERT_EQ(downs.size(), 1u);
    EXPECT_EQ(downs[0].ref, ref);
    EXPECT_EQ(downs[0].who, target.addr());
}

TEST_F(Monitors, EachMonitorGivesItsOwnDown) {
    auto first = monitor(target);
    auto second = monitor(target);
    EXPECT_NE(first, second);
    target.stop();
    rt.run_until_idle();
    auto& downs = watcher.get()->downs;
    ASSERT_EQ(downs.size(), 2u);
    EXPECT_EQ(downs[0].ref, first);
    EXPECT_EQ(downs[1].ref, second);
    EXPECT_EQ(downs[1].reason, exit_reason::normal());
}

TEST_F(Monitors, MonitoringADeadAddressGivesNoprocAtOnce) {
    target.stop();
    rt.run_until_idle();
    auto ref = monitor(target);
    EXPECT_EQ(log, (std::vector<std::string>{down_line(target, exit_reason::noproc())}));
    EXPECT_EQ(watcher.get()->downs.at(0).ref, ref);
    troupe::address nobody = rt.node().net().at(777'777);
    monitor(nobody);
    EXPECT_EQ(log.back(), down_line(nobody, exit_reason::noproc()));
}

TEST_F(Monitors, AMonitorIsOneWay) {
    monitor(target);
    watcher.tell(crash{"watcher broke"});
    rt.run_until_idle();
    EXPECT_NE(rt.node().lookup(target), nullptr);
    EXPECT_TRUE(log.empty());
}

TEST_F(Monitors, DemonitorMeansNoLaterDown) {
    auto ref = monitor(target);
    auto dropped = watcher.ask(do_demonitor{ref}, 1s);
    rt.run_until_idle();
    EXPECT_TRUE(std::move(dropped).get().value());
    target.stop();
    rt.run_until_idle();
    EXPECT_TRUE(log.empty());
    // A delivered monitor cannot be demonitored any more.
    auto other = rt.node().spawn<probe>("u", &log).value();
    auto ref2 = monitor(other);
    other.stop();
    rt.run_until_idle();
    auto again = watcher.ask(do_demonitor{ref2}, 1s);
    rt.run_until_idle();
    EXPECT_FALSE(std::move(again).get().value());
}

TEST_F(Monitors, DemonitorDropsADownAlreadyInTheMailbox) {
    // The watcher is inside a coroutine handler when the target exits: the down waits in
    // its mailbox, and the handler demonitors before it returns.
    struct busy : troupe::actor<busy, troupe::down, note> {
        troupe::address target;
        std::vector<std::string>* log;
        busy(troupe::address t, std::vector<std::string>* l) : target(t), log(l) {}
        troupe::task<void> handle(const note&) {
            auto ref = monitor(target);
            co_await sleep(10ms);  // the target exits meanwhile
            log->push_back(demonitor(ref) ? "demonitored in time" : "too late");
        }
        void handle(const troupe::down&) { log->push_back("down"); }
    };
    auto w = rt.node().spawn<busy>(target.addr(), &log).value();
    w.tell(note{"go"});
    rt.run_until_idle();
    target.stop();
    rt.run_until_idle();  // the down is queued behind the suspended handler
    rt.advance(10ms);
    rt.run_until_idle();
    EXPECT_EQ(log, (std::vector<std::string>{"demonitored in time"}));
}

TEST_F(Monitors, ADownComesAfterTheTargetsLastMessages) {
    struct last_words : troupe::actor<last_words, note> {
        troupe::address to;
        explicit last_words(troupe::address t) : to(t) {}
        void handle(const note&) {
            for (int i = 0; i < 3; ++i) tell(to, note{"last " + std::to_string(i)});
            quit();
        }
    };
    auto t = rt.node().spawn<last_words>(watcher.addr()).value();
    monitor(t);
    t.tell(note{"go"});
    rt.run_until_idle();
    EXPECT_EQ(log, (std::vector<std::string>{"w: note last 0", "w: note last 1", "w: note last 2",
                                             down_line(t, exit_reason::normal())}));
}

TEST_F(Monitors, ADownIsDeliveredEvenToAFullBoundedMailbox) {
    struct slow : troupe::actor<slow, troupe::down, note> {
        std::vector<std::string>* log;
        explicit slow(std::vector<std::string>* l) : log(l) {}
        void handle(const note& n) {
            if (n.text == "watch") monitor(target);
            log->push_back("note " + n.text);
        }
        void handle(const troupe::down& d) { log->push_back("down " + d.reason.to_string()); }
        troupe::address target;
    };
    troupe::spawn_options opts;
    opts.capacity = 1;
    auto s = rt.node().spawn_with<slow>(opts, &log).value();
    s.get()->target = target.addr();
    s.tell(note{"watch"});
    rt.run_until_idle();
    ASSERT_TRUE(s.try_tell(note{"fills the mailbox"}));
    EXPECT_EQ(s.try_tell(note{"refused"}).error().code(), troupe::errc::mailbox_full);
    target.tell(crash{"gone"});
    rt.run_until_idle();
    EXPECT_EQ(log, (std::vector<std::string>{"note watch", "note fills the mailbox",
                                             "down error{gone}"}));
}

TEST_F(Monitors, AWatcherThatExitsLeavesNothingBehindOnTheTarget) {
    // Many short-lived watchers monitor one long-lived target; none of them gets a down
    // after it is gone, and the target's exit notifies nobody stale (ASan checks the rest).
    for (int i = 0; i < 100; ++i) {
        auto w = rt.node().spawn<probe>("short-lived", &log).value();
        w.tell(do_monitor{target});
        rt.run_until_idle();  // (a stop would overtake the request)
        w.stop();
        rt.run_until_idle();
    }
    target.stop();
    rt.run_until_idle();
    EXPECT_TRUE(log.empty());
    EXPECT_EQ(rt.node().dead_letter_count(), 0u);
}

TEST(MonitorsInProcesses, AProcessReceivesDownsAndFlushDropsAStashedOne) {
    std::vector<std::string> log;
    troupe::testing::runtime rt;
    auto t1 = rt.node().spawn<probe>("t1", &log).value();
    auto t2 = rt.node().spawn<probe>("t2", &log).value();
    struct go {};
    auto p = troupe::spawn_process(rt.node(), [&](troupe::process& self) -> troupe::task<> {
                 auto r1 = self.monitor(t1);
                 auto r2 = self.monitor(t2);
                 co_await self.receive<go>();  // both downs arrive meanwhile: stashed
                 log.push_back("stashed " + std::to_string(self.stashed()));
                 log.push_back(self.demonitor(r1, troupe::demonitor_option::flush)
                                   ? "r1 live"
                                   : "r1 already delivered");
                 log.push_back("stashed " + std::to_string(self.stashed()));
                 auto d = co_await self.receive<troupe::down>();
                 log.push_back(d.ref == r2 ? "down r2 " + d.reason.to_string() : "wrong");
             }).value();
    rt.run_until_idle();
    t1.stop();
    t2.tell(crash{"t2 broke"});
    rt.run_until_idle();
    rt.node().tell(p.addr(), go{});
    rt.run_until_idle();
    EXPECT_EQ(log, (std::vector<std::string>{"stashed 2", "r1 already delivered", "stashed 1",
                                             "down r2 error{t2 broke}"}));
}

TEST(DeadLetters, MessagesToDeadActorsAreCountedAndSeenByTheHook) {
    std::vector<std::string> log;
    troupe::testing::runtime rt;
    std::vector<std::string> seen;
    rt.node().set_dead_letter_hook(
        [&](troupe::address to, std::string_view type, troupe::errc why) {
            seen.push_back(to.to_string() + " " + std::string{type} + " " +
                           std::string{troupe::to_string(why)});
        });
    auto t = rt.node().spawn<probe>("t", &log).value();
    t.stop();
    rt.run_until_idle();
    EXPECT_EQ(rt.node().dead_letter_count(), 0u);
    t.tell(note{"one"});
    rt.node().tell(t.addr(), note{"two"});
    EXPECT_EQ(rt.node().dead_letter_count(), 2u);
    ASSERT_EQ(seen.size(), 2u);
    EXPECT_NE(seen[0].find(t.addr().to_string()), std::string::npos);
    EXPECT_NE(seen[0].find("note"), std::string::npos);
}

}  // namespace

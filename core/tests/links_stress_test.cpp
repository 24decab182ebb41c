// Links and monitors racing with exits on real threads (2 workers), many iterations. The
// invariants are exact; TSan runs these too.
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include <troupe/actor.hpp>
#include <troupe/node.hpp>

using namespace std::chrono_literals;
using troupe::exit_reason;

namespace {

troupe::node_config two_workers() {
    troupe::node_config cfg;
    cfg.workers = 2;
    cfg.level = troupe::log_level::off;  // thousands of crashes by design
    return cfg;
}

struct finish {};
struct fail_now {};
struct target : troupe::actor<target, finish, fail_now> {
    void handle(finish) { quit(); }
    void handle(fail_now) { throw std::runtime_error("on purpose"); }
};

struct round_trip {
    troupe::address t;
};
struct counts_q {};
struct counts {
    int downs = 0;
    int demonitored = 0;
    int signals = 0;
};

// Monitors a target, tells it to finish and at once demonitors: the target's exit races
// with the demonitor on the other worker.
struct racer : troupe::actor<racer, round_trip, troupe::down, counts_q> {
    counts c;
    void handle(const round_trip& r) {
        auto ref = monitor(r.t);
        tell(r.t, finish{});
        if (demonitor(ref)) ++c.demonitored;
    }
    void handle(const troupe::down&) { ++c.downs; }
    counts handle(counts_q) { return c; }
};

TEST(LinksStress, ExactlyOneOfDemonitorOrDownWinsEachRace) {
    troupe::node n{two_workers()};
    auto r = n.spawn<racer>().value();
    constexpr int rounds = 3000;
    std::vector<troupe::ref<target>> targets;
    for (int i = 0; i < rounds; ++i) {
        targets.push_back(n.spawn<target>().value());
        r.tell(round_trip{targets.back()});
    }
    for (auto& t : targets) ASSERT_EQ(t.wait().get().value(), exit_reason::normal());
    // Every target has exited: its down, if any, is in the racer's mailbox before this ask.
    auto c = r.ask(counts_q{}, 10s).get().value();
    EXPECT_EQ(c.downs + c.demonitored, rounds);
}

struct link_with {
    troupe::address other;
};
struct unlink_from {
    troupe::address other;
};
// Traps exits and counts the exit signals it gets.
struct trapper : troupe::actor<trapper, link_with, unlink_from, troupe::exit_signal, counts_q> {
    counts c;
    void on_start() override { trap_exit(true); }
    void handle(const link_with& m) { link(m.other); }
    void handle(const unlink_from& m) { unlink(m.other); }
    void handle(const troupe::exit_signal&) { ++c.signals; }
    counts handle(counts_q) { return c; }
};

TEST(LinksStress, LinkingFromBothSidesAtOnceMakesOneLink) {
    troupe::node n{two_workers()};
    constexpr int rounds = 2000;
    for (int i = 0; i < rounds; ++i) {
        auto a = n.spawn<trapper>().value();
        auto b = n.spawn<trapper>().value();
        a.tell(link_with{b});
        b.tell(link_with{a});  // concurrently, on the other worker
        // Both links are made (asks come after the link requests in each mailbox).
        ASSERT_TRUE(a.ask(counts_q{}, 10s).get());
        ASSERT_TRUE(b.ask(counts_q{}, 10s).get());
        n.exit(b.addr(), exit_reason::kill());
        ASSERT_EQ(b.wait().get().value(), exit_reason::killed());
        auto c = a.ask(counts_q{}, 10s).get().value();
        ASSERT_EQ(c.signals, 1) << "round " << i;
        a.kill();
    }
}

TEST(LinksStress, UnlinkRacingAnExitNeverCrashesAndAtMostOneSignalArrives) {
    troupe::node n{two_workers()};
    constexpr int rounds = 2000;
    int signalled = 0;
    for (int i = 0; i < rounds; ++i) {
        auto a = n.spawn<trapper>().value();
        auto b = n.spawn<target>().value();
        a.tell(link_with{b});
        ASSERT_TRUE(a.ask(counts_q{}, 10s).get());
        a.tell(unlink_from{b});
        b.tell(fail_now{});  // races with the unlink
        ASSERT_EQ(b.wait().get().value(), exit_reason::error("on purpose"));
        auto c = a.ask(counts_q{}, 10s).get().value();
        ASSERT_LE(c.signals, 1);
        signalled += c.signals;
        a.kill();
    }
    // Both outcomes are legal; the test is that neither side breaks.
    EXPECT_LE(signalled, rounds);
}

struct plain : troupe::actor<plain, link_with, fail_now, counts_q> {
    void handle(const link_with& m) { link(m.other); }
    void handle(fail_now) { throw std::runtime_error("chain reaction"); }
    counts handle(counts_q) { return {}; }
};

TEST(LinksStress, LinkedChainsAllExitWhenOneCrashes) {
    // A chain of 200 non-trapping actors: one crash at the end takes every one of them down,
    // with the same reason, whichever worker each runs on.
    troupe::node n{two_workers()};
    for (int round = 0; round < 20; ++round) {
        std::vector<troupe::ref<plain>> actors;
        for (int i = 0; i < 200; ++i) actors.push_back(n.spawn<plain>().value());
        for (std::size_t i = 1; i < actors.size(); ++i) actors[i].tell(link_with{actors[i - 1]});
        for (auto& a : actors) ASSERT_TRUE(a.ask(counts_q{}, 10s).get());  // links are made
        std::vector<troupe::pending<exit_reason>> exits;
        for (auto& a : actors) exits.push_back(a.wait());
        actors.front().tell(fail_now{});
        for (auto& e : exits) {
            ASSERT_EQ(std::move(e).get().value(), exit_reason::error("chain reaction"));
        }
    }
}

}  // namespace

// Links, trap_exit and exit signals: OTP's rules, step by step on the deterministic runtime.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <troupe/actor.hpp>
#include <troupe/testing/runtime.hpp>

#include "support/signals_probe.hpp"

using namespace std::chrono_literals;
using troupe::exit_reason;
using namespace troupe::test;

namespace {

struct pair_fixture : ::testing::Test {
    std::vector<std::string> log;  // outlives the runtime
    troupe::testing::runtime rt;
    troupe::ref<probe> a = rt.node().spawn<probe>("a", &log).value();
    troupe::ref<probe> b = rt.node().spawn<probe>("b", &log).value();

    exit_reason reason_of(const troupe::ref<probe>& p) {
        auto w = p.wait();
        rt.run_until_idle();
        return std::move(w).get().value();
    }
    bool alive(const troupe::ref<probe>& p) { return rt.node().lookup(p.addr()) != nullptr; }
    std::string signal_line(const std::string& who, troupe::address from, const exit_reason& r) {
        return who + ": exit_signal " + from.to_string() + " " + r.to_string();
    }
};

using Links = pair_fixture;

TEST_F(Links, AnAbnormalExitTakesANonTrappingLinkedActorAlongWithTheSameReason) {
    a.tell(do_link{b});
    b.tell(crash{"disk full"});
    rt.run_until_idle();
    EXPECT_EQ(reason_of(b), exit_reason::error("disk full"));
    EXPECT_EQ(reason_of(a), exit_reason::error("disk full"));
    EXPECT_TRUE(log.empty());
}

TEST_F(Links, LinksGoBothWays) {
    a.tell(do_link{b});
    a.tell(crash{"a broke"});
    rt.run_until_idle();
    EXPECT_EQ(reason_of(b), exit_reason::error("a broke"));
}

TEST_F(Links, ANormalExitLeavesLinkedActorsAlone) {
    a.tell(do_link{b});
    rt.run_until_idle();
    b.stop();
    rt.run_until_idle();
    EXPECT_EQ(reason_of(b), exit_reason::normal());
    EXPECT_TRUE(alive(a));
}

TEST_F(Links, ShutdownIsAbnormalForLinks) {
    a.tell(do_link{b});
    rt.run_until_idle();
    rt.node().exit(b.addr(), exit_reason::shutdown("maintenance"));
    rt.run_until_idle();
    EXPECT_EQ(reason_of(a), exit_reason::shutdown("maintenance"));
}

TEST_F(Links, ATrappingActorReceivesExitSignalsAndLivesOn) {
    a.tell(set_trap{true});
    a.tell(do_link{b});
    rt.run_until_idle();  // (one message per step: b's crash would run between a's two)
    b.tell(crash{"boom"});
    rt.run_until_idle();
    EXPECT_TRUE(alive(a));
    EXPECT_EQ(log,
              (std::vector<std::string>{signal_line("a", b.addr(), exit_reason::error("boom"))}));
    // The normal exit of a linked actor is a signal too, for a trapping actor.
    auto c = rt.node().spawn<probe>("c", &log).value();
    a.tell(do_link{c});
    rt.run_until_idle();
    c.stop();
    rt.run_until_idle();
    EXPECT_EQ(log.back(), signal_line("a", c.addr(), exit_reason::normal()));
}

TEST_F(Links, TrappedSignalsOvertakeQueuedUserMessages) {
    a.tell(set_trap{true});
    a.tell(do_link{b});
    rt.run_until_idle();
    // a has two notes waiting when b's signal arrives.
    a.tell(note{"first"});
    a.tell(note{"second"});
    b.tell(crash{"boom"});
    ASSERT_TRUE(rt.step());  // a handles "first" (one message per step)
    ASSERT_TRUE(rt.step());  // b crashes: the signal lands in a's mailbox
    rt.run_until_idle();
    EXPECT_EQ(log, (std::vector<std::string>{"a: note first",
                                             signal_line("a", b.addr(), exit_reason::error("boom")),
                                             "a: note second"}));
}

TEST_F(Links, LinkingTwiceIsOneLink) {
    a.tell(set_trap{true});
    a.tell(do_link{b});
    a.tell(do_link{b});
    b.tell(do_link{a});
    rt.run_until_idle();
    b.tell(crash{"once"});
    rt.run_until_idle();
    EXPECT_EQ(log,
              (std::vector<std::string>{signal_line("a", b.addr(), exit_reason::error("once"))}));
}

TEST_F(Links, UnlinkCutsTheLinkForBothSides) {
    a.tell(do_link{b});
    a.tell(do_unlink{b});
    rt.run_until_idle();
    b.tell(crash{"boom"});
    rt.run_until_idle();
    EXPECT_TRUE(alive(a));
    auto c = rt.node().spawn<probe>("c", &log).value();
    c.tell(do_link{a});
    rt.run_until_idle();
    c.tell(do_unlink{a});
    rt.run_until_idle();
    a.tell(crash{"later"});
    rt.run_until_idle();
    EXPECT_TRUE(alive(c));
}

TEST_F(Links, LinkingToADeadActorDeliversNoprocAtOnce) {
    b.stop();
    rt.run_until_idle();
    a.tell(set_trap{true});
    a.tell(do_link{b});
    rt.run_until_idle();
    EXPECT_EQ(log, (std::vector<std::string>{signal_line("a", b.addr(), exit_reason::noproc())}));
    // Without trapping, noproc ends the actor.
    auto c = rt.node().spawn<probe>("c", &log).value();
    c.tell(do_link{b});
    rt.run_until_idle();
    EXPECT_EQ(reason_of(c), exit_reason::noproc());
}

TEST_F(Links, LinkingToAnAddressThatNeverExistedDeliversNoproc) {
    troupe::address nobody = rt.node().net().at(999'999);
    a.tell(do_link{nobody});
    rt.run_until_idle();
    EXPECT_EQ(reason_of(a), exit_reason::noproc());
}

TEST_F(Links, KillCannotBeTrappedAndShowsAsKilledToLinkedActors) {
    a.tell(set_trap{true});
    b.tell(set_trap{true});
    a.tell(do_link{b});
    rt.run_until_idle();
    rt.node().exit(b.addr(), exit_reason::kill());
    rt.run_until_idle();
    EXPECT_EQ(reason_of(b), exit_reason::killed());
    EXPECT_EQ(log, (std::vector<std::string>{signal_line("a", b.addr(), exit_reason::killed())}));
    // node::kill is the same signal.
    auto c = rt.node().spawn<probe>("c", &log).value();
    c.tell(set_trap{true});
    c.tell(do_link{a});
    rt.run_until_idle();
    a.kill();
    rt.run_until_idle();
    EXPECT_EQ(reason_of(a), exit_reason::killed());
    EXPECT_EQ(log.back(), signal_line("c", a.addr(), exit_reason::killed()));
}

TEST_F(Links, ALinkedActorExitingWithReasonKillIsTrappable) {
    // Only exit(addr, kill) is untrappable; a link carrying `kill` is an ordinary signal.
    struct quitter : troupe::actor<quitter, note> {
        void handle(const note&) { quit(exit_reason::kill()); }
    };
    auto q = rt.node().spawn<quitter>().value();
    a.tell(set_trap{true});
    a.tell(do_link{q.addr()});
    rt.run_until_idle();
    q.tell(note{"go"});
    rt.run_until_idle();
    EXPECT_TRUE(alive(a));
    EXPECT_EQ(log, (std::vector<std::string>{signal_line("a", q.addr(), exit_reason::kill())}));
}

TEST_F(Links, ExitSignalsFollowOtpRules) {
    // Normal: ignored by a non-trapping actor, delivered to a trapping one.
    rt.node().exit(a.addr(), exit_reason::normal());
    rt.run_until_idle();
    EXPECT_TRUE(alive(a));
    b.tell(set_trap{true});
    a.tell(do_exit{b.addr(), exit_reason::normal()});
    rt.run_until_idle();
    EXPECT_EQ(log, (std::vector<std::string>{signal_line("b", a.addr(), exit_reason::normal())}));
    // Any other reason ends a non-trapping actor with it, and is trappable.
    a.tell(do_exit{b.addr(), exit_reason::error("go away")});
    rt.run_until_idle();
    EXPECT_EQ(log.back(), signal_line("b", a.addr(), exit_reason::error("go away")));
    b.tell(do_exit{a.addr(), exit_reason::shutdown()});
    rt.run_until_idle();
    EXPECT_EQ(reason_of(a), exit_reason::shutdown());
    EXPECT_TRUE(alive(b));
}

TEST_F(Links, ExitSelfNormalEndsTheActor) {
    a.tell(do_exit{a.addr(), exit_reason::normal()});
    rt.run_until_idle();
    EXPECT_EQ(reason_of(a), exit_reason::normal());
}

TEST_F(Links, SpawnLinkLinksTheChildBeforeItRuns) {
    auto child = a.ask(spawn_child{}, 1s);
    rt.run_until_idle();
    auto c = std::move(child).get().value();
    ASSERT_TRUE(c);
    EXPECT_EQ(rt.node().lookup(c)->parent(), a.addr());
    // The child's crash takes the parent down.
    rt.node().tell(c, crash{"child broke"});
    rt.run_until_idle();
    EXPECT_EQ(reason_of(a), exit_reason::error("child broke"));
}

TEST_F(Links, ASpawnedChildDiesWithItsParent) {
    auto child = a.ask(spawn_child{}, 1s);
    rt.run_until_idle();
    auto c = std::move(child).get().value();
    auto child_exit = rt.node().wait(c);
    a.tell(crash{"parent broke"});
    rt.run_until_idle();
    EXPECT_EQ(std::move(child_exit).get().value(), exit_reason::error("parent broke"));
}

TEST(LinksOutsideActors, SpawnLinkOutsideAnActorIsAnError) {
    std::vector<std::string> log;
    troupe::testing::runtime rt;
    troupe::spawn_options opts;
    opts.link = true;
    auto r = rt.node().spawn_with<probe>(opts, "orphan", &log);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code(), troupe::errc::invalid_argument);
    EXPECT_NE(r.error().reason().find("inside an actor"), std::string::npos);
    EXPECT_EQ(rt.node().actor_count(), 0u);
}

// A parent that waits for its child's acknowledgement.
struct ack_child : troupe::actor<ack_child, note> {
    bool ack_in_start;
    explicit ack_child(bool in_start) : ack_in_start(in_start) {}
    void on_start() override {
        if (ack_in_start) init_done();
    }
    void handle(const note&) { init_done(); }
};
struct ack_parent : troupe::actor<ack_parent, note> {
    std::vector<std::string>* log;
    explicit ack_parent(std::vector<std::string>* l) : log(l) {}
    troupe::address child;
    void handle(const note& n) {
        child = spawn_link<ack_child>(n.text == "in start").value().addr();
    }
    void on_init_done(troupe::address c) override {
        log->push_back(c == child ? "acknowledged by the child" : "acknowledged by a stranger");
    }
};

TEST(LinksInitDone, InitDoneReachesTheParentsHook) {
    std::vector<std::string> log;
    troupe::testing::runtime rt;
    auto p = rt.node().spawn<ack_parent>(&log).value();
    p.tell(note{"in start"});
    rt.run_until_idle();
    EXPECT_EQ(log, (std::vector<std::string>{"acknowledged by the child"}));
    p.tell(note{"later"});
    rt.run_until_idle();
    EXPECT_EQ(log.size(), 1u);  // not yet
    rt.node().tell(p.get()->child, note{"now"});
    rt.run_until_idle();
    EXPECT_EQ(log.size(), 2u);
    // Without a parent, init_done does nothing.
    auto orphan = rt.node().spawn<ack_child>(true);
    EXPECT_TRUE(orphan);
}

}  // namespace

namespace {

struct early_trapper : troupe::actor<early_trapper, note> {
    void on_start() override { trap_exit(true); }
    void handle(const note&) {}
};

TEST(LinksRegistry, ATrappingActorWhoseNameIsTakenDoesNotLiveOn) {
    troupe::testing::runtime rt;
    troupe::spawn_options opts;
    opts.register_as = "svc";
    auto first = rt.node().spawn_with<early_trapper>(opts);
    ASSERT_TRUE(first);
    auto second = rt.node().spawn_with<early_trapper>(opts);
    ASSERT_FALSE(second);
    EXPECT_EQ(second.error().code(), troupe::errc::duplicate_name);
    rt.run_until_idle();
    EXPECT_EQ(rt.node().actor_count(), 1u);
}

}  // namespace

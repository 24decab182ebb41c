// Supervisors, OTP's rules step by step on the deterministic runtime (virtual time): restart
// intensity, strategies, restart types, shutdown policies, nested supervisors, start.
// supervisor_api_test.cpp has the runtime API, acknowledgements and exit signals;
// supervisor_stress_test.cpp the threaded tests.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <troupe/supervisor.hpp>

#include "support/supervised_actors.hpp"

using namespace std::chrono_literals;
using namespace troupe::test::supervised;
using troupe::address;
using troupe::child_info;
using troupe::child_spec;
using troupe::child_type;
using troupe::errc;
using troupe::exit_reason;
using troupe::restart_strategy;
using troupe::restart_type;
using troupe::shutdown_policy;
using troupe::supervisor_ref;
using troupe::supervisor_spec;

namespace {

using Supervisor = supervision_fixture;

// --- restart intensity ---------------------------------------------------------------------

TEST_F(Supervisor, RestartsACrashingWorkerUpToTheIntensityThenExitsShutdown) {
    auto sup = start({.strategy = restart_strategy::one_for_one,
                      .max_restarts = 3,
                      .period = 5s,
                      .children = {rec("a", &events)}});
    auto sup_exit = sup.wait();
    address previous = addr_of(sup, "a");
    std::vector<address> seen{previous};
    for (int i = 1; i <= 3; ++i) {
        crash_child(previous);
        address now = addr_of(sup, "a");
        ASSERT_TRUE(now) << "restart " << i;
        for (address old : seen) EXPECT_NE(now, old) << "restart " << i << " reused an address";
        EXPECT_FALSE(alive(previous));
        // The restarted child works.
        EXPECT_EQ(settle(node.ask<std::string>(now, get_label{}, 1s)).value(), "a");
        seen.push_back(now);
        previous = now;
    }
    EXPECT_FALSE(sup_exit.is_ready());
    crash_child(previous);  // the fourth restart within 5 s is one too many
    ASSERT_TRUE(sup_exit.is_ready());
    EXPECT_EQ(std::move(sup_exit).get().value(), exit_reason::shutdown());
    EXPECT_EQ(events, (events_t{"start a", "stop a error{boom}", "start a", "stop a error{boom}",
                                "start a", "stop a error{boom}", "start a", "stop a error{boom}"}));
    EXPECT_EQ(node.actor_count(), 0u);
}

TEST_F(Supervisor, CrashesSpreadOverMoreThanThePeriodDoNotAccumulate) {
    auto sup = start({.max_restarts = 1, .period = 5s, .children = {rec("a", &events)}});
    auto sup_exit = sup.wait();
    crash_child(addr_of(sup, "a"));  // t = 0: restart 1 of 1
    rt.advance(6s);
    crash_child(addr_of(sup, "a"));  // t = 6 s: the one at 0 is forgotten
    rt.advance(6s);
    crash_child(addr_of(sup, "a"));  // t = 12 s
    EXPECT_FALSE(sup_exit.is_ready());
    EXPECT_TRUE(alive(addr_of(sup, "a")));
    rt.advance(4s);
    crash_child(addr_of(sup, "a"));  // t = 16 s: two within 5 s
    ASSERT_TRUE(sup_exit.is_ready());
    EXPECT_EQ(std::move(sup_exit).get().value(), exit_reason::shutdown());
}

TEST_F(Supervisor, ARestartExactlyOnePeriodAgoStillCounts) {
    // OTP keeps restarts with Restart >= Now - Period.
    auto sup = start({.max_restarts = 1, .period = 5s, .children = {rec("a", &events)}});
    auto sup_exit = sup.wait();
    crash_child(addr_of(sup, "a"));
    rt.advance(5s);
    crash_child(addr_of(sup, "a"));
    ASSERT_TRUE(sup_exit.is_ready());
    EXPECT_EQ(std::move(sup_exit).get().value(), exit_reason::shutdown());
}

TEST_F(Supervisor, ZeroRestartsMeansTheFirstCrashEscalates) {
    auto sup = start({.max_restarts = 0, .children = {rec("a", &events), rec("b", &events)}});
    auto sup_exit = sup.wait();
    events.clear();
    crash_child(addr_of(sup, "a"));
    EXPECT_EQ(events, (events_t{"stop a error{boom}", "stop b shutdown"}));
    EXPECT_EQ(std::move(sup_exit).get().value(), exit_reason::shutdown());
}

// --- strategies ----------------------------------------------------------------------------

TEST_F(Supervisor, OneForOneRestartsOnlyTheCrashedChild) {
    auto sup = start({.children = {rec("a", &events), rec("b", &events), rec("c", &events)}});
    auto before = children(sup);
    events.clear();
    crash_child(before[1].addr);
    EXPECT_EQ(events, (events_t{"stop b error{boom}", "start b"}));
    auto after = children(sup);
    EXPECT_EQ(after[0], before[0]);
    EXPECT_NE(after[1].addr, before[1].addr);
    EXPECT_EQ(after[2], before[2]);
}

TEST_F(Supervisor, RestForOneRestartsTheCrashedChildAndTheLaterOnesInOrder) {
    auto sup = start(
        {.strategy = restart_strategy::rest_for_one,
         .max_restarts = 5,
         .children = {rec("a", &events), rec("b", &events), rec("c", &events), rec("d", &events)}});
    auto before = children(sup);
    events.clear();
    crash_child(before[1].addr);
    // The later siblings stop last-started first; then b, c, d start in order.
    EXPECT_EQ(events, (events_t{"stop b error{boom}", "stop d shutdown", "stop c shutdown",
                                "start b", "start c", "start d"}));
    auto after = children(sup);
    EXPECT_EQ(after[0], before[0]);  // a untouched
    for (std::size_t i = 1; i < 4; ++i) {
        EXPECT_EQ(after[i].id, before[i].id);
        EXPECT_NE(after[i].addr, before[i].addr);
        EXPECT_TRUE(alive(after[i].addr));
    }
    // The last child crashing restarts only itself.
    events.clear();
    crash_child(after[3].addr);
    EXPECT_EQ(events, (events_t{"stop d error{boom}", "start d"}));
}

TEST_F(Supervisor, OneForAllStopsTheOthersInReverseOrderAndRestartsAll) {
    auto sup = start({.strategy = restart_strategy::one_for_all,
                      .children = {rec("a", &events), rec("b", &events), rec("c", &events)}});
    auto before = children(sup);
    events.clear();
    crash_child(before[1].addr);
    EXPECT_EQ(events, (events_t{"stop b error{boom}", "stop c shutdown", "stop a shutdown",
                                "start a", "start b", "start c"}));
    auto after = children(sup);
    ASSERT_EQ(after.size(), 3u);
    for (std::size_t i = 0; i < 3; ++i) {
        EXPECT_EQ(after[i].id, before[i].id);
        EXPECT_NE(after[i].addr, before[i].addr);
    }
}

TEST_F(Supervisor, OneForAllForgetsTemporarySiblingsInsteadOfRestartingThem) {
    auto sup = start(
        {.strategy = restart_strategy::one_for_all,
         .children = {rec("a", &events), rec("t", &events).with_restart(restart_type::temporary),
                      rec("c", &events)}});
    events.clear();
    crash_child(addr_of(sup, "c"));
    EXPECT_EQ(events, (events_t{"stop c error{boom}", "stop t shutdown", "stop a shutdown",
                                "start a", "start c"}));
    auto after = children(sup);
    ASSERT_EQ(after.size(), 2u);
    EXPECT_EQ(after[0].id, "a");
    EXPECT_EQ(after[1].id, "c");
}

// --- restart types -------------------------------------------------------------------------

TEST_F(Supervisor, TransientChildrenAreRestartedOnlyAfterAnAbnormalExit) {
    auto sup = start({.max_restarts = 10,
                      .children = {rec("t", &events).with_restart(restart_type::transient)}});
    address t = addr_of(sup, "t");
    events.clear();
    node.tell(t, finish{exit_reason::normal()});
    rt.run_until_idle();
    EXPECT_EQ(events, (events_t{"stop t normal"}));
    // Not restarted, still known: a null address.
    EXPECT_EQ(
        children(sup),
        (std::vector<child_info>{{"t", address{}, child_type::worker, restart_type::transient}}));

    t = settle(sup.restart_child("t")).value();
    events.clear();
    node.tell(t, finish{exit_reason::shutdown("maintenance")});  // shutdown{..}: orderly too
    rt.run_until_idle();
    EXPECT_EQ(events, (events_t{"stop t shutdown{maintenance}"}));
    EXPECT_FALSE(addr_of(sup, "t"));

    t = settle(sup.restart_child("t")).value();
    events.clear();
    crash_child(t);
    EXPECT_EQ(events, (events_t{"stop t error{boom}", "start t"}));
    EXPECT_TRUE(alive(addr_of(sup, "t")));
}

TEST_F(Supervisor, PermanentChildrenAreRestartedEvenAfterANormalExit) {
    auto sup = start({.children = {rec("p", &events)}});
    address p = addr_of(sup, "p");
    events.clear();
    node.tell(p, finish{exit_reason::normal()});
    rt.run_until_idle();
    EXPECT_EQ(events, (events_t{"stop p normal", "start p"}));
}

TEST_F(Supervisor, TemporaryChildrenAreNeverRestartedAndDisappear) {
    auto sup = start({.children = {rec("a", &events),
                                   rec("tmp", &events).with_restart(restart_type::temporary)}});
    events.clear();
    crash_child(addr_of(sup, "tmp"));
    EXPECT_EQ(events, (events_t{"stop tmp error{boom}"}));
    auto left = children(sup);
    ASSERT_EQ(left.size(), 1u);
    EXPECT_EQ(left[0].id, "a");
    EXPECT_EQ(settle(sup.restart_child("tmp")).error().code(), errc::not_found);
}

// --- shutdown policies ---------------------------------------------------------------------

TEST_F(Supervisor, AChildIgnoringShutdownIsKilledWhenItsTimeoutElapses) {
    auto sup = start({.children = {child_spec::worker<defiant>("s", std::string{"s"}, &events)
                                       .with_shutdown(shutdown_policy::timeout(1s))}});
    address s = addr_of(sup, "s");
    events.clear();
    auto done = sup.terminate_child("s");
    rt.run_until_idle();
    EXPECT_EQ(events, (events_t{"s ignores shutdown"}));
    EXPECT_FALSE(done.is_ready());
    rt.advance(999ms);
    EXPECT_TRUE(alive(s)) << "killed before its shutdown timeout";
    EXPECT_FALSE(done.is_ready());
    rt.advance(1ms);
    EXPECT_FALSE(alive(s));
    EXPECT_EQ(events, (events_t{"s ignores shutdown", "stop s killed"}));
    ASSERT_TRUE(done.is_ready());
    EXPECT_TRUE(std::move(done).get().has_value());
    EXPECT_FALSE(addr_of(sup, "s"));
}

TEST_F(Supervisor, BrutalKillKillsAtOnce) {
    auto sup = start({.children = {child_spec::worker<defiant>("k", std::string{"k"}, &events)
                                       .with_shutdown(shutdown_policy::brutal_kill())}});
    events.clear();
    EXPECT_TRUE(settle(sup.terminate_child("k")).has_value());
    EXPECT_EQ(events, (events_t{"stop k killed"}));
}

TEST_F(Supervisor, AWorkerThatStopsWithinItsTimeoutIsNotKilled) {
    auto sup = start({.children = {rec("a", &events)}});  // default: timeout(5 s)
    events.clear();
    EXPECT_TRUE(settle(sup.terminate_child("a")).has_value());
    EXPECT_EQ(events, (events_t{"stop a shutdown"}));
}

// --- nested supervisors --------------------------------------------------------------------

TEST_F(Supervisor, AnInnerSupervisorOverItsIntensityEscalatesAndTheOuterRestartsIt) {
    supervisor_spec inner{.max_restarts = 1, .children = {rec("a", &events)}};
    auto outer = start({.max_restarts = 1, .children = {child_spec::supervisor("inner", inner)}});
    auto outer_exit = outer.wait();
    auto first = children(outer);
    ASSERT_EQ(first.size(), 1u);
    EXPECT_EQ(first[0].type, child_type::supervisor);
    supervisor_ref inner1{node, first[0].addr};
    auto inner1_exit = inner1.wait();
    crash_child(addr_of(inner1, "a"));  // restart 1 of 1 for the inner supervisor
    events.clear();
    crash_child(addr_of(inner1, "a"));  // one too many: the inner one exits shutdown...
    ASSERT_TRUE(inner1_exit.is_ready());
    EXPECT_EQ(std::move(inner1_exit).get().value(), exit_reason::shutdown());
    // ...and the outer one restarts it (a permanent supervisor child), with a fresh "a".
    EXPECT_EQ(events, (events_t{"stop a error{boom}", "start a"}));
    EXPECT_FALSE(outer_exit.is_ready());
    supervisor_ref inner2{node, addr_of(outer, "inner")};
    EXPECT_NE(inner2.addr(), inner1.addr());
    EXPECT_TRUE(alive(inner2.addr()));
    EXPECT_TRUE(alive(addr_of(inner2, "a")));
}

TEST_F(Supervisor, TheOuterSupervisorEscalatesTooWhenItsOwnIntensityIsExceeded) {
    supervisor_spec inner{.max_restarts = 0, .children = {rec("a", &events)}};
    auto outer =
        start({.max_restarts = 0,
               .children = {rec("first", &events), child_spec::supervisor("inner", inner)}});
    auto outer_exit = outer.wait();
    supervisor_ref in{node, addr_of(outer, "inner")};
    events.clear();
    crash_child(addr_of(in, "a"));
    ASSERT_TRUE(outer_exit.is_ready());
    EXPECT_EQ(std::move(outer_exit).get().value(), exit_reason::shutdown());
    EXPECT_EQ(events, (events_t{"stop a error{boom}", "stop first shutdown"}));
    EXPECT_EQ(node.actor_count(), 0u);
}

TEST_F(Supervisor, ANestedSupervisorCountsAsStartedOnceItsChildrenHaveStarted) {
    // The inner supervisor's child acknowledges after 100 ms: the outer waits for the inner
    // tree before starting "after".
    supervisor_spec inner{
        .children = {child_spec::worker<acker>("slow", std::string{"slow"}, troupe::duration{100ms},
                                               false, &events)
                         .with_start_timeout(1s)}};
    auto started = troupe::start_supervisor(
        node, {.children = {child_spec::supervisor("inner", inner), rec("after", &events)}});
    rt.run_until_idle();
    EXPECT_FALSE(started.is_ready());
    EXPECT_EQ(events, (events_t{"start slow"}));
    rt.advance(100ms);
    ASSERT_TRUE(started.is_ready());
    EXPECT_TRUE(std::move(started).get().has_value());
    EXPECT_EQ(events, (events_t{"start slow", "start after"}));
}

// --- start -----------------------------------------------------------------------------------

TEST_F(Supervisor, AFailingChildAbortsTheStartAndTheStartedOnesStopInReverseOrder) {
    auto started = troupe::start_supervisor(
        node, {.children = {rec("a", &events), rec("b", &events), child_spec::worker<failing>("db"),
                            rec("c", &events)}});
    auto r = settle(std::move(started));
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code(), errc::start_failed);
    EXPECT_NE(r.error().reason().find("child 'db' failed to start"), std::string::npos)
        << r.error().reason();
    EXPECT_NE(r.error().reason().find("no database"), std::string::npos) << r.error().reason();
    EXPECT_EQ(events, (events_t{"start a", "start b", "stop b shutdown", "stop a shutdown"}));
    EXPECT_EQ(node.actor_count(), 0u);
}

TEST_F(Supervisor, TheSecondChildFailingStopsTheFirstAndNeverStartsTheThird) {
    auto r = settle(troupe::start_supervisor(
        node, {.children = {rec("first", &events), child_spec::worker<failing>("second"),
                            rec("third", &events)}}));
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code(), errc::start_failed);
    EXPECT_NE(r.error().reason().find("could not start its children: child 'second' failed to "
                                      "start: start failed: second at <"),
              std::string::npos)
        << r.error().reason();
    EXPECT_NE(r.error().reason().find("failed to start: no database"), std::string::npos)
        << r.error().reason();
    EXPECT_EQ(events, (events_t{"start first", "stop first shutdown"}));
}

TEST_F(Supervisor, TheFailedSupervisorExitsWithShutdownNamingTheChild) {
    events_t parent_events;
    auto parent = node.spawn<parent_probe>(&parent_events).value();
    auto sup =
        settle(parent.ask(
                   spawn_sup{{.children = {rec("a", &events), child_spec::worker<failing>("db")}}},
                   1s))
            .value();
    rt.run_until_idle();
    EXPECT_FALSE(alive(sup));
    ASSERT_EQ(parent_events.size(), 1u);
    EXPECT_EQ(
        parent_events[0].rfind("parent: exit_signal shutdown{child 'db' failed to start: ", 0), 0u)
        << parent_events[0];
}

TEST_F(Supervisor, AnInvalidSpecFailsTheStartSayingWhy) {
    auto dup = settle(
        troupe::start_supervisor(node, {.children = {rec("a", &events), rec("a", &events)}}));
    ASSERT_FALSE(dup.has_value());
    EXPECT_EQ(dup.error().code(), errc::start_failed);
    EXPECT_NE(dup.error().reason().find("two children have the id 'a'"), std::string::npos)
        << dup.error().reason();
    auto neg = settle(troupe::start_supervisor(node, {.max_restarts = -1}));
    ASSERT_FALSE(neg.has_value());
    EXPECT_NE(neg.error().reason().find("max_restarts is -1"), std::string::npos);
}

TEST_F(Supervisor, AStartFunctionThatReturnsNullIsIgnored) {
    child_spec nothing{.id = "nothing",
                       .start = [](troupe::node&) -> troupe::result<address> { return address{}; }};
    auto sup = start({.children = {nothing, rec("a", &events)}});
    auto kids = children(sup);
    ASSERT_EQ(kids.size(), 2u);
    EXPECT_EQ(kids[0].id, "nothing");
    EXPECT_FALSE(kids[0].addr);
}

TEST_F(Supervisor, ARegisteredChildIsRegisteredAgainWhenRestarted) {
    troupe::spawn_options named;
    named.register_as = "server";
    auto sup = start({.children = {child_spec::worker_with<recorder>(
                          "srv", named, std::string{"srv"}, &events)}});
    address first = addr_of(sup, "srv");
    EXPECT_EQ(node.whereis("server"), first);
    crash_child(first);
    address second = addr_of(sup, "srv");
    EXPECT_NE(second, first);
    EXPECT_EQ(node.whereis("server"), second);
}

TEST_F(Supervisor, AChildSpawnedWithoutALinkIsLinkedBySupervisorAnyway) {
    child_spec loose{.id = "loose", .start = [this](troupe::node& n) -> troupe::result<address> {
                         return n.spawn<recorder>(std::string{"loose"}, &events).value().addr();
                     }};
    auto sup = start({.children = {loose}});
    events.clear();
    crash_child(addr_of(sup, "loose"));
    EXPECT_EQ(events, (events_t{"stop loose error{boom}", "start loose"}));
}

}  // namespace

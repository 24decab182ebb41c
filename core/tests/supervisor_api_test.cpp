// Supervisors on the deterministic runtime: starts with acknowledgement, the runtime API
// (start/terminate/restart/delete_child, which_children, count_children), exit signals from
// the parent and from strangers, graceful stops, kills, and the logs.
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>

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

using SupervisorApi = supervision_fixture;

// --- start with acknowledgement --------------------------------------------------------------

TEST_F(SupervisorApi, AStartWithAcknowledgementWaitsForInitDone) {
    auto sup = start({});
    auto started = sup.start_child(ack("x", 300ms, false, &events, 1s));
    auto listing = sup.which_children();  // requests wait while a child starts
    rt.run_until_idle();
    EXPECT_FALSE(started.is_ready());
    EXPECT_FALSE(listing.is_ready());
    rt.advance(299ms);
    EXPECT_FALSE(started.is_ready());
    rt.advance(1ms);
    ASSERT_TRUE(started.is_ready());
    address x = std::move(started).get().value();
    ASSERT_TRUE(listing.is_ready());
    EXPECT_EQ(std::move(listing).get().value(),
              (std::vector<child_info>{{"x", x, child_type::worker, restart_type::permanent}}));
    // Acknowledging from the start hook works too.
    EXPECT_TRUE(settle(sup.start_child(ack("y", troupe::duration::zero(), false, &events, 1s)))
                    .has_value());
}

TEST_F(SupervisorApi, AChildThatDoesNotAcknowledgeInTimeIsKilledAndTheStartTimesOut) {
    auto sup = start({});
    auto started = sup.start_child(ack("mute", troupe::duration::max(), false, &events, 50ms));
    rt.run_until_idle();
    rt.advance(49ms);
    EXPECT_FALSE(started.is_ready());
    EXPECT_EQ(events, (events_t{"start mute"}));
    rt.advance(1ms);
    ASSERT_TRUE(started.is_ready());
    auto r = std::move(started).get();
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code(), errc::timeout);
    EXPECT_NE(r.error().reason().find("child 'mute'"), std::string::npos) << r.error().reason();
    EXPECT_NE(r.error().reason().find("50ms"), std::string::npos) << r.error().reason();
    EXPECT_EQ(events, (events_t{"start mute", "stop mute killed"}));
    EXPECT_TRUE(children(sup).empty());
}

TEST_F(SupervisorApi, AChildThatExitsBeforeAcknowledgingFailsTheStartWithItsReason) {
    auto sup = start({});
    auto started = sup.start_child(ack("flaky", 1s, true, &events, 1s));
    rt.run_until_idle();
    rt.advance(10ms);
    ASSERT_TRUE(started.is_ready());
    auto r = std::move(started).get();
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code(), errc::start_failed);
    EXPECT_NE(r.error().reason().find("child 'flaky'"), std::string::npos);
    EXPECT_NE(r.error().reason().find("error{no config}"), std::string::npos) << r.error().reason();
    EXPECT_TRUE(children(sup).empty());
    EXPECT_TRUE(alive(sup.addr()));
}

TEST_F(SupervisorApi, AnAcknowledgementTimeoutDuringTheStartFailsTheSupervisor) {
    auto started = troupe::start_supervisor(
        node, {.children = {rec("a", &events),
                            ack("mute", troupe::duration::max(), false, &events, 50ms)}});
    rt.run_until_idle();
    rt.advance(50ms);
    ASSERT_TRUE(started.is_ready());
    auto r = std::move(started).get();
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code(), errc::start_failed);
    EXPECT_NE(r.error().reason().find("child 'mute'"), std::string::npos) << r.error().reason();
    EXPECT_NE(r.error().reason().find("did not call init_done() within 50ms"), std::string::npos)
        << r.error().reason();
    EXPECT_EQ(events, (events_t{"start a", "start mute", "stop mute killed", "stop a shutdown"}));
}

// --- the runtime API -------------------------------------------------------------------------

TEST_F(SupervisorApi, StartChildAddsAChildOrSaysWhyNot) {
    auto sup = start({.children = {rec("a", &events)}});
    address a = addr_of(sup, "a");
    address b = settle(sup.start_child(rec("b", &events))).value();
    EXPECT_EQ(children(sup),
              (std::vector<child_info>{{"a", a, child_type::worker, restart_type::permanent},
                                       {"b", b, child_type::worker, restart_type::permanent}}));

    auto dup = settle(sup.start_child(rec("a", &events)));
    ASSERT_FALSE(dup.has_value());
    EXPECT_EQ(dup.error().code(), errc::duplicate_name);
    EXPECT_EQ(dup.error().reason(), "child 'a' is already started, at " + a.to_string());

    EXPECT_TRUE(settle(sup.terminate_child("b")).has_value());
    auto present = settle(sup.start_child(rec("b", &events)));
    ASSERT_FALSE(present.has_value());
    EXPECT_EQ(present.error().code(), errc::duplicate_name);
    EXPECT_NE(present.error().reason().find("already present"), std::string::npos);

    auto bad = settle(sup.start_child(child_spec{}));
    ASSERT_FALSE(bad.has_value());
    EXPECT_EQ(bad.error().code(), errc::invalid_argument);

    auto fails = settle(sup.start_child(child_spec::worker<failing>("db")));
    ASSERT_FALSE(fails.has_value());
    EXPECT_EQ(fails.error().code(), errc::start_failed);
    EXPECT_NE(fails.error().reason().find("child 'db' failed to start"), std::string::npos);
    EXPECT_FALSE(addr_of(sup, "db"));
    EXPECT_EQ(children(sup).size(), 2u);
}

TEST_F(SupervisorApi, TerminateRestartAndDeleteChildFollowOtp) {
    auto sup = start({.children = {rec("a", &events), rec("b", &events)}});
    address b = addr_of(sup, "b");

    auto running = settle(sup.restart_child("b"));
    ASSERT_FALSE(running.has_value());
    EXPECT_EQ(running.error().code(), errc::invalid_argument);
    EXPECT_EQ(running.error().reason(),
              "child 'b' is running, at " + b.to_string() + "; terminate_child it first");
    auto del_running = settle(sup.delete_child("b"));
    ASSERT_FALSE(del_running.has_value());
    EXPECT_EQ(del_running.error().code(), errc::invalid_argument);

    events.clear();
    EXPECT_TRUE(settle(sup.terminate_child("b")).has_value());
    EXPECT_EQ(events, (events_t{"stop b shutdown"}));
    EXPECT_FALSE(addr_of(sup, "b"));
    EXPECT_TRUE(settle(sup.terminate_child("b")).has_value()) << "terminating twice is fine";

    address b2 = settle(sup.restart_child("b")).value();
    EXPECT_NE(b2, b);
    EXPECT_EQ(addr_of(sup, "b"), b2);
    EXPECT_EQ(settle(node.ask<std::string>(b2, get_label{}, 1s)).value(), "b");

    EXPECT_TRUE(settle(sup.terminate_child("b")).has_value());
    EXPECT_TRUE(settle(sup.delete_child("b")).has_value());
    EXPECT_EQ(children(sup).size(), 1u);

    for (auto r : {settle(sup.terminate_child("b")), settle(sup.delete_child("b"))}) {
        ASSERT_FALSE(r.has_value());
        EXPECT_EQ(r.error().code(), errc::not_found);
        EXPECT_EQ(r.error().reason(), "the supervisor has no child with id 'b'");
    }
    auto missing = settle(sup.restart_child("zzz"));
    ASSERT_FALSE(missing.has_value());
    EXPECT_EQ(missing.error().code(), errc::not_found);
}

TEST_F(SupervisorApi, TerminatingATemporaryChildForgetsIt) {
    auto sup = start({.children = {rec("t", &events).with_restart(restart_type::temporary)}});
    EXPECT_TRUE(settle(sup.terminate_child("t")).has_value());
    EXPECT_TRUE(children(sup).empty());
}

TEST_F(SupervisorApi, CountChildrenCountsSpecsActiveChildrenAndTypes) {
    auto sup =
        start({.children = {rec("a", &events), rec("b", &events),
                            child_spec::supervisor("inner", {.children = {rec("c", &events)}})}});
    EXPECT_EQ(settle(sup.count_children()).value(),
              (troupe::child_counts{.specs = 3, .active = 3, .supervisors = 1, .workers = 2}));
    EXPECT_TRUE(settle(sup.terminate_child("b")).has_value());
    EXPECT_EQ(settle(sup.count_children()).value(),
              (troupe::child_counts{.specs = 3, .active = 2, .supervisors = 1, .workers = 2}));
}

// From inside an actor: start a supervisor linked to it, then use the API, all co_awaited.
struct build_tree {
    events_t* events;
};
struct manager : troupe::actor<manager, build_tree, troupe::exit_signal> {
    void on_start() override { trap_exit(true); }
    troupe::task<std::string> handle(build_tree m) {
        troupe::spawn_options linked;
        linked.link = true;
        supervisor_spec spec{.children = {rec("a", m.events)}};
        auto starting = troupe::start_supervisor(home(), std::move(spec), linked);
        troupe::result<supervisor_ref> sup = co_await starting;
        if (!sup) co_return "start: " + sup.error().message();
        auto adding = sup->start_child(rec("b", m.events));
        troupe::result<address> b = co_await adding;
        if (!b) co_return "start_child: " + b.error().message();
        auto listing = sup->which_children();
        auto kids = co_await listing;
        auto refused = sup->delete_child("a");
        troupe::result<void> deleted = co_await refused;
        co_return std::to_string(kids->size()) + " children, " + kids->at(1).id + " at " +
            (kids->at(1).addr == *b ? "the address start_child gave" : "another address") +
            "; delete_child(a): " + deleted.error().message();
    }
    void handle(const troupe::exit_signal&) {}
};

TEST_F(SupervisorApi, WorksFromInsideAnActorWithCoAwait) {
    auto m = node.spawn<manager>().value();
    auto r = settle(m.ask(build_tree{&events}, 1s));
    const std::string expected =
        "2 children, b at the address start_child gave; delete_child(a): "
        "invalid argument: child 'a' is running, at <";
    EXPECT_EQ(r.value().rfind(expected, 0), 0u) << r.value();
}

// --- exit signals, stop, kill ----------------------------------------------------------------

TEST_F(SupervisorApi, ItsParentsExitSignalStopsTheChildrenInReverseOrderThenTheSupervisor) {
    events_t parent_events;
    auto parent = node.spawn<parent_probe>(&parent_events).value();
    address sup = settle(parent.ask(spawn_sup{{.children = {rec("a", &events), rec("b", &events),
                                                            rec("c", &events)}}},
                                    1s))
                      .value();
    rt.run_until_idle();
    auto sup_exit = node.wait(sup);
    events.clear();
    parent.tell(send_exit{sup, exit_reason::shutdown()});
    rt.run_until_idle();
    EXPECT_EQ(events, (events_t{"stop c shutdown", "stop b shutdown", "stop a shutdown"}));
    ASSERT_TRUE(sup_exit.is_ready());
    EXPECT_EQ(std::move(sup_exit).get().value(), exit_reason::shutdown());
    EXPECT_EQ(parent_events, (events_t{"parent: exit_signal shutdown"}));
}

TEST_F(SupervisorApi, ExitSignalsFromStrangersAreIgnored) {
    events_t other_events;
    auto stranger = node.spawn<parent_probe>(&other_events).value();
    auto sup = start({.children = {rec("a", &events)}});
    events.clear();
    stranger.tell(send_exit{sup.addr(), exit_reason::shutdown()});
    rt.run_until_idle();
    EXPECT_TRUE(alive(sup.addr()));
    EXPECT_TRUE(events.empty());
}

TEST_F(SupervisorApi, WithoutAParentTheOwnerThreadCountsAsTheParent) {
    auto sup = start({.children = {rec("a", &events), rec("b", &events)}});
    auto sup_exit = sup.wait();
    events.clear();
    node.exit(sup.addr(), exit_reason::shutdown("maintenance"));  // from outside any actor
    rt.run_until_idle();
    EXPECT_EQ(events, (events_t{"stop b shutdown", "stop a shutdown"}));
    EXPECT_EQ(std::move(sup_exit).get().value(), exit_reason::shutdown("maintenance"));
}

TEST_F(SupervisorApi, AGracefulStopStopsTheChildrenInReverseOrderAndExitsNormal) {
    auto sup = start({.children = {rec("a", &events), rec("b", &events)}});
    auto sup_exit = sup.wait();
    events.clear();
    sup.stop();
    rt.run_until_idle();
    EXPECT_EQ(events, (events_t{"stop b shutdown", "stop a shutdown"}));
    EXPECT_EQ(std::move(sup_exit).get().value(), exit_reason::normal());
}

TEST_F(SupervisorApi, KillingTheSupervisorTakesItsLinkedChildrenAlong) {
    auto sup = start({.children = {rec("a", &events), rec("b", &events)}});
    events.clear();
    node.exit(sup.addr(), exit_reason::kill());
    rt.run_until_idle();
    EXPECT_EQ(events, (events_t{"stop a killed", "stop b killed"}));
    EXPECT_EQ(node.actor_count(), 0u);
}

TEST_F(SupervisorApi, ADefiantChildDelaysTheShutdownByItsTimeoutOnly) {
    auto sup = start({.children = {rec("a", &events),
                                   child_spec::worker<defiant>("s", std::string{"s"}, &events)
                                       .with_shutdown(shutdown_policy::timeout(2s)),
                                   rec("c", &events)}});
    auto sup_exit = sup.wait();
    events.clear();
    sup.stop();
    rt.run_until_idle();
    EXPECT_EQ(events, (events_t{"stop c shutdown", "s ignores shutdown"}));
    rt.advance(2s);
    EXPECT_EQ(events, (events_t{"stop c shutdown", "s ignores shutdown", "stop s killed",
                                "stop a shutdown"}));
    EXPECT_EQ(std::move(sup_exit).get().value(), exit_reason::normal());
}

// --- logs ------------------------------------------------------------------------------------

TEST_F(SupervisorApi, CrashesRestartsAndTheEscalationAreLoggedWithTheChildIdAddressAndReason) {
    std::ostringstream out;
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_st>(out);
    node.logger().sinks().push_back(sink);
    node.set_log_level(troupe::log_level::info);
    auto sup = start({.max_restarts = 1, .children = {rec("a", &events)}});
    address a = addr_of(sup, "a");
    crash_child(a);
    address a2 = addr_of(sup, "a");
    crash_child(a2);
    node.logger().sinks().pop_back();
    const std::string text = out.str();
    for (const std::string& expected :
         {"child 'a' (" + a.to_string() + ") exited: error{boom}; restarting it (permanent)",
          "restarted child 'a': " + a2.to_string(),
          "child 'a' (" + a2.to_string() + ") exited: error{boom}; restarting it (permanent)",
          std::string{"child 'a' reached the restart intensity (1 restart within 5000ms)"}}) {
        EXPECT_NE(text.find(expected), std::string::npos) << "missing: " << expected << "\n"
                                                          << text;
    }
}

}  // namespace

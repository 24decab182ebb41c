// Uniform supervisors (OTP's simple_one_for_one): dynamic children of one spec, started with
// arguments, on the deterministic runtime. Children write "start <n>" / "stop <n> <reason>".
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <troupe/actor.hpp>
#include <troupe/supervisor.hpp>
#include <troupe/testing/runtime.hpp>
#include <troupe/uniform_supervisor.hpp>

using namespace std::chrono_literals;
using troupe::address;
using troupe::child_info;
using troupe::child_type;
using troupe::errc;
using troupe::exit_reason;
using troupe::restart_type;
using troupe::shutdown_policy;
using troupe::uniform_ref;
using troupe::uniform_spec;

namespace {

using events_t = std::vector<std::string>;

struct crash {};
struct get_number {};
struct finish {
    exit_reason reason;
};
struct ready {};

// A dynamic child made from an int; optionally traps exits and ignores them, or waits to be
// told `ready` before acknowledging its start.
struct numbered : troupe::actor<numbered, crash, get_number, finish, ready, troupe::exit_signal> {
    numbered(int n, events_t* e, bool defiant = false) : number(n), events(e), ignores(defiant) {}
    void on_start() override {
        if (ignores) trap_exit(true);
        if (number < 0) throw std::runtime_error("negative numbers are not allowed");
        events->push_back("start " + std::to_string(number));
    }
    void on_stopped(const exit_reason& r) override {
        events->push_back("stop " + std::to_string(number) + " " + r.to_string());
    }
    void handle(crash) { throw std::runtime_error("boom"); }
    int handle(get_number) { return number; }
    void handle(const finish& f) { quit(f.reason); }
    void handle(ready) { init_done(); }
    void handle(const troupe::exit_signal& s) {
        events->push_back(std::to_string(number) + " ignores " + s.reason.to_string());
    }
    int number;
    events_t* events;
    bool ignores;
};

uniform_spec<int> numbers(events_t* e, bool defiant = false,
                          std::vector<address>* spawned = nullptr) {
    uniform_spec<int> spec;
    spec.start = [e, defiant, spawned](troupe::node& n, const int& k) -> troupe::result<address> {
        troupe::spawn_options opts;
        opts.link = true;
        auto child = n.spawn_with<numbered>(opts, k, e, defiant);
        if (!child) return child.error();
        if (spawned) spawned->push_back(child->addr());
        return child->addr();
    };
    return spec;
}

struct UniformSupervisor : ::testing::Test {
    events_t events;  // outlives the runtime
    troupe::testing::runtime rt{troupe::log_level::off};
    troupe::node& node = rt.node();

    template <class T>
    troupe::result<T> settle(troupe::pending<T> p) {
        rt.run_until_idle();
        EXPECT_TRUE(p.is_ready()) << "the result needs virtual time to pass";
        return std::move(p).get();
    }
    uniform_ref<int> start(uniform_spec<int> spec) {
        return settle(troupe::start_uniform_supervisor(node, std::move(spec))).value();
    }
    std::vector<child_info> children(const troupe::supervisor_handle& s) {
        return settle(s.which_children()).value();
    }
    int number_of(address a) { return settle(node.ask<int>(a, get_number{}, 1s)).value(); }
    bool alive(address a) { return node.lookup(a) != nullptr; }
};

TEST_F(UniformSupervisor, StartsChildrenWithArgumentsAndRestartsThemWithTheSameOnes) {
    auto sup = start(numbers(&events));
    address seven = settle(sup.start_child(7)).value();
    address eight = settle(sup.start_child(8)).value();
    EXPECT_EQ(number_of(seven), 7);
    EXPECT_EQ(number_of(eight), 8);
    EXPECT_EQ(children(sup),
              (std::vector<child_info>{{"", seven, child_type::worker, restart_type::permanent},
                                       {"", eight, child_type::worker, restart_type::permanent}}));
    events.clear();
    node.tell(seven, crash{});
    rt.run_until_idle();
    EXPECT_EQ(events, (events_t{"stop 7 error{boom}", "start 7"}));
    auto now = children(sup);
    ASSERT_EQ(now.size(), 2u);
    EXPECT_NE(now[0].addr, seven);  // restarted in its place, with its argument
    EXPECT_EQ(number_of(now[0].addr), 7);
    EXPECT_EQ(now[1].addr, eight);
}

TEST_F(UniformSupervisor, TheWorkerHelperSpawnsLinkedChildrenFromTheArguments) {
    auto spec = uniform_spec<int, events_t*, bool>::worker<numbered>();
    auto sup = settle(troupe::start_uniform_supervisor(node, spec)).value();
    address c = settle(sup.start_child(3, &events, false)).value();
    EXPECT_EQ(number_of(c), 3);
    node.tell(c, crash{});
    rt.run_until_idle();
    auto kids = children(sup);
    ASSERT_EQ(kids.size(), 1u);
    EXPECT_NE(kids[0].addr, c);
    EXPECT_EQ(number_of(kids[0].addr), 3);
}

TEST_F(UniformSupervisor, TerminateChildStopsAndForgetsIt) {
    auto sup = start(numbers(&events));
    address one = settle(sup.start_child(1)).value();
    address two = settle(sup.start_child(2)).value();
    events.clear();
    EXPECT_TRUE(settle(sup.terminate_child(one)).has_value());
    EXPECT_EQ(events, (events_t{"stop 1 shutdown"}));
    auto kids = children(sup);
    ASSERT_EQ(kids.size(), 1u);
    EXPECT_EQ(kids[0].addr, two);

    // A live actor that is not a child: not_found. A dead address: fine (OTP's rule).
    auto stranger = node.spawn<numbered>(99, &events).value();
    auto r = settle(sup.terminate_child(stranger.addr()));
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code(), errc::not_found);
    EXPECT_EQ(r.error().reason(),
              stranger.addr().to_string() + " is not a child of this uniform supervisor");
    EXPECT_TRUE(settle(sup.terminate_child(one)).has_value());
}

TEST_F(UniformSupervisor, RestartTypesApplyToEveryChild) {
    auto transient = numbers(&events);
    transient.restart = restart_type::transient;
    transient.max_restarts = 10;
    auto sup = start(transient);
    address a = settle(sup.start_child(1)).value();
    address b = settle(sup.start_child(2)).value();
    events.clear();
    node.tell(a, finish{exit_reason::normal()});
    node.tell(b, crash{});
    rt.run_until_idle();
    EXPECT_EQ(events, (events_t{"stop 1 normal", "stop 2 error{boom}", "start 2"}));
    auto kids = children(sup);
    ASSERT_EQ(kids.size(), 1u) << "a dynamic child that is not restarted is forgotten";
    EXPECT_EQ(number_of(kids[0].addr), 2);

    auto temporary = numbers(&events);
    temporary.restart = restart_type::temporary;
    auto tmp = start(temporary);
    address t = settle(tmp.start_child(3)).value();
    events.clear();
    node.tell(t, crash{});
    rt.run_until_idle();
    EXPECT_EQ(events, (events_t{"stop 3 error{boom}"}));
    EXPECT_TRUE(children(tmp).empty());
}

TEST_F(UniformSupervisor, TooManyRestartsStopAllChildrenAndExitShutdown) {
    auto spec = numbers(&events);
    spec.max_restarts = 1;
    auto sup = start(spec);
    auto sup_exit = sup.wait();
    address one = settle(sup.start_child(1)).value();
    settle(sup.start_child(2)).value();
    node.tell(one, crash{});
    rt.run_until_idle();
    events.clear();
    node.tell(children(sup)[0].addr, crash{});
    rt.run_until_idle();
    EXPECT_EQ(events, (events_t{"stop 1 error{boom}", "stop 2 shutdown"}));
    ASSERT_TRUE(sup_exit.is_ready());
    EXPECT_EQ(std::move(sup_exit).get().value(), exit_reason::shutdown());
}

TEST_F(UniformSupervisor, OnShutdownTheChildrenStopAllAtOnceAndStragglersAreKilledTogether) {
    auto spec = numbers(&events, true);  // children ignore `shutdown`
    spec.shutdown = shutdown_policy::timeout(1s);
    auto sup = start(spec);
    auto sup_exit = sup.wait();
    settle(sup.start_child(1)).value();
    settle(sup.start_child(2)).value();
    settle(sup.start_child(3)).value();
    events.clear();
    sup.stop();
    rt.run_until_idle();
    // Every child got its signal at once, not one after the other's exit.
    EXPECT_EQ(events, (events_t{"1 ignores shutdown", "2 ignores shutdown", "3 ignores shutdown"}));
    rt.advance(999ms);
    EXPECT_FALSE(sup_exit.is_ready());
    rt.advance(1ms);  // one grace for all: killed after 1 s, not 3
    EXPECT_EQ(events, (events_t{"1 ignores shutdown", "2 ignores shutdown", "3 ignores shutdown",
                                "stop 1 killed", "stop 2 killed", "stop 3 killed"}));
    ASSERT_TRUE(sup_exit.is_ready());
    EXPECT_EQ(std::move(sup_exit).get().value(), exit_reason::normal());
}

TEST_F(UniformSupervisor, AnExitSignalFromTheOwnerStopsTheChildrenAndTheSupervisor) {
    auto sup = start(numbers(&events));
    auto sup_exit = sup.wait();
    settle(sup.start_child(1)).value();
    settle(sup.start_child(2)).value();
    events.clear();
    node.exit(sup.addr(), exit_reason::shutdown());
    rt.run_until_idle();
    EXPECT_EQ(events, (events_t{"stop 1 shutdown", "stop 2 shutdown"}));
    EXPECT_EQ(std::move(sup_exit).get().value(), exit_reason::shutdown());
}

TEST_F(UniformSupervisor, AStartErrorIsReturnedAndNothingIsKept) {
    auto sup = start(numbers(&events));
    auto r = settle(sup.start_child(-1));
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code(), errc::start_failed);
    EXPECT_NE(r.error().reason().find("negative numbers are not allowed"), std::string::npos)
        << r.error().reason();
    EXPECT_TRUE(children(sup).empty());
    EXPECT_EQ(settle(sup.count_children()).value(),
              (troupe::child_counts{.specs = 1, .active = 0, .supervisors = 0, .workers = 0}));
}

TEST_F(UniformSupervisor, ChildrenCanStartWithAcknowledgement) {
    std::vector<address> spawned;
    auto spec = numbers(&events, false, &spawned);
    spec.start_timeout = 100ms;
    auto sup = start(spec);
    auto started = sup.start_child(5);
    rt.run_until_idle();
    EXPECT_FALSE(started.is_ready());
    rt.advance(100ms);  // never told `ready`: killed
    ASSERT_TRUE(started.is_ready());
    auto late = std::move(started).get();
    ASSERT_FALSE(late.has_value());
    EXPECT_EQ(late.error().code(), errc::timeout);
    EXPECT_NE(late.error().reason().find("did not call init_done() within 100ms"),
              std::string::npos)
        << late.error().reason();
    EXPECT_EQ(events, (events_t{"start 5", "stop 5 killed"}));
    EXPECT_TRUE(children(sup).empty());

    auto acked = sup.start_child(6);
    rt.run_until_idle();
    EXPECT_FALSE(acked.is_ready());
    ASSERT_EQ(spawned.size(), 2u);
    node.tell(spawned[1], ready{});  // it calls init_done()
    rt.run_until_idle();
    ASSERT_TRUE(acked.is_ready());
    EXPECT_EQ(std::move(acked).get().value(), spawned[1]);
    EXPECT_EQ(children(sup).size(), 1u);
}

TEST_F(UniformSupervisor, AnInvalidSpecFailsTheStart) {
    auto r = settle(troupe::start_uniform_supervisor(node, uniform_spec<int>{}));
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code(), errc::start_failed);
    EXPECT_NE(r.error().reason().find("no start function"), std::string::npos)
        << r.error().reason();
}

TEST_F(UniformSupervisor, NestsUnderARegularSupervisor) {
    auto top =
        settle(troupe::start_supervisor(
                   node, {.children = {troupe::child_spec::uniform("pool", numbers(&events))}}))
            .value();
    auto kids = children(top);
    ASSERT_EQ(kids.size(), 1u);
    EXPECT_EQ(kids[0].type, child_type::supervisor);
    uniform_ref<int> pool{node, kids[0].addr};
    address c = settle(pool.start_child(4)).value();
    EXPECT_EQ(number_of(c), 4);
    EXPECT_EQ(settle(top.count_children()).value(),
              (troupe::child_counts{.specs = 1, .active = 1, .supervisors = 1, .workers = 0}));
    EXPECT_EQ(settle(pool.count_children()).value(),
              (troupe::child_counts{.specs = 1, .active = 1, .supervisors = 0, .workers = 1}));
    // Stopping the top supervisor stops the pool (its parent's signal), which stops its child.
    auto top_exit = top.wait();
    events.clear();
    top.stop();
    rt.run_until_idle();
    EXPECT_EQ(events, (events_t{"stop 4 shutdown"}));
    EXPECT_EQ(std::move(top_exit).get().value(), exit_reason::normal());
    EXPECT_EQ(node.actor_count(), 0u);
}

}  // namespace

#pragma once
// Actors and a fixture for the supervisor tests: children that write "start <id>" and
// "stop <id> <reason>" into a shared list of events, so tests assert exact orders and reasons.

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include <troupe/actor.hpp>
#include <troupe/supervisor.hpp>
#include <troupe/testing/runtime.hpp>

namespace troupe::test::supervised {

using namespace std::chrono_literals;

using events_t = std::vector<std::string>;

struct crash {
    std::string why = "boom";
};
struct get_label {};
struct finish {
    exit_reason reason;
};

// A worker that records its start and its end.
struct recorder : troupe::actor<recorder, crash, get_label, finish> {
    recorder(std::string l, events_t* e) : label(std::move(l)), events(e) {}
    void on_start() override { events->push_back("start " + label); }
    void on_stopped(const exit_reason& r) override {
        events->push_back("stop " + label + " " + r.to_string());
    }
    void handle(const crash& c) { throw std::runtime_error(c.why); }
    std::string handle(get_label) { return label; }
    void handle(const finish& f) { quit(f.reason); }
    std::string label;
    events_t* events;
};

// Traps exits and ignores them: only a kill ends it.
struct defiant : troupe::actor<defiant, troupe::exit_signal, get_label> {
    defiant(std::string l, events_t* e) : label(std::move(l)), events(e) {}
    void on_start() override {
        trap_exit(true);
        events->push_back("start " + label);
    }
    void on_stopped(const exit_reason& r) override {
        events->push_back("stop " + label + " " + r.to_string());
    }
    void handle(const troupe::exit_signal& s) {
        events->push_back(label + " ignores " + s.reason.to_string());
    }
    std::string handle(get_label) { return label; }
    std::string label;
    events_t* events;
};

struct failing : troupe::actor<failing, get_label> {
    void on_start() override { throw std::runtime_error("no database"); }
    std::string handle(get_label) { return "never"; }
};

// Acknowledges its start after `delay` (zero: in on_start; max: never), or crashes after
// 10ms instead if `die_first`.
struct ready {};
struct die {};
struct acker : troupe::actor<acker, ready, die, get_label> {
    acker(std::string l, troupe::duration d, bool dies, events_t* e)
        : label(std::move(l)), delay(d), die_first(dies), events(e) {}
    void on_start() override {
        events->push_back("start " + label);
        if (die_first) {
            notify_later(10ms, die{});
        } else if (delay == troupe::duration::zero()) {
            init_done();
        } else if (delay != troupe::duration::max()) {
            notify_later(delay, ready{});
        }
    }
    void on_stopped(const exit_reason& r) override {
        events->push_back("stop " + label + " " + r.to_string());
    }
    void handle(ready) { init_done(); }
    void handle(die) { throw std::runtime_error("no config"); }
    std::string handle(get_label) { return label; }
    std::string label;
    troupe::duration delay;
    bool die_first;
    events_t* events;
};

// A parent: spawns a supervisor linked to itself and sends exit signals.
struct spawn_sup {
    supervisor_spec spec;
};
struct send_exit {
    address to;
    exit_reason reason;
};
struct parent_probe : troupe::actor<parent_probe, troupe::exit_signal, spawn_sup, send_exit> {
    explicit parent_probe(events_t* e) : events(e) {}
    void on_start() override { trap_exit(true); }
    address handle(spawn_sup m) {
        return spawn_link<troupe::supervisor>(std::move(m.spec)).value().addr();
    }
    void handle(const send_exit& m) { exit(m.to, m.reason); }
    void handle(const troupe::exit_signal& s) {
        events->push_back("parent: exit_signal " + s.reason.to_string());
    }
    events_t* events;
};

inline child_spec rec(const std::string& id, events_t* e) {
    return child_spec::worker<recorder>(id, id, e);
}

struct supervision_fixture : ::testing::Test {
    events_t events;  // outlives the runtime (children write to it when they stop)
    troupe::testing::runtime rt{troupe::log_level::off};
    troupe::node& node = rt.node();

    // Runs what is runnable (no time passes) and takes the result, which must be there.
    template <class T>
    troupe::result<T> settle(troupe::pending<T> p) {
        rt.run_until_idle();
        EXPECT_TRUE(p.is_ready()) << "the result needs virtual time to pass";
        return std::move(p).get();
    }
    supervisor_ref start(supervisor_spec spec) {
        return settle(troupe::start_supervisor(node, std::move(spec))).value();
    }
    std::vector<child_info> children(const supervisor_ref& s) {
        return settle(s.which_children()).value();
    }
    address addr_of(const supervisor_ref& s, const std::string& id) {
        for (const auto& c : children(s)) {
            if (c.id == id) return c.addr;
        }
        return {};
    }
    bool alive(address a) { return node.lookup(a) != nullptr; }
    void crash_child(address a) {
        node.tell(a, crash{});
        rt.run_until_idle();
    }
};

inline child_spec ack(const std::string& id, troupe::duration delay, bool dies, events_t* e,
                      troupe::duration limit) {
    return child_spec::worker<acker>(id, id, delay, dies, e).with_start_timeout(limit);
}

}  // namespace troupe::test::supervised

// The server behaviour (OTP's gen_server): calls, casts, infos, the inactivity timeout and
// the terminate rule, step by step on the deterministic runtime; one threaded test.
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include <troupe/actor.hpp>
#include <troupe/server.hpp>
#include <troupe/testing/runtime.hpp>

using namespace std::chrono_literals;
using troupe::exit_reason;

namespace {

// --- the requests -------------------------------------------------------------------------
struct get {};
struct put {
    int v;
};
struct wait_value {};  // replied later, by the next set_value
struct stop_call {
    exit_reason reason;
    std::string reply;
};
struct stop_silent {
    exit_reason reason;
};
struct boom {
    std::string why;
};
struct watch {
    troupe::address target;
};
struct link_to {
    troupe::address other;
};
struct arm_tick {
    troupe::duration after;
    int n;
};
struct get_parent {};

struct reset {};
struct set_value {
    int v;
};
struct stop_cast {
    exit_reason reason;
};
struct boom_cast {
    std::string why;
};
struct quiet {};  // clears the inactivity timeout

// Not listed: reaches handle_info.
struct tick {
    int n;
};
struct stray {};

struct config {
    bool trap = false;
    std::optional<troupe::duration> idle;
    std::string init_throws;  // non-empty: init throws this
    std::optional<exit_reason> init_stops;
};

config trapping(bool on = true) {
    config c;
    c.trap = on;
    return c;
}
config idle_after(troupe::duration d) {
    config c;
    c.idle = d;
    return c;
}
config init_throwing(std::string what) {
    config c;
    c.init_throws = std::move(what);
    return c;
}
config init_stopping(exit_reason why) {
    config c;
    c.init_stops = std::move(why);
    return c;
}

std::string ms_since(troupe::time_point origin, troupe::time_point t) {
    return std::to_string(
               std::chrono::duration_cast<std::chrono::milliseconds>(t - origin).count()) +
           "ms";
}

// A server that does what it is asked and writes what happens into a log that outlives the
// runtime (terminate writes to it when the node shuts down).
struct recorder {
    using ctx = troupe::server_context<recorder>;
    using calls = troupe::type_list<get, put, wait_value, stop_call, stop_silent, boom, watch,
                                    link_to, arm_tick, get_parent>;
    using casts = troupe::type_list<reset, set_value, stop_cast, boom_cast, quiet>;

    recorder(std::vector<std::string>* l, config c = {}) : log(l), cfg(std::move(c)) {}

    troupe::init_result init(ctx& c) {
        if (!cfg.init_throws.empty()) throw std::runtime_error(cfg.init_throws);
        if (cfg.init_stops) return troupe::stop(*cfg.init_stops);
        c.trap_exit(cfg.trap);
        origin = c.now();
        self = c.self();
        log->push_back("init");
        if (cfg.idle) return troupe::init_result::ok(*cfg.idle);
        return troupe::init_result::ok();
    }

    // Without the context, a plain return type: reply now.
    int handle_call(const get&) { return value; }
    troupe::call_result<int> handle_call(const put& p) {
        value = p.v;
        return value;
    }
    troupe::call_result<int> handle_call(const wait_value&, ctx& c) {
        waiting.push_back(c.reply_later<int>());
        return troupe::noreply;
    }
    troupe::call_result<std::string> handle_call(const stop_call& s) {
        log->push_back("stop_call");
        return troupe::stop(s.reason, s.reply);
    }
    troupe::call_result<int> handle_call(const stop_silent& s) { return troupe::stop(s.reason); }
    int handle_call(const boom& b) { throw std::runtime_error(b.why); }
    troupe::monitor_ref handle_call(const watch& w, ctx& c) { return c.monitor(w.target); }
    void handle_call(const link_to& l, ctx& c) { c.link(l.other); }
    void handle_call(const arm_tick& a, ctx& c) { c.notify_later(a.after, tick{a.n}); }
    troupe::address handle_call(const get_parent&, ctx& c) { return c.parent(); }

    void handle_cast(const reset&) { value = 0; }
    void handle_cast(const set_value& s, ctx& c) {
        value = s.v;
        log->push_back("set_value " + std::to_string(s.v) + " from " +
                       (c.from() ? "an actor" : "outside"));
        for (auto& w : waiting) w.send(value);
        waiting.clear();
    }
    troupe::cast_result handle_cast(const stop_cast& s) { return troupe::stop(s.reason); }
    troupe::cast_result handle_cast(const boom_cast& b) { throw std::runtime_error(b.why); }
    void handle_cast(const quiet&, ctx& c) { c.clear_inactivity_timeout(); }

    troupe::info_result handle_info(troupe::message& m, ctx& c) {
        troupe::visit(
            m,
            [&](const troupe::exit_signal& s) {
                log->push_back("info: exit_signal " + s.reason.to_string());
            },
            [&](const troupe::down& d) { log->push_back("info: down " + d.reason.to_string()); },
            [&](const troupe::server_timeout&) {
                log->push_back("info: timeout at " + ms_since(origin, c.now()));
            },
            [&](const tick& t) { log->push_back("info: tick " + std::to_string(t.n)); },
            [&](troupe::message& other) {
                log->push_back("info: other " + std::string{other.type_name()});
            });
        return troupe::noreply;
    }

    void terminate(const exit_reason& why, ctx&) {
        log->push_back("terminate: " + why.to_string());
    }

    std::vector<std::string>* log;
    config cfg;
    int value = 0;
    troupe::time_point origin{};
    troupe::server_ref<recorder> self;
    std::vector<troupe::reply_handle<int>> waiting;
};

static_assert(troupe::server_behavior<recorder>);

// What the concept rejects (start_server says why, with one static_assert per rule).
struct no_handler {
    using calls = troupe::type_list<get>;
};
struct listed_twice {
    using calls = troupe::type_list<get>;
    using casts = troupe::type_list<get>;
    int handle_call(const get&) { return 0; }
    void handle_cast(const get&) {}
};
struct bad_init {
    bool init() { return true; }
};
struct not_a_list {
    using calls = get;
};
struct coroutine_call {
    using calls = troupe::type_list<get>;
    troupe::task<int> handle_call(const get&) { co_return 1; }
};
struct minimal {};
static_assert(!troupe::server_behavior<no_handler>);
static_assert(!troupe::server_behavior<listed_twice>);
static_assert(!troupe::server_behavior<bad_init>);
static_assert(!troupe::server_behavior<not_a_list>);
static_assert(!troupe::server_behavior<coroutine_call>);
static_assert(!troupe::server_behavior<int>);
static_assert(troupe::server_behavior<minimal>);

// Plain actors around the servers.
struct crash {
    std::string why;
};
struct victim : troupe::actor<victim, crash> {
    void handle(const crash& c) { throw std::runtime_error(c.why); }
};

struct start_child {
    bool trap;
};
struct exit_child {
    exit_reason reason;
};
/// A supervisor in miniature: starts a recorder linked to itself, traps exits, and sends
/// the child an exit signal when told.
struct parent_actor : troupe::actor<parent_actor, start_child, exit_child, troupe::exit_signal> {
    explicit parent_actor(std::vector<std::string>* l) : log(l) {}
    void on_start() override { trap_exit(true); }
    troupe::address handle(const start_child& m) {
        auto r = troupe::start_server_link<recorder>(home(), log, trapping(m.trap));
        child = r ? r->addr() : troupe::address{};
        return child;
    }
    void handle(const exit_child& m) { exit(child, m.reason); }
    void handle(const troupe::exit_signal& s) {
        log->push_back("parent: exit_signal " + std::string{s.from == child ? "child " : "? "} +
                       s.reason.to_string());
    }
    void on_init_done(troupe::address c) override {
        log->push_back(std::string{"parent: init_done "} + (c == child ? "child" : "?"));
    }
    std::vector<std::string>* log;
    troupe::address child;
};

struct Server : ::testing::Test {
    std::vector<std::string> log;  // outlives the runtime
    troupe::testing::runtime rt;

    troupe::server_ref<recorder> start(config c = {}) {
        return troupe::start_server<recorder>(rt.node(), &log, std::move(c)).value();
    }
    template <class R>
    troupe::result<R> run(troupe::pending<R> p) {
        rt.run_until_idle();
        return std::move(p).get();
    }
    exit_reason exit_of(const troupe::server_ref<recorder>& s) { return run(s.wait()).value(); }
    std::size_t terminates() const {
        std::size_t n = 0;
        for (auto& line : log) n += line.rfind("terminate:", 0) == 0;
        return n;
    }
};

// --- calls and casts ------------------------------------------------------------------------

TEST_F(Server, CallRepliesNow) {
    auto s = start();
    EXPECT_EQ(run(troupe::call(s, put{41}, 1s)).value(), 41);
    EXPECT_EQ(run(troupe::call(s, get{}, 1s)).value(), 41);
    EXPECT_EQ(s.get()->value, 41);
    EXPECT_EQ(s.get()->self, s);  // ctx.self() in init
}

TEST_F(Server, CastUpdatesTheState) {
    auto s = start();
    troupe::cast(s, set_value{5});
    troupe::cast(s, reset{});
    troupe::cast(s, set_value{9});
    rt.run_until_idle();
    EXPECT_EQ(s.get()->value, 9);
    EXPECT_EQ(run(troupe::call(s, get{}, 1s)).value(), 9);
    EXPECT_EQ(log, (std::vector<std::string>{"init", "set_value 5 from outside",
                                             "set_value 9 from outside"}));
}

TEST_F(Server, ADeferredReplyIsAnsweredByALaterMessage) {
    auto s = start();
    auto first = troupe::call(s, wait_value{}, 1s);
    auto second = troupe::call(s, wait_value{}, 1s);
    rt.run_until_idle();
    EXPECT_FALSE(first.is_ready());  // the server holds both reply handles
    EXPECT_FALSE(second.is_ready());
    EXPECT_EQ(s.get()->waiting.size(), 2u);
    troupe::cast(s, set_value{7});
    rt.run_until_idle();
    EXPECT_EQ(std::move(first).get().value(), 7);
    EXPECT_EQ(std::move(second).get().value(), 7);
}

TEST_F(Server, StopWithAReplyRunsTerminateThenRepliesThenExits) {
    auto s = start();
    auto exit = s.wait();
    troupe::call(s, stop_call{exit_reason::shutdown("done"), "bye"}, 1s)
        .then([this](troupe::result<std::string> r) { log.push_back("caller: " + r.value()); });
    rt.run_until_idle();
    EXPECT_EQ(std::move(exit).get().value(), exit_reason::shutdown("done"));
    // OTP's order: terminate, then the reply (the cleanup is done when the caller hears).
    EXPECT_EQ(log, (std::vector<std::string>{"init", "stop_call", "terminate: shutdown{done}",
                                             "caller: bye"}));
    EXPECT_EQ(terminates(), 1u);
    EXPECT_EQ(rt.node().actor_count(), 0u);
}

TEST_F(Server, StopWithoutAReplyFailsTheCallerWithNoReply) {
    auto s = start();
    auto r = run(troupe::call(s, stop_silent{exit_reason::normal()}, 1s));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code(), troupe::errc::no_reply);
    EXPECT_NE(r.error().reason().find("stopped (normal) without replying"), std::string::npos)
        << r.error().message();
    EXPECT_EQ(exit_of(s), exit_reason::normal());
    EXPECT_EQ(log, (std::vector<std::string>{"init", "terminate: normal"}));
}

TEST_F(Server, ACastCanStopTheServer) {
    auto s = start();
    troupe::cast(s, stop_cast{exit_reason::shutdown("closed")});
    EXPECT_EQ(exit_of(s), exit_reason::shutdown("closed"));
    EXPECT_EQ(log, (std::vector<std::string>{"init", "terminate: shutdown{closed}"}));
}

TEST_F(Server, APendingDeferredReplyFailsWhenTheServerStops) {
    auto s = start();
    const auto t0 = rt.now();
    auto waiting = troupe::call(s, wait_value{}, 1s);
    rt.run_until_idle();
    troupe::cast(s, stop_cast{exit_reason::normal()});
    auto r = run(std::move(waiting));
    ASSERT_FALSE(r);  // an error, never a hang
    EXPECT_EQ(r.error().code(), troupe::errc::no_reply);
    EXPECT_EQ(rt.now(), t0);  // at once, not after the call's timeout
    EXPECT_EQ(log, (std::vector<std::string>{"init", "terminate: normal"}));
}

TEST_F(Server, ACallTimesOut) {
    auto s = start();
    const auto t0 = rt.now();
    auto r = run(troupe::call(s, wait_value{}, 250ms));  // nobody sets the value
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code(), troupe::errc::timeout);
    EXPECT_EQ(rt.now() - t0, 250ms);
}

TEST_F(Server, ACallToADeadServerFailsWithNoSuchActor) {
    auto s = start();
    EXPECT_EQ(run(s.stop_and_wait(1s)).value(), exit_reason::normal());
    auto r = run(troupe::call(s, get{}, 1s));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code(), troupe::errc::no_such_actor);
    auto empty = run(troupe::call(troupe::server_ref<recorder>{}, get{}, 1s));
    EXPECT_EQ(empty.error().code(), troupe::errc::no_such_actor);
}

TEST_F(Server, UntypedCallsByAddressAndByRegisteredName) {
    troupe::spawn_options opts;
    opts.register_as = "store";
    auto s = troupe::start_server_with<recorder>(rt.node(), opts, &log, config{}).value();
    auto addr = rt.node().whereis("store");
    ASSERT_TRUE(addr);
    EXPECT_EQ(*addr, s.addr());
    troupe::cast(rt.node(), *addr, set_value{3});
    EXPECT_EQ(run(troupe::call<int>(rt.node(), *addr, get{}, 1s)).value(), 3);
    // The reply type is checked at run time.
    auto wrong = run(troupe::call<std::string>(rt.node(), *addr, get{}, 1s));
    EXPECT_EQ(wrong.error().code(), troupe::errc::bad_reply_type);
    // A type the server does not list reaches handle_info.
    rt.node().tell(*addr, stray{});
    rt.run_until_idle();
    EXPECT_EQ(log.back().rfind("info: other ", 0), 0u) << log.back();
    EXPECT_NE(log.back().find("stray"), std::string::npos) << log.back();
}

// --- handle_info ------------------------------------------------------------------------------

TEST_F(Server, HandleInfoGetsExitSignalsDownsAndTimerMessages) {
    auto s = start(trapping());
    auto linked = rt.node().spawn<victim>().value();
    auto watched = rt.node().spawn<victim>().value();
    EXPECT_TRUE(run(troupe::call(s, link_to{linked.addr()}, 1s)));
    auto ref = run(troupe::call(s, watch{watched.addr()}, 1s)).value();
    EXPECT_TRUE(ref);
    EXPECT_TRUE(run(troupe::call(s, arm_tick{50ms, 1}, 1s)));

    linked.tell(crash{"disk full"});
    rt.run_until_idle();
    watched.stop();
    rt.run_until_idle();
    rt.advance(49ms);
    EXPECT_EQ(log.size(), 3u);  // the tick is not due yet
    rt.advance(1ms);
    EXPECT_EQ(log, (std::vector<std::string>{"init", "info: exit_signal error{disk full}",
                                             "info: down normal", "info: tick 1"}));
    EXPECT_TRUE(rt.node().lookup(s.addr()));  // trapping: the crash did not take it along
}

TEST_F(Server, WithoutTrappingALinkedCrashEndsTheServerWithoutTerminate) {
    auto s = start();
    auto linked = rt.node().spawn<victim>().value();
    auto other = rt.node().spawn<victim>().value();
    EXPECT_TRUE(run(troupe::call(s, link_to{linked.addr()}, 1s)));
    EXPECT_TRUE(run(troupe::call(s, link_to{other.addr()}, 1s)));
    other.stop();  // a normal exit leaves it alone
    rt.run_until_idle();
    EXPECT_TRUE(rt.node().lookup(s.addr()));
    linked.tell(crash{"disk full"});
    EXPECT_EQ(exit_of(s), exit_reason::error("disk full"));
    EXPECT_EQ(log, (std::vector<std::string>{"init"}));  // OTP: no terminate
}

// --- the inactivity timeout -------------------------------------------------------------------

TEST_F(Server, TheInactivityTimeoutFiresAfterItsTimeAndEachMessageRearmsIt) {
    auto s = start(idle_after(100ms));
    rt.advance(99ms);
    EXPECT_EQ(log, (std::vector<std::string>{"init"}));
    rt.advance(1ms);
    EXPECT_EQ(log, (std::vector<std::string>{"init", "info: timeout at 100ms"}));

    rt.advance(50ms);
    troupe::cast(s, reset{});  // at 150ms: the next timeout is due at 250ms, not 200ms
    rt.run_until_idle();
    rt.advance(99ms);
    EXPECT_EQ(log.size(), 2u);
    rt.advance(1ms);
    EXPECT_EQ(log.back(), "info: timeout at 250ms");

    rt.advance(100ms);  // idle: once more per period
    EXPECT_EQ(log.back(), "info: timeout at 350ms");

    rt.advance(30ms);
    EXPECT_EQ(run(troupe::call(s, get{}, 1s)).value(), 0);  // a call re-arms it too
    rt.advance(99ms);
    EXPECT_EQ(log.back(), "info: timeout at 350ms");
    rt.advance(1ms);
    EXPECT_EQ(log.back(), "info: timeout at 480ms");

    troupe::cast(s, quiet{});
    rt.run_until_idle();
    rt.advance(1s);
    EXPECT_EQ(log,
              (std::vector<std::string>{"init", "info: timeout at 100ms", "info: timeout at 250ms",
                                        "info: timeout at 350ms", "info: timeout at 480ms"}));
}

TEST_F(Server, AMessageJustBeforeTheDeadlinePostponesTheTimeout) {
    auto s = start(idle_after(100ms));
    rt.advance(99ms);
    troupe::cast(s, set_value{1});
    rt.advance(1ms);  // at 100ms: the timer fires, sees the message at 99ms, waits on
    EXPECT_EQ(log, (std::vector<std::string>{"init", "set_value 1 from outside"}));
    rt.advance(98ms);
    EXPECT_EQ(log.size(), 2u);
    rt.advance(1ms);
    EXPECT_EQ(log.back(), "info: timeout at 199ms");
}

// --- init -----------------------------------------------------------------------------------

TEST_F(Server, AnInitThatThrowsFailsTheStartWithoutTerminate) {
    auto r = troupe::start_server<recorder>(rt.node(), &log, init_throwing("no config"));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code(), troupe::errc::start_failed);
    EXPECT_NE(r.error().reason().find("init threw: no config"), std::string::npos)
        << r.error().message();
    EXPECT_EQ(rt.node().actor_count(), 0u);
    rt.run_until_idle();
    EXPECT_TRUE(log.empty());
}

TEST_F(Server, AnInitThatStopsFailsTheStartWithItsReasonWithoutTerminate) {
    auto r = troupe::start_server<recorder>(rt.node(), &log,
                                            init_stopping(exit_reason::error("bad port")));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code(), troupe::errc::start_failed);
    EXPECT_NE(r.error().reason().find("init returned stop(error{bad port})"), std::string::npos)
        << r.error().message();
    EXPECT_EQ(rt.node().actor_count(), 0u);
    rt.run_until_idle();
    EXPECT_TRUE(log.empty());
}

TEST_F(Server, ANegativeInactivityTimeoutFailsTheStartSayingSo) {
    auto r = troupe::start_server<recorder>(rt.node(), &log, idle_after(-1ms));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code(), troupe::errc::start_failed);
    EXPECT_NE(r.error().reason().find("inactivity timeout cannot be negative, got -1000000ns"),
              std::string::npos)
        << r.error().message();
}

// --- terminate ------------------------------------------------------------------------------

TEST_F(Server, TerminateRunsOnAStopRequest) {
    auto s = start();
    EXPECT_EQ(run(s.stop_and_wait(1s)).value(), exit_reason::normal());
    EXPECT_EQ(log, (std::vector<std::string>{"init", "terminate: normal"}));
}

TEST_F(Server, TerminateRunsOnNodeStopAndOnNodeShutdown) {
    std::vector<std::string> outer;
    {
        troupe::testing::runtime local;
        auto a = troupe::start_server<recorder>(local.node(), &outer, config{}).value();
        auto b = troupe::start_server<recorder>(local.node(), &outer, config{}).value();
        auto exit = a.wait();
        local.node().stop(a.addr());
        local.run_until_idle();
        EXPECT_EQ(std::move(exit).get().value(), exit_reason::normal());
        EXPECT_EQ(outer, (std::vector<std::string>{"init", "init", "terminate: normal"}));
    }  // the node shuts down: b is stopped
    EXPECT_EQ(outer.back(), "terminate: shutdown{the node is shutting down}");
    EXPECT_EQ(outer.size(), 4u);
}

TEST_F(Server, ATrappingServerRunsTerminateWhenItsParentShutsItDown) {
    auto p = rt.node().spawn<parent_actor>(&log).value();
    auto child = run(p.ask(start_child{true}, 1s)).value();
    ASSERT_TRUE(child);
    auto exit = rt.node().wait(child);
    p.tell(exit_child{exit_reason::shutdown()});
    rt.run_until_idle();
    EXPECT_EQ(std::move(exit).get().value(), exit_reason::shutdown());
    EXPECT_EQ(log,
              (std::vector<std::string>{"init", "parent: init_done child", "terminate: shutdown",
                                        "parent: exit_signal child shutdown"}));
}

TEST_F(Server, TheParentIsTheActorThatStartedItLinked) {
    auto p = rt.node().spawn<parent_actor>(&log).value();
    auto child = run(p.ask(start_child{false}, 1s)).value();
    auto parent = run(troupe::call<troupe::address>(rt.node(), child, get_parent{}, 1s)).value();
    EXPECT_EQ(parent, p.addr());
    auto unlinked = start();
    EXPECT_EQ(run(troupe::call(unlinked, get_parent{}, 1s)).value(), troupe::address{});
}

TEST_F(Server, ANonTrappingServerShutDownByItsParentExitsWithoutTerminate) {
    auto p = rt.node().spawn<parent_actor>(&log).value();
    auto child = run(p.ask(start_child{false}, 1s)).value();
    auto exit = rt.node().wait(child);
    p.tell(exit_child{exit_reason::shutdown()});
    rt.run_until_idle();
    EXPECT_EQ(std::move(exit).get().value(), exit_reason::shutdown());
    EXPECT_EQ(log, (std::vector<std::string>{"init", "parent: init_done child",
                                             "parent: exit_signal child shutdown"}));
}

TEST_F(Server, AThrowingCallbackRunsTerminateWithTheErrorAndEndsTheServer) {
    auto s = start();
    auto r = run(troupe::call(s, boom{"kaput"}, 1s));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code(), troupe::errc::handler_failed);
    EXPECT_NE(r.error().reason().find("kaput"), std::string::npos);
    EXPECT_EQ(exit_of(s), exit_reason::error("kaput"));
    EXPECT_EQ(log, (std::vector<std::string>{"init", "terminate: error{kaput}"}));

    auto t = start();
    troupe::cast(t, boom_cast{"cast went wrong"});
    EXPECT_EQ(exit_of(t), exit_reason::error("cast went wrong"));
    EXPECT_EQ(log.back(), "terminate: error{cast went wrong}");
    EXPECT_EQ(terminates(), 2u);
}

TEST_F(Server, AKillDoesNotRunTerminate) {
    auto s = start(trapping());
    s.kill();
    EXPECT_EQ(exit_of(s), exit_reason::killed());
    EXPECT_EQ(log, (std::vector<std::string>{"init"}));
}

// --- a server with the minimum, and a real node -------------------------------------------
struct close_file {};
/// Its terminate fails: the exit reason becomes that failure, as in OTP.
struct fragile {
    using casts = troupe::type_list<close_file>;
    explicit fragile(std::vector<std::string>* l) : log(l) {}
    troupe::cast_result handle_cast(const close_file&) {
        return troupe::stop(exit_reason::normal());
    }
    void terminate(const exit_reason& why) {
        log->push_back("terminate: " + why.to_string());
        throw std::runtime_error("flush failed");
    }
    std::vector<std::string>* log;
};

TEST_F(Server, ATerminateThatThrowsMakesItsErrorTheExitReason) {
    auto f = troupe::start_server<fragile>(rt.node(), &log).value();
    troupe::cast(f, close_file{});
    EXPECT_EQ(run(f.wait()).value(), exit_reason::error("flush failed"));
    EXPECT_EQ(log, (std::vector<std::string>{"terminate: normal"}));  // once
}

struct add {
    int n;
};
struct total {};
struct tally {
    using calls = troupe::type_list<total>;
    using casts = troupe::type_list<add>;
    long sum = 0;
    long handle_call(total) const { return sum; }
    void handle_cast(const add& a) { sum += a.n; }
};
static_assert(troupe::server_behavior<tally>);

TEST(ServerThreaded, CallsAndCastsFromManyThreads) {
    troupe::node_config cfg;
    cfg.workers = 2;
    troupe::node node{std::move(cfg)};
    auto t = troupe::start_server<tally>(node).value();
    constexpr int threads = 4;
    constexpr int per_thread = 500;
    std::vector<std::thread> senders;
    for (int i = 0; i < threads; ++i) {
        senders.emplace_back([&] {
            for (int k = 1; k <= per_thread; ++k) {
                troupe::cast(t, add{k});
                if (k % 100 == 0) (void)troupe::call(t, total{}, 10s).get().value();
            }
        });
    }
    for (auto& s : senders) s.join();
    // Casts from one sender arrive in order, before that sender's later call.
    long expected = threads * (per_thread * (per_thread + 1L) / 2);
    EXPECT_EQ(troupe::call(t, total{}, 10s).get().value(), expected);
    EXPECT_EQ(t.stop_and_wait(10s).get().value(), exit_reason::normal());
}

}  // namespace

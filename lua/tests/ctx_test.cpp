// The ctx API as a script sees it: the actix-lua README's cases, then every ctx function,
// the errors of ctx.send (each caught by pcall, with its exact text), the rule that a
// waiting actor handles nothing else, and typed C++ actors on both sides of a call.

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include <troupe/codec/describe.hpp>
#include <troupe/codec/registry.hpp>
#include <troupe/lua/script_actor.hpp>
#include <troupe/testing/runtime.hpp>

#include "support/lua_test.hpp"

using namespace lua_test;
using troupe::errc;
using troupe::exit_reason;

// Typed messages for the Lua <-> typed C++ tests (namespace scope, as TROUPE_MESSAGE needs).
namespace ctx_test_msgs {

struct SetValue {
    std::string key;
    std::int64_t value = 0;
};
TROUPE_MESSAGE(SetValue, "test.SetValue", key, value)

struct GetValue {
    std::string key;
};
TROUPE_MESSAGE(GetValue, "test.GetValue", key)

struct Stored {
    std::string key;
    std::int64_t total = 0;
    std::int64_t writes = 0;
};
TROUPE_MESSAGE(Stored, "test.Stored", key, total, writes)

/// A typed key-value store: SetValue adds to the key and replies with a Stored.
struct store : troupe::actor<store, SetValue, GetValue> {
    Stored handle(const SetValue& m) {
        entries[m.key] += m.value;
        ++writes;
        return Stored{m.key, entries[m.key], writes};
    }
    std::optional<std::int64_t> handle(const GetValue& m) {
        auto it = entries.find(m.key);
        if (it == entries.end()) return std::nullopt;
        return it->second;
    }
    std::map<std::string, std::int64_t> entries;
    std::int64_t writes = 0;
};

}  // namespace ctx_test_msgs

namespace {

/// The callback of the actix-lua README: answers "hello" to anything.
struct callback : troupe::actor<callback, value> {
    value handle(const value&) { return value{"hello"}; }
};

/// Holds every ask's reply handle until the test releases it: a recipient that is slow
/// (or never answers, for time-outs).
struct holder : troupe::actor<holder, value> {
    troupe::deferred<value> handle(value v) {
        got.push_back(std::move(v));
        waiting.push_back(reply_later<value>());
        return {};
    }
    std::vector<value> got;
    std::vector<troupe::reply_handle<value>> waiting;
};

/// A runtime with a holder and a recorder that scripts reach as "slow" and "rec".
struct slow_fixture {
    troupe::testing::runtime rt;
    troupe::ref<holder> slow = rt.node().spawn<holder>().value();
    troupe::ref<recorder> rec = rt.node().spawn<recorder>().value();

    troupe::ref<lua::script_actor> lua_actor(lua::builder b) {
        b.add_recipient("slow", slow.addr()).add_recipient("rec", rec.addr());
        return spawn(rt, build(std::move(b)));
    }
};

/// A C++ actor that asks the Lua actor named in the message and adds one to the reply.
struct asker : troupe::actor<asker, value> {
    troupe::task<value> handle(value m) {
        auto to = troupe::address::parse(m.at("to").as_string()).value();
        auto r = co_await ask<value>(to, m.at("msg"), 1s);
        if (!r) co_return value{r.error().message()};
        co_return value{r->as_int64() + 1};
    }
};

// --- the actix-lua README ------------------------------------------------------------------

TEST(LuaCtx, HandlerAddsFortyTwo) {
    troupe::testing::runtime rt;
    auto a = spawn(rt, handler("return ctx.msg + 42"));
    EXPECT_EQ(ask(a, value{100}), value{142});
    EXPECT_EQ(ask(a, value{0.5}), value{42.5});  // a float stays a float
}

TEST(LuaCtx, CallbackAnswersHelloThroughSend) {
    troupe::testing::runtime rt;
    auto cb = rt.node().spawn<callback>().value();
    auto a = spawn(rt, build(lua::builder{}
                                 .on_handle("local result = ctx.send('callback', 'Hello')\n"
                                            "return result")
                                 .add_recipient("callback", cb.addr())));
    EXPECT_EQ(ask(a, value{"go"}), value{"hello"});
}

TEST(LuaCtx, NotifyLaterDeliversAfterAFractionalDelayInVirtualTime) {
    troupe::testing::runtime rt;
    auto a = spawn(rt, handler(R"(
        if ctx.msg == 'arm' then
            ctx.notify_later('tick', 0.25)
        elseif ctx.msg == 'tick' then
            ctx.state.ticks = (ctx.state.ticks or 0) + 1
        else
            return ctx.state.ticks or 0
        end)"));
    auto t0 = rt.now();
    EXPECT_EQ(ask(a, value{"arm"}), value{});
    rt.advance(249ms);
    EXPECT_EQ(ask(a, value{"count"}), value{0});
    rt.advance(1ms);
    EXPECT_EQ(rt.now() - t0, 250ms);
    EXPECT_EQ(ask(a, value{"count"}), value{1});
    rt.advance(10s);
    EXPECT_EQ(ask(a, value{"count"}), value{1});  // once
}

TEST(LuaCtx, NotifyLaterOfZeroIsNextAndBadDelaysAreErrors) {
    troupe::testing::runtime rt;
    auto a = spawn(rt, handler(R"(
        if ctx.msg == 'now' then ctx.notify_later('tick', 0)
        elseif ctx.msg == 'tick' then ctx.state.ticks = (ctx.state.ticks or 0) + 1
        elseif ctx.msg == 'negative' then
            return select(2, pcall(function() ctx.notify_later('tick', -1) end))
        elseif ctx.msg == 'text' then
            return select(2, pcall(function() ctx.notify_later('tick', 'soon') end))
        else return ctx.state.ticks or 0 end)"));
    EXPECT_EQ(ask(a, value{"now"}), value{});
    rt.advance(0ms);  // due at once, fired on the next turn of the clock
    EXPECT_EQ(ask(a, value{"count"}), value{1});
    EXPECT_EQ(ask(a, value{"negative"}),
              value{"handle:5: ctx.notify_later: the delay must be between 0 and a year in "
                    "seconds, got -1"});
    EXPECT_EQ(ask(a, value{"text"}),
              value{"handle:7: ctx.notify_later: the delay must be a number of seconds, got a "
                    "string"});
}

// --- the ctx functions ---------------------------------------------------------------------

TEST(LuaCtx, NotifyQueuesBehindWaitingMessages) {
    troupe::testing::runtime rt;
    auto a = spawn(rt, handler(R"(
        ctx.state.log = ctx.state.log or {}
        if ctx.msg == 'log' then return ctx.state.log end
        table.insert(ctx.state.log, ctx.msg)
        if ctx.msg == 'first' then ctx.notify('from notify') end)"));
    a.tell(value{"first"});
    a.tell(value{"second"});
    rt.run_until_idle();
    EXPECT_EQ(ask(a, value{"log"}), value{strings({"first", "second", "from notify"})});
}

TEST(LuaCtx, StatePersistsAcrossMessagesAndTakesTables) {
    troupe::testing::runtime rt;
    auto a = spawn(rt, handler(R"(
        ctx.state.n = (ctx.state.n or 0) + ctx.msg
        ctx.state.seen = ctx.state.seen or {}
        ctx.state.seen[#ctx.state.seen + 1] = ctx.msg
        return {n = ctx.state.n, seen = ctx.state.seen})"));
    ask(a, value{1});
    ask(a, value{2});
    auto r = ask(a, value{3});
    EXPECT_EQ(r.at("n"), value{6});
    EXPECT_EQ(r.at("seen"), (value{value::array{1, 2, 3}}));
}

TEST(LuaCtx, SelfIsTheAddressString) {
    troupe::testing::runtime rt;
    auto a = spawn(rt, build(lua::builder{}
                                 .on_started("ctx.state.at_start = ctx.self")
                                 .on_handle("return {ctx.self, ctx.state.at_start}")));
    auto self = a.addr().to_string();
    EXPECT_EQ(ask(a, value{}), (value{value::array{self, self}}));
    EXPECT_EQ(self.front(), '<');
}

TEST(LuaCtx, DoSendTellsARecipientAndDoesNotWait) {
    with_recorder f;
    auto a =
        f.lua_actor(lua::builder{}.on_handle("ctx.do_send('rec', {n = ctx.msg, tag = 'x'})\n"
                                             "return 'sent'"));
    EXPECT_EQ(ask(a, value{7}), value{"sent"});
    f.rt.run_until_idle();
    ASSERT_EQ(f.got().size(), 1u);
    EXPECT_EQ(f.got()[0], (value{value::map{{"n", 7}, {"tag", "x"}}}));
}

TEST(LuaCtx, DoSendOfAnUnsendableValueIsAnErrorNamingThePath) {
    with_recorder f;
    auto a =
        f.lua_actor(lua::builder{}.on_handle("return select(2, pcall(function()\n"
                                             "  ctx.do_send('rec', {items = {1, print}})\n"
                                             "end))"));
    auto r = ask(a, value{});
    ASSERT_TRUE(r.is_string()) << r;
    EXPECT_TRUE(
        r.as_string().starts_with("handle:2: ctx.do_send: msg.items[2]: a function cannot be sent"))
        << r;
    f.rt.run_until_idle();
    EXPECT_TRUE(f.got().empty());
}

TEST(LuaCtx, TerminateRunsStoppedWithReasonNormal) {
    with_recorder f;
    auto a = f.lua_actor(lua::builder{}
                             .on_handle("ctx.state.n = (ctx.state.n or 0) + 1\n"
                                        "if ctx.msg == 'quit' then ctx.terminate() end\n"
                                        "return 'bye ' .. ctx.state.n")
                             .on_stopped("ctx.do_send('rec', {event = 'stopped', reason = "
                                         "ctx.reason, n = ctx.state.n, msg = ctx.msg})"));
    EXPECT_EQ(ask(a, value{"hi"}), value{"bye 1"});
    auto done = a.wait();
    EXPECT_EQ(ask(a, value{"quit"}), value{"bye 2"});  // the handler finishes and replies
    auto late = a.ask(value{"late"}, 1s).get();
    ASSERT_FALSE(late);
    EXPECT_EQ(late.error().code(), errc::no_such_actor);
    EXPECT_EQ(std::move(done).get().value(), exit_reason::normal());
    f.rt.run_until_idle();
    ASSERT_EQ(f.got().size(), 1u);
    EXPECT_EQ(f.got()[0],
              (value{value::map{{"event", "stopped"}, {"reason", "normal"}, {"n", 2}}}));
}

TEST(LuaCtx, StoppedSeesTheErrorReason) {
    with_recorder f;
    auto a = f.lua_actor(
        lua::builder{}.on_handle("error('boom')").on_stopped("ctx.do_send('rec', ctx.reason)"));
    (void)a.ask(value{1}, 1s).get();
    f.rt.run_until_idle();
    ASSERT_EQ(f.got().size(), 1u);
    EXPECT_EQ(f.got()[0], value{"error{handle:1: boom}"});
}

TEST(LuaCtx, WhereisFindsRegisteredNames) {
    troupe::testing::runtime rt;
    auto rec = rt.node().spawn<recorder>().value();
    ASSERT_TRUE(rt.node().register_name("rec", rec.addr()));
    auto a = spawn(rt, handler("return {ctx.whereis(ctx.msg) or 'none'}"));
    EXPECT_EQ(ask(a, value{"rec"}), (value{value::array{rec.addr().to_string()}}));
    EXPECT_EQ(ask(a, value{"nobody"}), (value{value::array{"none"}}));
    // A registered name is also a recipient, without builder::add_recipient.
    auto b = spawn(rt, handler("return ctx.send('rec', ctx.msg)"));
    EXPECT_EQ(ask(b, value{5}), value{5});
}

TEST(LuaCtx, LogWritesAtEachLevelAndRejectsOthers) {
    troupe::testing::runtime rt{troupe::log_level::trace};
    auto sink = std::make_shared<capture_sink>();
    rt.node().logger().sinks().push_back(sink);
    auto a = spawn(rt, handler(R"(
        if ctx.msg == 'bad' then
            return select(2, pcall(function() ctx.log('loud', 'x') end))
        end
        ctx.log(ctx.msg, 'at', ctx.msg, 42, 1.5, true, nil)
        return 'ok')"));
    using lvl = spdlog::level::level_enum;
    const std::pair<const char*, lvl> levels[] = {{"trace", lvl::trace},
                                                  {"debug", lvl::debug},
                                                  {"info", lvl::info},
                                                  {"warn", lvl::warn},
                                                  {"error", lvl::err}};
    for (auto [name, level] : levels) {
        sink->lines.clear();
        EXPECT_EQ(ask(a, value{name}), value{"ok"});
        ASSERT_EQ(sink->lines.size(), 1u) << name;
        EXPECT_EQ(sink->lines[0].first, level) << name;
        auto expected = std::string{"at "} + name + " 42 1.5 true nil";
        const auto& text = sink->lines[0].second;
        EXPECT_TRUE(text.ends_with(": " + expected)) << text;
        EXPECT_TRUE(text.starts_with(a.addr().to_string())) << text;
    }
    EXPECT_EQ(ask(a, value{"bad"}),
              value{"handle:3: bad argument #1 to 'log' (invalid option 'loud')"});
}

TEST(LuaCtx, LogWithAnInvalidLevelUncaughtFailsTheActor) {
    troupe::testing::runtime rt;
    auto a = spawn(rt, handler("ctx.log('verbose', 'x')"));
    auto r = a.ask(value{1}, 1s).get();
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code(), errc::handler_failed);
    EXPECT_EQ(a.wait().get().value(),
              exit_reason::error("handle:1: bad argument #1 to 'log' (invalid option 'verbose')"));
}

// --- ctx.spawn -----------------------------------------------------------------------------

/// A parent that spawns a child on "spawn" (options from the message) and relays numbers.
lua::script parent_script() {
    return handler(R"(
        if ctx.msg == 'spawn' or ctx.msg == 'spawn unlinked' then
            ctx.state.child = ctx.spawn{
                handle = 'ctx.state.n = (ctx.state.n or 0) + 1\nreturn ctx.msg * 2',
                link = ctx.msg == 'spawn',
            }
            return ctx.state.child
        end
        return ctx.send(ctx.state.child, ctx.msg))");
}

TEST(LuaCtx, SpawnedChildAnswersAndDiesWithItsParent) {
    troupe::testing::runtime rt;
    auto parent = spawn(rt, parent_script());
    auto child_text = ask(parent, value{"spawn"});
    ASSERT_TRUE(child_text.is_string()) << child_text;
    auto child = troupe::address::parse(child_text.as_string()).value();
    EXPECT_NE(child, parent.addr());
    EXPECT_EQ(ask(parent, value{21}), value{42});
    EXPECT_EQ(rt.node().ask<value>(child, value{5}, 1s).get().value(), value{10});

    auto child_exit = rt.node().wait(child);
    parent.kill();
    rt.run_until_idle();
    EXPECT_EQ(parent.wait().get().value(), exit_reason::killed());
    EXPECT_EQ(std::move(child_exit).get().value(), exit_reason::killed());
    EXPECT_FALSE(rt.node().is_alive(child));
}

TEST(LuaCtx, SpawnWithLinkFalseOutlivesTheParent) {
    troupe::testing::runtime rt;
    auto parent = spawn(rt, parent_script());
    auto child = troupe::address::parse(ask(parent, value{"spawn unlinked"}).as_string()).value();
    parent.kill();
    rt.run_until_idle();
    EXPECT_TRUE(rt.node().is_alive(child));
    EXPECT_EQ(rt.node().ask<value>(child, value{4}, 1s).get().value(), value{8});
}

TEST(LuaCtx, SpawnedChildKeepsRecipientsAndMayBeNamed) {
    with_recorder f;
    auto parent = f.lua_actor(lua::builder{}.on_handle(R"lua(
        local child = ctx.spawn{
            started = "ctx.do_send('rec', 'child started')",
            handle = "return ctx.send('rec', ctx.msg)",
            stopped = "ctx.do_send('rec', 'child stopped: ' .. ctx.reason)",
            name = 'kid',
        }
        return {child, ctx.whereis('kid'), ctx.send('kid', 'via name')})lua"));
    auto r = ask(parent, value{});
    ASSERT_TRUE(r.is_array()) << r;
    EXPECT_EQ(r.at(0), r.at(1));
    EXPECT_EQ(r.at(2), value{"via name"});
    f.rt.node().stop(troupe::address::parse(r.at(0).as_string()).value());
    f.rt.run_until_idle();
    EXPECT_EQ(f.got(), (value::array{value{"child started"}, value{"via name"},
                                     value{"child stopped: normal"}}));
}

TEST(LuaCtx, SpawnErrorsArePcallable) {
    troupe::testing::runtime rt;
    auto a = spawn(rt, handler(R"(
        local function try(t) return select(2, pcall(function() return ctx.spawn(t) end)) end
        if ctx.msg == 'syntax' then return try{handle = 'return +'} end
        if ctx.msg == 'type' then return try{handle = 42} end
        if ctx.msg == 'started' then return try{handle = 'return 1', started = 'error("no")'} end
        if ctx.msg == 'dup' then
            ctx.spawn{handle = 'return 1', name = 'twin'}
            return try{handle = 'return 2', name = 'twin'}
        end
        if ctx.msg == 'alive' then return 'alive' end)"));
    EXPECT_EQ(ask(a, value{"syntax"}),
              value{"handle:2: ctx.spawn: handle:1: unexpected symbol near '+'"});
    EXPECT_EQ(ask(a, value{"type"}),
              value{"handle:2: ctx.spawn: handle must be a string of Lua source, got a number"});
    auto started = ask(a, value{"started"}).as_string();
    EXPECT_TRUE(started.starts_with("handle:2: ctx.spawn: start failed: ")) << started;
    EXPECT_TRUE(started.ends_with(" failed to start: started:1: no")) << started;
    auto dup = ask(a, value{"dup"});
    auto twin = rt.node().whereis("twin");
    ASSERT_TRUE(twin);
    EXPECT_EQ(dup, value{"handle:2: ctx.spawn: duplicate name: the name 'twin' is taken by " +
                         twin->to_string()});
    EXPECT_EQ(ask(a, value{"alive"}), value{"alive"});
    rt.run_until_idle();
    EXPECT_EQ(rt.node().actor_count(), 2u);  // the first twin; no failed child left behind
}

// --- recipients ----------------------------------------------------------------------------

TEST(LuaCtx, RecipientsByAddressStringFromAMessage) {
    troupe::testing::runtime rt;
    auto rec = rt.node().spawn<recorder>().value();
    auto a = spawn(rt, handler(R"(
        ctx.do_send(ctx.msg.reply_to, ctx.msg.n * 2)
        return ctx.send(ctx.msg.reply_to, ctx.msg.n * 3))"));
    auto r = ask(a, value{value::map{{"reply_to", rec.addr().to_string()}, {"n", 5}}});
    EXPECT_EQ(r, value{15});
    EXPECT_EQ(rec.get()->got, (value::array{value{10}, value{15}}));
}

TEST(LuaCtx, RecipientErrorsArePcallable) {
    troupe::testing::runtime rt;
    auto a = spawn(rt, handler(R"(
        return select(2, pcall(function() return ctx.send(ctx.msg, 1) end)))"));
    EXPECT_EQ(ask(a, value{"nobody"}),
              value{"handle:2: ctx.send: no recipient named \"nobody\" (add it with "
                    "builder::add_recipient, or register the actor under that name)"});
    EXPECT_EQ(ask(a, value{"<oops"}), value{"handle:2: ctx.send: \"<oops\" is not an address"});
    EXPECT_EQ(ask(a, value{42}),
              value{"handle:2: ctx.send: the recipient must be a name or an address string "
                    "such as \"<fff8:3>\", got a number"});
}

// --- the errors of ctx.send ----------------------------------------------------------------

TEST(LuaCtx, SendTimeoutIsPcallableAfterTheTimeoutInVirtualTime) {
    troupe::testing::runtime rt;
    auto slow = rt.node().spawn<holder>().value();
    auto a = spawn(rt, build(lua::builder{}
                                 .on_handle(R"(
        local ok, err = pcall(ctx.send, 'slow', ctx.msg, 0.5)
        return {ok, err})")
                                 .add_recipient("slow", slow.addr())));
    auto t0 = rt.now();
    auto r = ask(a, value{1});
    EXPECT_EQ(rt.now() - t0, 500ms);
    EXPECT_EQ(r, (value{value::array{false, "ctx.send: timeout: no reply from " +
                                                slow.addr().to_string() + " within 500ms"}}));
}

TEST(LuaCtx, SendUsesTheBuildersDefaultTimeout) {
    troupe::testing::runtime rt;
    auto slow = rt.node().spawn<holder>().value();
    auto a = spawn(rt, build(lua::builder{}
                                 .on_handle("return select(2, pcall(function()\n"
                                            "  return ctx.send('slow', 1)\n"
                                            "end))")
                                 .add_recipient("slow", slow.addr())
                                 .send_timeout(200ms)));
    auto t0 = rt.now();
    EXPECT_EQ(ask(a, value{1}), value{"handle:2: ctx.send: timeout: no reply from " +
                                      slow.addr().to_string() + " within 200ms"});
    EXPECT_EQ(rt.now() - t0, 200ms);
}

TEST(LuaCtx, SendToADeadRecipientIsPcallable) {
    troupe::testing::runtime rt;
    auto gone = rt.node().spawn<recorder>().value();
    auto a = spawn(rt, build(lua::builder{}
                                 .on_handle("local ok, e = pcall(function()\n"
                                            "  return ctx.send('gone', 1)\n"
                                            "end)\n"
                                            "return e")
                                 .add_recipient("gone", gone.addr())));
    gone.kill();
    rt.run_until_idle();
    EXPECT_EQ(ask(a, value{1}),
              value{"handle:2: ctx.send: no such actor: no actor at " + gone.addr().to_string()});
}

TEST(LuaCtx, SendToSelfIsRefused) {
    troupe::testing::runtime rt;
    auto a = spawn(rt, handler(R"(
        local to = ctx.msg == 'name' and 'me' or ctx.self
        return select(2, pcall(function() return ctx.send(to, 1) end)))"));
    ASSERT_TRUE(rt.node().register_name("me", a.addr()));
    const value refused{
        "handle:3: ctx.send: an actor cannot wait for its own reply (it handles one message at "
        "a time); use ctx.notify"};
    EXPECT_EQ(ask(a, value{"address"}), refused);
    EXPECT_EQ(ask(a, value{"name"}), refused);
}

TEST(LuaCtx, SendIsRefusedInStartedAndStopped) {
    with_recorder f;
    auto a = f.lua_actor(lua::builder{}
                             .on_started("ctx.state.err = select(2, pcall(function()\n"
                                         "  return ctx.send('rec', 1)\n"
                                         "end))")
                             .on_handle("return ctx.state.err")
                             .on_stopped("local ok, e = pcall(ctx.send, 'rec', 1)\n"
                                         "ctx.do_send('rec', e)"));
    const std::string refused =
        "ctx.send: only the handle script can wait for a reply (started and stopped cannot); "
        "use ctx.do_send there";
    EXPECT_EQ(ask(a, value{}), value{"started:2: " + refused});
    a.stop();
    f.rt.run_until_idle();
    // Called straight through pcall there is no Lua caller to name a line.
    EXPECT_EQ(f.got(), (value::array{value{refused}}));
}

TEST(LuaCtx, SendInStartedWithoutPcallFailsTheSpawn) {
    with_recorder f;
    auto a = f.rt.node().spawn<lua::script_actor>(
        f.script(lua::builder{}.on_started("ctx.send('rec', 1)")));
    ASSERT_FALSE(a);
    EXPECT_EQ(a.error().code(), errc::start_failed);
    EXPECT_NE(a.error().reason().find("started:1: ctx.send: only the handle script can wait"),
              std::string::npos)
        << a.error().reason();
}

TEST(LuaCtx, SendInsideAScriptCoroutineIsRefused) {
    with_recorder f;
    auto a = f.lua_actor(lua::builder{}.on_handle(R"(
        local co = coroutine.create(function()
            return ctx.send('rec', 1)
        end)
        local ok, err = coroutine.resume(co)
        -- Script coroutines themselves still work.
        local gen = coroutine.wrap(function() for i = 1, 3 do coroutine.yield(i) end end)
        return {ok, err, gen() + gen() + gen()})"));
    EXPECT_EQ(ask(a, value{}),
              (value{value::array{false,
                                  "handle:3: ctx.send: cannot wait inside a coroutine the script "
                                  "created; call it from the handler itself",
                                  6}}));
    f.rt.run_until_idle();
    EXPECT_TRUE(f.got().empty());
}

TEST(LuaCtx, SendOfAnUnsendableValueIsPcallable) {
    with_recorder f;
    auto a = f.lua_actor(lua::builder{}.on_handle(R"(
        local t = {} t.self = t
        return select(2, pcall(function() return ctx.send('rec', {a = {t}}) end)))"));
    auto r = ask(a, value{});
    ASSERT_TRUE(r.is_string()) << r;
    EXPECT_TRUE(r.as_string().starts_with("handle:3: ctx.send: msg.a[1]")) << r;
    f.rt.run_until_idle();
    EXPECT_TRUE(f.got().empty());
}

TEST(LuaCtx, SendWorksThroughPcallAndSeveralTimesInOneMessage) {
    with_recorder f;
    auto a = f.lua_actor(lua::builder{}.on_handle(R"(
        local total = 0
        for i = 1, 5 do
            local ok, r = pcall(ctx.send, 'rec', i)
            total = total + r
        end
        return total + ctx.send('rec', 100))"));
    EXPECT_EQ(ask(a, value{}), value{115});
    EXPECT_EQ(f.got().size(), 6u);
}

TEST(LuaCtx, SendTimeoutMustBePositive) {
    with_recorder f;
    auto a =
        f.lua_actor(lua::builder{}.on_handle("return select(2, pcall(function()\n"
                                             "  return ctx.send('rec', 1, ctx.msg)\n"
                                             "end))"));
    EXPECT_EQ(ask(a, value{0}),
              value{"handle:2: ctx.send: the time-out must be above 0 and a year in seconds, got "
                    "0"});
    EXPECT_EQ(ask(a, value{-0.5}),
              value{"handle:2: ctx.send: the time-out must be above 0 and a year in seconds, got "
                    "-0.5"});
    EXPECT_EQ(ask(a, value{0.001}), value{1});
    f.rt.run_until_idle();
    EXPECT_EQ(f.got(), (value::array{value{1}}));
}

TEST(LuaCtx, SendToAFailingLuaActorIsPcallable) {
    troupe::testing::runtime rt;
    auto failing = spawn(rt, handler("error('cannot answer ' .. ctx.msg)"));
    auto a = spawn(rt, build(lua::builder{}
                                 .on_handle("local ok, e = pcall(ctx.send, 'other', 'x')\n"
                                            "return {ok, e, ctx.msg}")
                                 .add_recipient("other", failing.addr())));
    EXPECT_EQ(ask(a, value{"mine"}),
              (value{value::array{false, "ctx.send: handler failed: handle:1: cannot answer x",
                                  "mine"}}));
    EXPECT_EQ(failing.wait().get().value(), exit_reason::error("handle:1: cannot answer x"));
}

TEST(LuaCtx, KilledWhileWaitingInSendRunsStopped) {
    slow_fixture f;
    auto a = f.lua_actor(lua::builder{}
                             .on_handle("ctx.state.waiting = true\n"
                                        "local r = ctx.send('slow', 1)\n"
                                        "ctx.do_send('rec', 'after send')")
                             .on_stopped("ctx.do_send('rec', {ctx.reason, "
                                         "ctx.state.waiting, ctx.msg == nil})"));
    auto asked = a.ask(value{"go"}, 10s);
    f.rt.run_until_idle();
    ASSERT_EQ(f.slow.get()->waiting.size(), 1u);
    a.kill();
    f.rt.run_until_idle();
    auto r = std::move(asked).get();
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().code(), errc::timeout) << r.error().message();
    EXPECT_EQ(f.rec.get()->got, (value::array{value{value::array{"killed", true, true}}}));
    // The late reply goes nowhere and harms nothing.
    f.slow.get()->waiting[0].send(value{2});
    f.rt.run_until_idle();
    EXPECT_EQ(f.rec.get()->got.size(), 1u);
}

TEST(LuaCtx, StoppedWhileWaitingInSendFinishesOrFailsCleanly) {
    slow_fixture f;
    auto a = f.lua_actor(lua::builder{}
                             .on_handle("local r = ctx.send('slow', 1)\n"
                                        "ctx.do_send('rec', 'after send')\n"
                                        "return r")
                             .on_stopped("ctx.do_send('rec', 'stopped ' .. ctx.reason)"));
    auto asked = a.ask(value{"go"}, 10s);
    f.rt.run_until_idle();
    auto exited = a.wait();
    a.stop();
    f.rt.run_until_idle();
    if (!f.slow.get()->waiting.empty()) f.slow.get()->waiting[0].send(value{2});
    f.rt.run_until_idle();
    EXPECT_EQ(std::move(exited).get().value(), exit_reason::normal());
    ASSERT_FALSE(f.rec.get()->got.empty());
    EXPECT_EQ(f.rec.get()->got.back(), value{"stopped normal"});
    (void)std::move(asked).get();  // answered or failed, never left hanging
}

TEST(LuaCtx, MessageStaysTheSameAcrossSend) {
    troupe::testing::runtime rt;
    auto echo = spawn(rt, handler("return 'echo ' .. ctx.msg"));
    auto a = spawn(rt, build(lua::builder{}
                                 .on_handle("local before = ctx.msg\n"
                                            "local r = ctx.send('echo', 'q')\n"
                                            "return {before, r, ctx.msg}")
                                 .add_recipient("echo", echo.addr())));
    EXPECT_EQ(ask(a, value{"m1"}), (value{value::array{"m1", "echo q", "m1"}}));
    EXPECT_EQ(ask(a, value{"m2"}), (value{value::array{"m2", "echo q", "m2"}}));
}

// --- one message at a time -----------------------------------------------------------------

TEST(LuaCtx, WhileSendWaitsNoOtherMessageIsHandled) {
    slow_fixture f;
    auto a = f.lua_actor(lua::builder{}.on_handle(R"(
        ctx.do_send('rec', 'begin ' .. ctx.msg)
        if ctx.msg == 'first' then
            local r = ctx.send('slow', 'question')
            ctx.do_send('rec', 'first got ' .. r)
        end
        ctx.do_send('rec', 'end ' .. ctx.msg))"));
    a.tell(value{"first"});
    a.tell(value{"second"});
    f.rt.run_until_idle();
    EXPECT_EQ(f.rec.get()->got, (value::array{value{"begin first"}}));
    ASSERT_EQ(f.slow.get()->waiting.size(), 1u);

    f.slow.get()->waiting[0].send(value{"answer"});
    f.rt.run_until_idle();
    EXPECT_EQ(f.rec.get()->got,
              (value::array{value{"begin first"}, value{"first got answer"}, value{"end first"},
                            value{"begin second"}, value{"end second"}}));
}

TEST(LuaCtx, ABusyActorCannotAnswerTheOneItWaitsFor) {
    // The parent waits for the child, which asks the parent back: the parent handles nothing
    // while it waits, so the child's ask times out (1 s), and the child says so.
    troupe::testing::runtime rt;
    auto parent = spawn(rt, handler(R"(
        if ctx.msg == 'start' then
            ctx.state.child = ctx.spawn{handle = [[
                local ok, e = pcall(ctx.send, ctx.msg, 'are you there?', 1)
                return ok and 'answered' or e
            ]]}
            return 'started'
        elseif ctx.msg == 'are you there?' then
            return 'yes'
        end
        return ctx.send(ctx.state.child, ctx.self, 2))"));
    EXPECT_EQ(ask(parent, value{"start"}), value{"started"});
    auto t0 = rt.now();
    EXPECT_EQ(ask(parent, value{"go"}), value{"ctx.send: timeout: no reply from " +
                                              parent.addr().to_string() + " within 1000ms"});
    EXPECT_EQ(rt.now() - t0, 1s);
    // The child's question reaches the parent after all, once it is free again; the answer
    // arrives too late for the child, which is not waiting any more.
    EXPECT_EQ(ask(parent, value{"are you there?"}), value{"yes"});
}

TEST(LuaCtx, StartedMaySpawnAndTerminate) {
    with_recorder f;
    auto s = f.script(lua::builder{}
                          .on_started("ctx.state.child = ctx.spawn{handle = 'return ctx.msg + 1'}\n"
                                      "if ctx.state.quit then ctx.terminate() end")
                          .on_handle("return ctx.send(ctx.state.child, ctx.msg)")
                          .on_stopped("ctx.do_send('rec', 'stopped ' .. ctx.reason)"));
    auto a = spawn(f.rt, s);
    EXPECT_EQ(ask(a, value{1}), value{2});
    EXPECT_EQ(f.rt.node().actor_count(), 3u);  // recorder, a and its child
    // The child is linked to the actor whose started spawned it.
    a.kill();
    f.rt.run_until_idle();
    EXPECT_EQ(f.rt.node().actor_count(), 1u);
    EXPECT_EQ(f.got(), (value::array{value{"stopped killed"}}));
}

TEST(LuaCtx, TerminateInStartedStopsTheActorAfterItStarts) {
    with_recorder f;
    auto a = f.rt.node().spawn<lua::script_actor>(
        f.script(lua::builder{}
                     .on_started("ctx.terminate()")
                     .on_handle("return 'handled'")
                     .on_stopped("ctx.do_send('rec', 'stopped ' .. ctx.reason)")));
    ASSERT_TRUE(a) << a.error().message();
    EXPECT_EQ(a->wait().get().value(), exit_reason::normal());
    f.rt.run_until_idle();
    EXPECT_EQ(f.got(), (value::array{value{"stopped normal"}}));
}

TEST(LuaCtx, NoHandleScriptAnswersNil) {
    troupe::testing::runtime rt;
    auto a = spawn(rt, build(lua::builder{}.on_started("ctx.state.x = 1")));
    EXPECT_EQ(ask(a, value{1}), value{});
    EXPECT_EQ(ask(a, value{"again"}), value{});
}

TEST(LuaCtx, StateMayBeReplacedByTheScript) {
    troupe::testing::runtime rt;
    auto a = spawn(rt, handler(R"(
        if ctx.msg == 'reset' then ctx.state = {n = 100} return nil end
        ctx.state.n = (ctx.state.n or 0) + 1
        return ctx.state.n)"));
    EXPECT_EQ(ask(a, value{"inc"}), value{1});
    EXPECT_EQ(ask(a, value{"reset"}), value{});
    EXPECT_EQ(ask(a, value{"inc"}), value{101});
}

// --- typed C++ actors ----------------------------------------------------------------------

struct typed_fixture {
    troupe::testing::runtime rt;
    troupe::codec::registry reg;
    troupe::ref<ctx_test_msgs::store> store = rt.node().spawn<ctx_test_msgs::store>().value();

    typed_fixture() { EXPECT_TRUE(reg.expose(store)); }

    troupe::ref<lua::script_actor> lua_actor(std::string code) {
        return spawn(rt, build(lua::builder{}
                                   .on_handle(std::move(code))
                                   .add_recipient("store", store.addr())
                                   .registry(reg)));
    }
};

TEST(LuaCtx, SendToATypedActorConvertsBothWays) {
    typed_fixture f;
    auto a = f.lua_actor(R"(
        ctx.send('store', 'test.SetValue', {key = 'a', value = 5})
        return ctx.send('store', 'test.SetValue', {key = 'a', value = ctx.msg}))");
    EXPECT_EQ(ask(a, value{7}), (value{value::map{{"key", "a"}, {"total", 12}, {"writes", 2}}}));
    EXPECT_EQ(f.store.get()->entries.at("a"), 12);
}

TEST(LuaCtx, TypedReplyOfAnOptionalComesBackAsNil) {
    typed_fixture f;
    auto a = f.lua_actor(R"(
        local missing = ctx.send('store', 'test.GetValue', {key = 'none'})
        ctx.send('store', 'test.SetValue', {key = 'k', value = 3})
        return {missing == nil, ctx.send('store', 'test.GetValue', {key = 'k'})})");
    EXPECT_EQ(ask(a, value{}), (value{value::array{true, 3}}));
}

TEST(LuaCtx, TypedActorByAddressString) {
    typed_fixture f;
    auto a = f.lua_actor(R"(
        return ctx.send(ctx.msg, 'test.SetValue', {key = 'z', value = 1}).total)");
    EXPECT_EQ(ask(a, value{f.store.addr().to_string()}), value{1});
}

TEST(LuaCtx, TypedFieldMismatchNamesTheField) {
    typed_fixture f;
    auto a = f.lua_actor(R"(
        local ok, e = pcall(function()
            return ctx.send('store', 'test.SetValue', {key = 'a', value = 'five'})
        end)
        return e)");
    EXPECT_EQ(ask(a, value{}),
              value{"handle:3: ctx.send: bad message: test.SetValue.value: expected int64, got "
                    "string"});
    EXPECT_TRUE(f.store.get()->entries.empty());
}

TEST(LuaCtx, TypedActorWithoutTypeNameListsTheHandledTypes) {
    typed_fixture f;
    auto a = f.lua_actor(R"(
        local function try(fn) return select(2, pcall(fn)) end
        if ctx.msg == 'none' then
            return try(function() return ctx.send('store', {key = 'a', value = 1}) end)
        elseif ctx.msg == 'unknown' then
            return try(function() return ctx.send('store', 'test.Nope', {}) end)
        end)");
    auto label = "\"store\" (" + f.store.addr().to_string() + ")";
    EXPECT_EQ(ask(a, value{"none"}),
              value{"handle:4: ctx.send: " + label +
                    " is a typed actor: name the message type, as in ctx.send(to, \"Type\", "
                    "msg) (it handles test.SetValue, test.GetValue)"});
    EXPECT_EQ(ask(a, value{"unknown"}),
              value{"handle:6: ctx.send: " + label +
                    " handles no message named \"test.Nope\" (it handles test.SetValue, "
                    "test.GetValue)"});
}

TEST(LuaCtx, TypedDoSend) {
    typed_fixture f;
    auto a = f.lua_actor(R"(
        if ctx.msg == 'bad' then
            return select(2, pcall(function()
                ctx.do_send('store', 'test.SetValue', {key = 'b', value = 1.5})
            end))
        end
        ctx.do_send('store', 'test.SetValue', {key = 'b', value = ctx.msg})
        return 'told')");
    EXPECT_EQ(ask(a, value{9}), value{"told"});
    f.rt.run_until_idle();
    EXPECT_EQ(f.store.ask(ctx_test_msgs::GetValue{"b"}, 1s).get().value(),
              std::optional<std::int64_t>{9});
    EXPECT_EQ(ask(a, value{"bad"}),
              value{"handle:4: ctx.do_send: bad message: test.SetValue.value: expected int64, "
                    "got double"});
    f.rt.run_until_idle();
    EXPECT_EQ(f.store.get()->writes, 1);
}

TEST(LuaCtx, DeadTypedActorIsNoSuchActor) {
    typed_fixture f;
    auto a = f.lua_actor(R"(
        if ctx.msg == 'send' then
            return select(2, pcall(function()
                return ctx.send('store', 'test.SetValue', {key = 'a', value = 1})
            end))
        end
        ctx.do_send('store', 'test.SetValue', {key = 'a', value = 1})
        return 'told')");
    auto store_addr = f.store.addr();
    f.store.kill();
    f.rt.run_until_idle();
    EXPECT_EQ(ask(a, value{"send"}),
              value{"handle:4: ctx.send: no such actor: no actor at " + store_addr.to_string()});
    // A tell to an actor that is gone is a dead letter, as for any tell.
    EXPECT_EQ(ask(a, value{"tell"}), value{"told"});
}

TEST(LuaCtx, TypeNameToAnUntypedActorIsAnError) {
    with_recorder f;
    auto a = f.lua_actor(lua::builder{}.on_handle(R"(
        if ctx.msg == 'send' then
            return select(2, pcall(function() return ctx.send('rec', 'T', {x = 1}) end))
        end
        return select(2, pcall(function() ctx.do_send('rec', 'T', {x = 1}) end)))"));
    auto label = "\"rec\" (" + f.rec.addr().to_string() + ")";
    EXPECT_EQ(ask(a, value{"send"}),
              value{"handle:3: ctx.send: " + label +
                    " is not a typed actor (none exposed in the script's registry at that "
                    "address): call ctx.send(to, msg [, seconds])"});
    EXPECT_EQ(ask(a, value{"do_send"}),
              value{"handle:5: ctx.do_send: " + label +
                    " is not a typed actor (none exposed in the script's registry at that "
                    "address): call ctx.do_send(to, msg)"});
    f.rt.run_until_idle();
    EXPECT_TRUE(f.got().empty());
}

TEST(LuaCtx, CppActorsAskALuaActor) {
    troupe::testing::runtime rt;
    auto a = spawn(rt, handler("return ctx.msg * 10"));
    // By address, as any actor would.
    EXPECT_EQ(rt.node().ask<value>(a.addr(), value{4}, 1s).get().value(), value{40});
    // Through the typed ref.
    EXPECT_EQ(a.ask(value{5}, 1s).get().value(), value{50});
    // From inside a C++ actor's coroutine handler.
    auto c = rt.node().spawn<asker>().value();
    auto r = c.ask(value{value::map{{"to", a.addr().to_string()}, {"msg", 6}}}, 1s).get();
    ASSERT_TRUE(r) << r.error().message();
    EXPECT_EQ(*r, value{61});
    // A reply of the wrong type for the asker is bad_reply_type.
    auto wrong = rt.node().ask<int>(a.addr(), value{1}, 1s).get();
    ASSERT_FALSE(wrong);
    EXPECT_EQ(wrong.error().code(), errc::bad_reply_type);
}

}  // namespace

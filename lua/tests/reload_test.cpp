// Hot reload of a running Lua actor: keep_state and fresh_state, a reload refused at build(),
// a reload whose started fails (the old scripts and state stay), and the order of messages
// queued around a reload.

#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include <troupe/lua/script_actor.hpp>
#include <troupe/testing/runtime.hpp>

#include "support/lua_test.hpp"

using namespace lua_test;
using troupe::errc;

namespace {

troupe::result<void> reload(const troupe::ref<lua::script_actor>& a, const lua::script& s,
                            lua::reload_mode mode) {
    return a.ask(lua::reload{s, mode}, 1s).get();
}

// Version 1 counts messages in ctx.state and a global, and counts its started runs.
const char* started_v1 = "ctx.state.starts = (ctx.state.starts or 0) + 1\nctx.state.n = 0";
const char* handle_v1 = R"(
    calls = (calls or 0) + 1
    ctx.state.n = ctx.state.n + 1
    return {v = 1, n = ctx.state.n, starts = ctx.state.starts, calls = calls})";
// Version 2 does the same, counting by ten.
const char* started_v2 = "ctx.state.starts = (ctx.state.starts or 0) + 1\nctx.state.n = 1000";
const char* handle_v2 = R"(
    calls = (calls or 0) + 1
    ctx.state.n = ctx.state.n + 10
    return {v = 2, n = ctx.state.n, starts = ctx.state.starts, calls = calls})";

value reply(int v, int n, int starts, int calls) {
    return value{value::map{{"v", v}, {"n", n}, {"starts", starts}, {"calls", calls}}};
}

lua::script v1() {
    return build(lua::builder{}.on_started(started_v1).on_handle(handle_v1));
}
lua::script v2() {
    return build(lua::builder{}.on_started(started_v2).on_handle(handle_v2));
}

/// An actor answering 'v1' whose stopped script tells the recorder "old stopped".
struct stopped_fixture : with_recorder {
    troupe::ref<lua::script_actor> a = lua_actor(
        lua::builder{}.on_handle("return 'v1'").on_stopped("ctx.do_send('rec', 'old stopped')"));

    /// Stops the actor and gives what the recorder has received.
    const std::vector<value>& stop() {
        a.stop();
        rt.run_until_idle();
        return got();
    }
};

TEST(LuaReload, KeepStateKeepsStateAndGlobalsAndSkipsStarted) {
    troupe::testing::runtime rt;
    auto a = spawn(rt, v1());
    EXPECT_EQ(ask(a, value{}, 1s), reply(1, 1, 1, 1));
    EXPECT_EQ(ask(a, value{}, 1s), reply(1, 2, 1, 2));
    auto r = reload(a, v2(), lua::reload_mode::keep_state);
    ASSERT_TRUE(r) << r.error().message();
    EXPECT_EQ(ask(a, value{}, 1s), reply(2, 12, 1, 3));
    EXPECT_EQ(ask(a, value{}, 1s), reply(2, 22, 1, 4));
}

TEST(LuaReload, FreshStateStartsOverAndRunsTheNewStarted) {
    troupe::testing::runtime rt;
    auto a = spawn(rt, v1());
    EXPECT_EQ(ask(a, value{}, 1s), reply(1, 1, 1, 1));
    auto r = reload(a, v2(), lua::reload_mode::fresh_state);
    ASSERT_TRUE(r) << r.error().message();
    // A new ctx.state (starts counts from nothing again); globals are the VM's and stay.
    EXPECT_EQ(ask(a, value{}, 1s), reply(2, 1010, 1, 2));
}

TEST(LuaReload, TheNewStoppedRunsAtExit) {
    stopped_fixture f;
    auto next = f.script(lua::builder{}
                             .on_handle("return 'v2'")
                             .on_stopped("ctx.do_send('rec', 'new stopped ' .. ctx.reason)"));
    ASSERT_TRUE(reload(f.a, next, lua::reload_mode::keep_state));
    EXPECT_EQ(ask(f.a, value{}, 1s), value{"v2"});
    EXPECT_EQ(f.stop(), (value::array{value{"new stopped normal"}}));
}

TEST(LuaReload, ASyntaxErrorIsRefusedAtBuild) {
    troupe::testing::runtime rt;
    auto a = spawn(rt, v1());
    EXPECT_EQ(ask(a, value{}, 1s), reply(1, 1, 1, 1));
    auto broken = lua::builder{}.on_handle("return ctx.state.n +").build();
    ASSERT_FALSE(broken);
    EXPECT_EQ(broken.error().code(), errc::invalid_argument);
    EXPECT_EQ(broken.error().reason(), "handle:1: unexpected symbol near <eof>");
    // with_sources checks the same way.
    auto other = v1().with_sources({}, {"return = 1", "handle"}, {});
    ASSERT_FALSE(other);
    EXPECT_EQ(other.error().code(), errc::invalid_argument);
    EXPECT_EQ(other.error().reason(), "handle:1: unexpected symbol near '='");
    EXPECT_EQ(ask(a, value{}, 1s), reply(1, 2, 1, 2));
}

TEST(LuaReload, AFailingStartedLeavesTheOldScriptsAndState) {
    troupe::testing::runtime rt;
    auto a = spawn(rt, v1());
    EXPECT_EQ(ask(a, value{}, 1s), reply(1, 1, 1, 1));
    EXPECT_EQ(ask(a, value{}, 1s), reply(1, 2, 1, 2));
    auto bad = build(lua::builder{}
                         .on_started("ctx.state.n = 'garbage'\nerror('no config')")
                         .on_handle("return 'never'"));
    auto r = reload(a, bad, lua::reload_mode::fresh_state);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code(), errc::start_failed);
    EXPECT_EQ(r.error().reason(), "the new started script failed: started:2: no config");
    // Still v1, with its state (n was not touched by the failed started).
    EXPECT_EQ(ask(a, value{}, 1s), reply(1, 3, 1, 3));
    // A later reload works.
    ASSERT_TRUE(reload(a, v2(), lua::reload_mode::keep_state));
    EXPECT_EQ(ask(a, value{}, 1s), reply(2, 13, 1, 4));
}

TEST(LuaReload, AFailedReloadDoesNotChangeTheStoppedScript) {
    stopped_fixture f;
    auto bad = f.script(
        lua::builder{}.on_started("error('nope')").on_stopped("ctx.do_send('rec', 'new stopped')"));
    EXPECT_FALSE(reload(f.a, bad, lua::reload_mode::fresh_state));
    EXPECT_EQ(ask(f.a, value{}, 1s), value{"v1"});
    EXPECT_EQ(f.stop(), (value::array{value{"old stopped"}}));
}

TEST(LuaReload, RecipientsAndLimitsStayAcrossAReload) {
    with_recorder f;
    auto a = f.lua_actor(lua::builder{}
                             .on_handle("return ctx.send('rec', 'v1')")
                             .limits({.memory = 8 << 20, .instructions = 100000}));
    EXPECT_EQ(ask(a, value{}, 1s), value{"v1"});
    // The new script is built with no recipients and default limits: the actor's own
    // settings stay (script_actor.hpp: "limits, libraries and recipients stay").
    auto next = build(lua::builder{}.on_handle(
        "if ctx.msg == 'spin' then while true do end end\nreturn ctx.send('rec', 'v2')"));
    ASSERT_TRUE(reload(a, next, lua::reload_mode::keep_state));
    EXPECT_EQ(ask(a, value{}, 1s), value{"v2"});
    auto spun = a.ask(value{"spin"}, 1s).get();
    ASSERT_FALSE(spun);
    auto why = a.wait().get().value();
    EXPECT_NE(why.detail().find("more than 100000 instructions"), std::string::npos)
        << why.to_string();
}

TEST(LuaReload, MessagesQueuedAroundAReloadKeepTheirOrder) {
    with_recorder f;
    auto script_of = [&](const char* tag) {
        return f.script(
            lua::builder{}.on_handle(std::string{"ctx.do_send('rec', '"} + tag + ":' .. ctx.msg)"));
    };
    auto a = spawn(f.rt, script_of("v1"));
    a.tell(value{1});
    a.tell(value{2});
    auto first = a.ask(lua::reload{script_of("v2"), lua::reload_mode::keep_state}, 1s);
    a.tell(value{3});
    auto second = a.ask(lua::reload{script_of("v3"), lua::reload_mode::fresh_state}, 1s);
    a.tell(value{4});
    a.tell(value{5});
    EXPECT_TRUE(f.got().empty());  // nothing ran yet
    f.rt.run_until_idle();
    EXPECT_TRUE(std::move(first).get());
    EXPECT_TRUE(std::move(second).get());
    EXPECT_EQ(f.got(), (value::array{value{"v1:1"}, value{"v1:2"}, value{"v2:3"}, value{"v3:4"},
                                     value{"v3:5"}}));
}

TEST(LuaReload, AReloadWaitsForAHandlerThatIsInCtxSend) {
    with_recorder f;
    auto a =
        f.lua_actor(lua::builder{}.on_handle("local r = ctx.send('rec', ctx.msg)\n"
                                             "return 'v1 got ' .. r"));
    auto asked = a.ask(value{"x"}, 1s);
    auto reloaded =
        a.ask(lua::reload{build(lua::builder{}.on_handle("return 'v2 got ' .. ctx.msg")),
                          lua::reload_mode::keep_state},
              1s);
    auto after = a.ask(value{"y"}, 1s);
    EXPECT_EQ(std::move(asked).get().value(), value{"v1 got x"});
    EXPECT_TRUE(std::move(reloaded).get());
    EXPECT_EQ(std::move(after).get().value(), value{"v2 got y"});
}

}  // namespace

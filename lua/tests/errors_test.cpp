// How a Lua actor fails: runtime errors (strings and other objects), scripts in files,
// syntax errors and missing files at build(), started and stopped failing, a yield where
// none may happen, and a supervisor restarting a crashed Lua actor.

#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include <troupe/lua/script_actor.hpp>
#include <troupe/supervisor.hpp>
#include <troupe/testing/runtime.hpp>

#include "support/lua_test.hpp"

using namespace lua_test;
using troupe::errc;
using troupe::exit_reason;

namespace {

const std::string scripts = TROUPE_LUA_TEST_SCRIPTS;

/// How Lua shows a file's chunk name in a message: whole up to 59 characters, else "..."
/// and the last 56.
std::string lua_short(const std::string& path) {
    return path.size() <= 59 ? path : "..." + path.substr(path.size() - 56);
}

// --- runtime errors ------------------------------------------------------------------------

TEST(LuaErrors, RuntimeErrorFailsTheActorWithTheLine) {
    troupe::testing::runtime rt;
    auto sink = std::make_shared<capture_sink>();
    rt.node().logger().sinks().push_back(sink);
    auto a =
        spawn(rt, build(lua::builder{}.on_handle("local t = {}\n"
                                                 "local function f() error('no ' .. ctx.msg) end\n"
                                                 "f()")));
    EXPECT_EQ(crash(a, value{"luck"}), exit_reason::error("handle:2: no luck"));
    // The traceback is logged at error level, with the frames.
    rt.run_until_idle();
    ASSERT_TRUE(sink->contains("handle:2: no luck")) << sink->lines.size();
    bool traceback = false;
    for (const auto& [level, line] : sink->lines) {
        if (level == spdlog::level::err && line.find("stack traceback:") != std::string::npos &&
            line.find("handle:3:") != std::string::npos)
            traceback = true;
    }
    EXPECT_TRUE(traceback);
}

TEST(LuaErrors, AskersOfQueuedMessagesAreToldToo) {
    troupe::testing::runtime rt;
    auto a = spawn(rt, build(lua::builder{}.on_handle("if ctx.msg == 1 then error('one') end\n"
                                                      "return ctx.msg")));
    auto first = a.ask(value{1}, 1s);
    auto second = a.ask(value{2}, 1s);
    auto r1 = std::move(first).get();
    auto r2 = std::move(second).get();
    ASSERT_FALSE(r1);
    EXPECT_EQ(r1.error().code(), errc::handler_failed);
    ASSERT_FALSE(r2);
    EXPECT_NE(r2.error().code(), errc::timeout) << r2.error().message();
    EXPECT_EQ(a.wait().get().value(), exit_reason::error("handle:1: one"));
}

TEST(LuaErrors, ScriptFromAFileNamesThePath) {
    troupe::testing::runtime rt;
    auto path = scripts + "/errors_fail.lua";
    auto a = spawn(rt, build(lua::builder{}.on_handle_file(path)));
    auto ok = a.ask(value{"fine"}, 1s).get();
    ASSERT_TRUE(ok) << ok.error().message();
    EXPECT_EQ(*ok, value{"fine"});
    EXPECT_EQ(crash(a, value{"fail"}), exit_reason::error(lua_short(path) + ":4: asked to fail"));
}

TEST(LuaErrors, ALongPathKeepsItsFileName) {
    troupe::testing::runtime rt;
    auto path = scripts +
                "/a_directory_with_a_long_name_so_the_chunk_name_runs_past_sixty_characters/"
                "errors_deep.lua";
    ASSERT_GT(path.size(), 59u);
    auto a = spawn(rt, build(lua::builder{}.on_handle_file(path)));
    auto why = crash(a, value{});
    EXPECT_EQ(why, exit_reason::error(lua_short(path) + ":2: deep failure"));
    EXPECT_TRUE(why.detail().starts_with("...")) << why;
    EXPECT_NE(why.detail().find("/errors_deep.lua:2: deep failure"), std::string::npos) << why;
}

TEST(LuaErrors, NonStringErrorObjectsGiveReadableReasons) {
    troupe::testing::runtime rt;
    auto a = spawn(rt, build(lua::builder{}.on_handle("error({code = 1})")));
    EXPECT_EQ(crash(a, value{}), exit_reason::error("error object {\"code\": 1}"));
    auto b = spawn(rt, build(lua::builder{}.on_handle("error(42)")));
    EXPECT_EQ(crash(b, value{}), exit_reason::error("42"));
    auto c = spawn(rt, build(lua::builder{}.on_handle("error()")));
    EXPECT_EQ(crash(c, value{}), exit_reason::error("(error object is a nil value)"));
    auto d = spawn(rt, build(lua::builder{}.on_handle("error('no position', 0)")));
    EXPECT_EQ(crash(d, value{}), exit_reason::error("no position"));
}

TEST(LuaErrors, AReplyThatCannotBeSentFailsTheActor) {
    troupe::testing::runtime rt;
    auto a = spawn(rt, build(lua::builder{}.on_handle("return {f = print}")));
    auto why = crash(a, value{});
    EXPECT_EQ(why.what(), exit_reason::kind::error);
    EXPECT_TRUE(why.detail().starts_with(
        "the handle script returned a value that cannot be sent: reply.f: a function cannot be "
        "sent"))
        << why;
}

TEST(LuaErrors, YieldAtTheTopOfHandleFailsClearly) {
    troupe::testing::runtime rt;
    const std::string why =
        "the handle script yielded outside ctx.send (coroutine.yield in the handler itself; "
        "yield only inside coroutines the script creates)";
    auto a = spawn(rt, build(lua::builder{}.on_handle("coroutine.yield(1)\nreturn 2")));
    EXPECT_EQ(crash(a, value{}), exit_reason::error(why));
    // Through pcall too: a yield across pcall reaches the handler's coroutine all the same.
    auto b = spawn(rt, build(lua::builder{}.on_handle("pcall(coroutine.yield, 1)\nreturn 2")));
    EXPECT_EQ(crash(b, value{}), exit_reason::error(why));
    // The node is fine.
    auto c = spawn(rt, build(lua::builder{}.on_handle("return 3")));
    EXPECT_EQ(c.ask(value{}, 1s).get().value(), value{3});
}

// --- build() -------------------------------------------------------------------------------

TEST(LuaErrors, SyntaxErrorFailsBuildWithLuasMessage) {
    auto h = lua::builder{}.on_handle("local x = 1\nreturn x +").build();
    ASSERT_FALSE(h);
    EXPECT_EQ(h.error().code(), errc::invalid_argument);
    EXPECT_EQ(h.error().reason(), "handle:2: unexpected symbol near <eof>");

    auto s = lua::builder{}.on_handle("return 1").on_started("ctx.state.x = = 1").build();
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error().code(), errc::invalid_argument);
    EXPECT_EQ(s.error().reason(), "started:1: unexpected symbol near '='");

    auto t = lua::builder{}.on_stopped("end").build();
    ASSERT_FALSE(t);
    EXPECT_EQ(t.error().reason(), "stopped:1: <eof> expected near 'end'");
}

TEST(LuaErrors, SyntaxErrorInAFileNamesThePathAndLine) {
    auto path = scripts + "/errors_syntax.lua";
    auto s = lua::builder{}.on_handle_file(path).build();
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error().code(), errc::invalid_argument);
    EXPECT_EQ(s.error().reason(), path + ":3: unexpected symbol near '*'");
}

TEST(LuaErrors, SyntaxErrorInADeepFileKeepsItsFileName) {
    auto path = scripts +
                "/a_directory_with_a_long_name_so_the_chunk_name_runs_past_sixty_characters/"
                "errors_deep_syntax.lua";
    auto s = lua::builder{}.on_handle_file(path).build();
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error().reason(), lua_short(path) + ":2: unexpected symbol near '='");
}

TEST(LuaErrors, MissingFileFailsBuildNamingIt) {
    auto path = scripts + "/no_such_script.lua";
    auto s = lua::builder{}.on_handle_file(path).build();
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error().code(), errc::invalid_argument);
    EXPECT_EQ(s.error().reason(),
              "cannot read the handle script " + path + ": No such file or directory");
    auto t = lua::builder{}.on_stopped_file(path).build();
    ASSERT_FALSE(t);
    EXPECT_EQ(t.error().reason(),
              "cannot read the stopped script " + path + ": No such file or directory");
}

TEST(LuaErrors, ZeroLimitsAndTimeoutAreInvalid) {
    auto m = lua::builder{}.limits({.memory = 0, .instructions = 1000}).build();
    ASSERT_FALSE(m);
    EXPECT_EQ(m.error().code(), errc::invalid_argument);
    auto i = lua::builder{}.limits({.memory = 1 << 20, .instructions = 0}).build();
    ASSERT_FALSE(i);
    EXPECT_EQ(i.error().code(), errc::invalid_argument);
    auto t = lua::builder{}.send_timeout(troupe::duration::zero()).build();
    ASSERT_FALSE(t);
    EXPECT_EQ(t.error().reason(), "send_timeout must be above zero");
}

// --- started and stopped -------------------------------------------------------------------

TEST(LuaErrors, FailingStartedFailsTheSpawn) {
    troupe::testing::runtime rt;
    auto a = rt.node().spawn<lua::script_actor>(
        build(lua::builder{}.on_started("local cfg = nil\nctx.state.port = cfg.port")));
    ASSERT_FALSE(a);
    EXPECT_EQ(a.error().code(), errc::start_failed);
    EXPECT_TRUE(a.error().reason().ends_with(
        "failed to start: started:2: attempt to index a nil value (local 'cfg')"))
        << a.error().reason();
    rt.run_until_idle();
    EXPECT_EQ(rt.node().actor_count(), 0u);
}

TEST(LuaErrors, FailingStartedFromAFileNamesThePath) {
    troupe::testing::runtime rt;
    auto path = scripts + "/errors_started.lua";
    auto a = rt.node().spawn<lua::script_actor>(build(lua::builder{}.on_started_file(path)));
    ASSERT_FALSE(a);
    EXPECT_EQ(a.error().code(), errc::start_failed);
    EXPECT_TRUE(a.error().reason().ends_with(lua_short(path) + ":3: cannot start: no config"))
        << a.error().reason();
}

TEST(LuaErrors, ErrorInStoppedIsLoggedAndHarmless) {
    troupe::testing::runtime rt;
    auto sink = std::make_shared<capture_sink>();
    rt.node().logger().sinks().push_back(sink);
    auto a =
        spawn(rt, build(lua::builder{}
                            .on_handle("return 'up'")
                            .on_stopped("local x = ctx.reason\nerror('stopped badly: ' .. x)")));
    EXPECT_EQ(a.ask(value{}, 1s).get().value(), value{"up"});
    auto why = a.stop_and_wait(1s).get();
    ASSERT_TRUE(why);
    EXPECT_EQ(*why, exit_reason::normal());
    EXPECT_TRUE(sink->contains("the stopped script failed: stopped:2: stopped badly: normal"));
    // The node goes on.
    auto b = spawn(rt, build(lua::builder{}.on_handle("return 'still here'")));
    EXPECT_EQ(b.ask(value{}, 1s).get().value(), value{"still here"});
}

TEST(LuaErrors, StoppedRunsAfterACrashWithTheReason) {
    troupe::testing::runtime rt;
    auto sink = std::make_shared<capture_sink>();
    rt.node().logger().sinks().push_back(sink);
    auto a = spawn(rt, build(lua::builder{}
                                 .on_handle("error('down')")
                                 .on_stopped("ctx.log('warn', 'goodbye after', ctx.reason)")));
    EXPECT_EQ(crash(a, value{}), exit_reason::error("handle:1: down"));
    EXPECT_TRUE(sink->contains("goodbye after error{handle:1: down}"));
}

// --- supervision ---------------------------------------------------------------------------

TEST(LuaErrors, SupervisorRestartsACrashedLuaActorWithFreshState) {
    troupe::testing::runtime rt;
    auto s = build(lua::builder{}
                       .on_started("ctx.state.n = 0")
                       .on_handle("if ctx.msg == 'crash' then error('crashed on purpose') end\n"
                                  "ctx.state.n = ctx.state.n + 1\n"
                                  "return ctx.state.n"));
    troupe::supervisor_spec spec{
        .strategy = troupe::restart_strategy::one_for_one,
        .max_restarts = 3,
        .period = 5s,
        .children = {troupe::child_spec::worker<lua::script_actor>("rules", s)}};
    auto sup = troupe::start_supervisor(rt.node(), spec).get();
    ASSERT_TRUE(sup) << sup.error().message();

    auto first = only_child(*sup);
    ASSERT_TRUE(rt.node().is_alive(first));
    auto ask = [&](troupe::address a, value m) { return rt.node().ask<value>(a, m, 1s).get(); };
    EXPECT_EQ(ask(first, value{"inc"}).value(), value{1});
    EXPECT_EQ(ask(first, value{"inc"}).value(), value{2});

    auto first_exit = rt.node().wait(first);
    auto crashed = ask(first, value{"crash"});
    ASSERT_FALSE(crashed);
    EXPECT_EQ(crashed.error().code(), errc::handler_failed);
    EXPECT_EQ(std::move(first_exit).get().value(),
              exit_reason::error("handle:1: crashed on purpose"));
    rt.run_until_idle();

    auto second = only_child(*sup);
    EXPECT_NE(second, first);
    EXPECT_TRUE(rt.node().is_alive(second));
    EXPECT_FALSE(rt.node().is_alive(first));
    // The new instance works, from a fresh state (started ran again).
    EXPECT_EQ(ask(second, value{"inc"}).value(), value{1});
    EXPECT_EQ(ask(second, value{"inc"}).value(), value{2});
}

TEST(LuaErrors, SupervisorGivesUpAfterTooManyCrashes) {
    troupe::testing::runtime rt;
    auto s = build(lua::builder{}.on_handle("error('always')"));
    troupe::supervisor_spec spec{
        .max_restarts = 2,
        .period = 5s,
        .children = {troupe::child_spec::worker<lua::script_actor>("flaky", s)}};
    auto sup = troupe::start_supervisor(rt.node(), spec).get();
    ASSERT_TRUE(sup) << sup.error().message();
    auto sup_exit = sup->wait();
    std::vector<troupe::address> seen;
    for (int i = 0; i < 3; ++i) {
        auto at = only_child(*sup);
        ASSERT_TRUE(rt.node().is_alive(at)) << i;
        seen.push_back(at);
        auto r = rt.node().ask<value>(at, value{i}, 1s).get();
        EXPECT_FALSE(r);
        rt.run_until_idle();
    }
    EXPECT_EQ(std::move(sup_exit).get().value(), exit_reason::shutdown());
    for (auto a : seen) EXPECT_FALSE(rt.node().is_alive(a));
    EXPECT_EQ(rt.node().actor_count(), 0u);
}

}  // namespace

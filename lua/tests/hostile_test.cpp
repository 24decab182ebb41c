// Hostile scripts: each test is a way a script tried to crash the process, hang a worker,
// run code outside its limits or use memory outside its VM. Every one must end with the
// script's own actor failing (or the call refused) with a clear reason, and nothing else.

#include <stdexcept>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <lua.hpp>

#include <troupe/lua/script_actor.hpp>
#include <troupe/testing/runtime.hpp>

#include "support/lua_test.hpp"

using namespace lua_test;
using testing::HasSubstr;
using testing::StartsWith;

namespace {

const std::string kInstructionText =
    "instruction limit exceeded: more than 100000 instructions in one run "
    "(limits::instructions)";
const std::string kMemoryText =
    "memory limit exceeded: the script needed more than 8 MiB (limits::memory)";

lua::limits small() {
    return {.memory = 8 << 20, .instructions = 100'000};
}

class LuaHostile : public ::testing::Test, protected with_recorder {
protected:
    LuaHostile() { rt.node().logger().set_level(spdlog::level::off); }

    troupe::ref<lua::script_actor> actor(const std::string& handle, lua::limits l = small()) {
        return lua_actor(lua::builder{}.on_handle(handle).limits(l));
    }
};

// --- error reports -------------------------------------------------------------------------

TEST_F(LuaHostile, AHugeErrorStringIsCutNotCopiedBackIntoAFullHeap) {
    // 6 MiB of an 8 MiB heap in use when the 3 MiB message fails the actor: copying it back
    // into the VM for the traceback used to abort the process.
    auto a = actor(R"(
        local a = string.rep("x", 3 * 2^20)
        local b = a .. "y"
        error(b, 0))");
    auto why = crash(a).to_string();
    EXPECT_THAT(why, StartsWith("error{xxxx"));
    EXPECT_THAT(why, HasSubstr("... (3145729 bytes in all)}"));
    EXPECT_LT(why.size(), 4200u);
}

// --- reload --------------------------------------------------------------------------------

TEST_F(LuaHostile, CtxTakesNoMetatableAndAFreshReloadSurvivesALostState) {
    auto a = actor(R"(
        ctx.state = nil
        local ok, err = pcall(setmetatable, ctx, {__newindex = function() error("boom") end})
        return {ok, err, getmetatable(ctx)})");
    EXPECT_EQ(ask(a, {}),
              value(value::array{value{false}, value{"cannot change a protected metatable"},
                                 value{"ctx"}}));
    auto next = build(lua::builder{}
                          .on_started("ctx.state.ready = 'yes'")
                          .on_handle("return {ctx.state.ready, ctx.msg}"));
    auto r = a.ask(lua::reload{next, lua::reload_mode::fresh_state}, 1s).get();
    ASSERT_TRUE(r) << r.error().message();
    EXPECT_EQ(ask(a, value{7}), value(value::array{value{"yes"}, value{7}}));
}

TEST_F(LuaHostile, AFailedReloadDoesNotCountAgainstTheNextMessage) {
    auto a = actor("return 'v1'", {.memory = 8 << 20, .instructions = 100'000'000});
    auto bomb = build(lua::builder{}
                          .on_started("local t = {} for i = 1, 1e7 do t[i] = i end")
                          .on_handle("return 'v2'"));
    auto r = a.ask(lua::reload{bomb, lua::reload_mode::fresh_state}, 1s).get();
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code(), troupe::errc::start_failed);
    EXPECT_THAT(r.error().reason(), HasSubstr(kMemoryText));
    EXPECT_EQ(ask(a, {}), value{"v1"});  // the old script, and no memory failure left over
}

// --- spawning --------------------------------------------------------------------------------

TEST_F(LuaHostile, AStartedScriptThatSpawnsItselfStopsAtADepth) {
    // Each child's started spawns the next inline: without a bound this recursed until the
    // C stack ran out.
    auto a = actor(R"(
        local S = "local S = %q ctx.spawn{started = string.format(S, S), link = false}"
        local ok, err = pcall(ctx.spawn, {started = string.format(S, S), link = false})
        return {ok, err})",
                   {.memory = 8 << 20, .instructions = 100'000'000});
    auto r = ask(a, {});
    ASSERT_TRUE(r.is_array()) << r;
    EXPECT_EQ(r.as_array().at(0), value{false});
    EXPECT_THAT(r.as_array().at(1).as_string(),
                HasSubstr("nest more than 16 deep (does a started script spawn a copy of "
                          "itself?)"));
}

TEST_F(LuaHostile, ChildrenPerRunAreBounded) {
    auto a = actor(R"(
        local n = 0
        local ok, err = pcall(function()
            for i = 1, 10 do ctx.spawn{handle = "return 1"} n = n + 1 end
        end)
        return {n, err})",
                   {.memory = 8 << 20, .instructions = 100'000, .children = 3});
    auto r = ask(a, {});
    ASSERT_TRUE(r.is_array()) << r;
    EXPECT_EQ(r.as_array().at(0), value{3});
    EXPECT_THAT(r.as_array().at(1).as_string(),
                HasSubstr("more than 3 children in one run, counting those their started "
                          "scripts spawn (limits::children)"));
}

TEST_F(LuaHostile, ChildSourceTooBigToCompileWithinTheLimitIsRefused) {
    std::string huge;
    for (int i = 0; i < 300000; ++i) huge += "x=1;";
    auto s = lua::builder{}.on_handle(huge).limits({.memory = 1 << 20}).build();
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error().code(), troupe::errc::invalid_argument);
    EXPECT_THAT(s.error().reason(),
                HasSubstr("the handle script needs more than limits::memory (1048576 bytes) "
                          "to compile"));
}

TEST_F(LuaHostile, WhatChildrenStartedScriptsCostIsTheParentRunsToo) {
    // Each child's started script runs inside ctx.spawn with a budget of its own; the
    // parent pays for it, so a loop of such spawns ends on the parent's limit.
    auto a = actor(R"(
        for i = 1, 200 do pcall(ctx.spawn, {started = "while true do end", link = false}) end
        return "survived")");
    EXPECT_THAT(crash(a).to_string(), HasSubstr(kInstructionText));
}

TEST_F(LuaHostile, ATreeOfSpawningStartedScriptsCountsEveryChild) {
    auto a = actor(R"(
        local S = "local S, d = %q, %d if d > 0 then for i = 1, 4 do " ..
                  "ctx.spawn{started = S:format(S, d - 1), link = false} end end"
        local ok, err = pcall(ctx.spawn, {started = S:format(S, 6), link = false})
        return {ok, err})",
                   {.memory = 8 << 20, .instructions = 100'000'000, .children = 50});
    auto r = ask(a, {});
    ASSERT_TRUE(r.is_array()) << r;
    EXPECT_EQ(r.as_array().at(0), value{false});
    EXPECT_THAT(r.as_array().at(1).as_string(),
                HasSubstr("children in one run, counting those their started scripts spawn "
                          "(limits::children)"));
}

TEST_F(LuaHostile, ChildSourcesCountAgainstWhatARunSends) {
    auto a = actor(R"(
        local src = "--" .. string.rep("x", 2^20)
        local n = 0
        local ok, err = pcall(function()
            for i = 1, 100 do ctx.spawn{handle = src, link = false} n = n + 1 end
        end)
        return {n, err})",
                   {.memory = 4 << 20, .instructions = 100'000});
    auto r = ask(a, {});
    ASSERT_TRUE(r.is_array()) << r;
    EXPECT_EQ(r.as_array().at(0), value{3});
    EXPECT_THAT(r.as_array().at(1).as_string(),
                HasSubstr("ctx.spawn: the child's scripts, with what this run sent before, take "
                          "more than limits::memory allows one run to send"));
}

TEST_F(LuaHostile, LogLinesCountAgainstWhatARunSends) {
    auto a = actor(R"(
        local s = string.rep("x", 2^20 - 1000)  -- four fit, with room for the reply
        local n = 0
        local ok, err = pcall(function()
            for i = 1, 100 do print(s) ctx.log("info", s) n = n + 1 end
        end)
        return {n, err})",
                   {.memory = 4 << 20, .instructions = 100'000});
    auto r = ask(a, {});
    ASSERT_TRUE(r.is_array()) << r;
    EXPECT_EQ(r.as_array().at(0), value{2});
    EXPECT_THAT(r.as_array().at(1).as_string(),
                HasSubstr("print: what this run logged and sent passes limits::memory"));
}

TEST_F(LuaHostile, ABigTableErrorIsNotConvertedWhole) {
    auto a = actor(R"(
        local s = string.rep("\1", 2^20)
        error({s, s, s, s}))");
    EXPECT_EQ(crash(a).to_string(), "error{(error object is a table value)}");
}

// --- coroutines ---------------------------------------------------------------------------------

TEST_F(LuaHostile, ShortCoroutinesCannotHideWorkFromTheCount) {
    // Each coroutine runs fewer instructions than the count hook's period, so its own count
    // never fires: creating one is charged a whole period instead.
    auto a = actor(R"(
        local function leaf() local n = 0 for i = 1, 300 do n = n + i end return n end
        local function level(d)
            if d == 0 then return leaf() end
            local s = 0
            for i = 1, 100 do s = s + coroutine.wrap(level)(d - 1) end
            return s
        end
        return coroutine.wrap(level)(3))");
    EXPECT_THAT(crash(a).to_string(), HasSubstr(kInstructionText));
    auto b = actor(R"(
        for i = 1, 1e6 do coroutine.resume(coroutine.create(function() end)) end
        return "escaped")");
    EXPECT_EQ(crash(b).to_string(), "error{handle:2: " + kInstructionText + "}");
}

TEST_F(LuaHostile, CoroutinesStoppedByTheBudgetAreForgottenWhenCollected) {
    // A failed reload leaves coroutines the budget stopped; once collected, new coroutines
    // at their addresses close as usual.
    auto a = actor("return 'v1'");
    auto spinner = build(lua::builder{}
                             .on_started(R"(
        for k = 1, 20 do
            local co = coroutine.create(function() while true do end end)
            coroutine.resume(co)
        end
        while true do end)")
                             .on_handle("return 'v2'"));
    auto r = a.ask(lua::reload{spinner, lua::reload_mode::fresh_state}, 1s).get();
    ASSERT_FALSE(r);
    auto next = build(lua::builder{}.on_handle(R"(
        collectgarbage()
        local closed, failed_closes = 0, 0
        for k = 1, 50 do
            local co = coroutine.create(function()
                local x <close> = setmetatable({}, {__close = function() closed = closed + 1 end})
                error("plain")
            end)
            coroutine.resume(co)
            local ok, err = coroutine.close(co)
            if err ~= nil and string.find(err, "instruction limit", 1, true) then
                failed_closes = failed_closes + 1
            end
        end
        return {closed, failed_closes})"));
    ASSERT_TRUE(a.ask(lua::reload{next, lua::reload_mode::keep_state}, 1s).get());
    EXPECT_EQ(ask(a, {}), value(value::array{value{50}, value{0}}));
}

TEST_F(LuaHostile, CoroutineCloseChecksItsArgument) {
    auto a = actor("return select(2, pcall(coroutine.close, 1))");
    auto r = ask(a, {});
    ASSERT_TRUE(r.is_string()) << r;
    EXPECT_THAT(r.as_string(),
                HasSubstr("bad argument #1 to 'coroutine.close' (thread expected, got number)"));
}

// --- finalizers and to-be-closed variables ----------------------------------------------------

TEST_F(LuaHostile, TheArrayMetatableCannotBeReachedOrChanged) {
    // A __gc added to the shared metatable would run outside the instruction limit.
    auto a = actor(R"(
        local mt = getmetatable(ctx.array())
        local ok, err = pcall(setmetatable, ctx.array(), {})
        return {mt, ok, err})");
    auto r = ask(a, {});
    ASSERT_TRUE(r.is_array()) << r;
    EXPECT_EQ(r.as_array().at(0), value{"troupe.array"});
    EXPECT_EQ(r.as_array().at(1), value{false});
    EXPECT_THAT(r.as_array().at(2).as_string(), HasSubstr("cannot change a protected metatable"));
    EXPECT_EQ(ask(a, {}), r);  // and marked tables still convert as arrays
    auto empty = actor("return ctx.array()");
    EXPECT_EQ(ask(empty, {}), value{value::array{}});
}

TEST_F(LuaHostile, AWrappedCoroutineStoppedByTheBudgetDoesNotRunItsCloseUnhooked) {
    auto a = actor(R"(
        coroutine.wrap(function()
            local x <close> = setmetatable({}, {__close = function() while true do end end})
            while true do end
        end)())");
    // coroutine.wrap puts where it was called in front, as Lua's own does.
    EXPECT_EQ(crash(a).to_string(), "error{handle:2: handle:4: " + kInstructionText + "}");
}

TEST_F(LuaHostile, ClosingACoroutineStoppedByTheBudgetLeavesItsVariablesUnclosed) {
    auto a = lua_actor(lua::builder{}
                           .on_handle(R"(
        ctx.state.co = coroutine.running()
        local x <close> = setmetatable({}, {__close = function() while true do end end})
        while true do end)")
                           .on_stopped(R"(
        local ok, err = coroutine.close(ctx.state.co)
        ctx.do_send("rec", {ok, err}))")
                           .limits(small()));
    EXPECT_EQ(crash(a).to_string(), "error{handle:4: " + kInstructionText + "}");
    rt.run_until_idle();
    ASSERT_EQ(got().size(), 1u);
    EXPECT_EQ(got()[0], value(value::array{
                            value{false}, value{kInstructionText +
                                                " (its to-be-closed variables were not closed)"}}));
}

TEST_F(LuaHostile, WrapAndCloseKeepTheirMeaningOtherwise) {
    auto a = actor(R"(
        local gen = coroutine.wrap(function() for i = 1, 3 do coroutine.yield(i) end end)
        local items = {gen(), gen(), gen()}
        local closed = 0
        local failing = coroutine.wrap(function()
            local x <close> = setmetatable({}, {__close = function() closed = closed + 1 end})
            error("inner")
        end)
        local ok, err = pcall(failing)
        local co = coroutine.create(function()
            local y <close> = setmetatable({}, {__close = function() closed = closed + 1 end})
            coroutine.yield()
        end)
        coroutine.resume(co)
        local closed_ok = coroutine.close(co)
        gen()  -- the loop ends: the coroutine returns
        local dead_ok, dead_err = pcall(gen)
        return {items, ok, err, closed, closed_ok, dead_ok, dead_err})");
    auto r = ask(a, {});
    ASSERT_TRUE(r.is_array()) << r;
    ASSERT_EQ(r.as_array().size(), 7u) << r;
    const auto& x = r.as_array();
    EXPECT_EQ(x.at(0), value(value::array{value{1}, value{2}, value{3}}));
    EXPECT_EQ(x.at(1), value{false});
    EXPECT_EQ(x.at(2), value{"handle:7: inner"});
    EXPECT_EQ(x.at(3), value{2});
    EXPECT_EQ(x.at(4), value{true});
    EXPECT_EQ(x.at(5), value{false});
    EXPECT_EQ(x.at(6), value{"cannot resume dead coroutine"});
}

// --- memory ------------------------------------------------------------------------------------

TEST_F(LuaHostile, GarbageDoesNotCountAgainstStringBuffers) {
    // string.rep takes its buffer without Lua's collect-and-retry: with 5 MB live in 8 MiB,
    // garbage not yet collected used to make it fail.
    auto a = actor(R"(
        local keep = {}
        for i = 1, 50 do keep[i] = string.rep("y", 100000) .. i end
        for i = 1, 40 do
            for j = 1, 2000 do local g = {j, j, j} end
            local s = string.rep("x", 300000)
        end
        return #keep)",
                   {.memory = 8 << 20, .instructions = 100'000'000});
    EXPECT_EQ(ask(a, {}), value{50});
}

TEST_F(LuaHostile, ATightLoopOfStringRepsUsesMostOfTheLimit) {
    // Too few instructions between the reps for the count hook's collection: string.rep
    // makes room itself. 7 MB live in 8 MiB.
    auto a = actor(R"(
        local hog = {}
        for i = 1, 70 do hog[i] = string.rep("y", 100000) .. i end
        return #hog)",
                   {.memory = 8 << 20, .instructions = 100'000'000});
    EXPECT_EQ(ask(a, {}), value{70});
}

TEST_F(LuaHostile, AMemoryHitCaughtOnceIsNotForgivenByALaterEqualRequest) {
    auto a = actor(R"(
        hog = {}
        for i = 1, 50 do hog[i] = string.rep("y", 100000) .. i end
        local ok = pcall(string.rep, "x", 3.5 * 2^20)
        hog = nil
        collectgarbage()
        local s = string.rep("x", 3.5 * 2^20)
        return {ok, #s})",
                   {.memory = 8 << 20, .instructions = 100'000'000});
    EXPECT_EQ(crash(a).to_string(), "error{" + kMemoryText + "}");
}

TEST_F(LuaHostile, WhatOneRunSendsIsBoundedByTheMemoryLimit) {
    auto a = actor(R"(
        local s = string.rep("x", 2^20)
        local sent = 0
        local ok, err = pcall(function()
            for i = 1, 300 do ctx.notify(s) sent = sent + 1 end
        end)
        return {sent, err})",
                   {.memory = 4 << 20, .instructions = 100'000});
    auto r = ask(a, {});
    ASSERT_TRUE(r.is_array()) << r;
    EXPECT_EQ(r.as_array().at(0), value{3});
    EXPECT_THAT(r.as_array().at(1).as_string(),
                HasSubstr("ctx.notify: msg: the value is too large to send: what one run sends "
                          "may take up to limits::memory once converted"));
}

TEST_F(LuaHostile, TimersWaitingAcrossRunsAreBoundedByTheMemoryLimit) {
    auto a = actor(R"(
        if #ctx.msg > 1 then return "fired" end
        local ok, err = pcall(ctx.notify_later, string.rep("x", 2^20), 3600)
        return err or "armed")",
                   {.memory = 4 << 20, .instructions = 100'000});
    EXPECT_EQ(ask(a, value{"a"}), value{"armed"});
    EXPECT_EQ(ask(a, value{"b"}), value{"armed"});
    EXPECT_EQ(ask(a, value{"c"}), value{"armed"});
    auto refused = ask(a, value{"d"});
    ASSERT_TRUE(refused.is_string()) << refused;
    EXPECT_THAT(refused.as_string(),
                HasSubstr("ctx.notify_later: the messages this actor sent itself and has not "
                          "handled yet would take more than 4 MiB (limits::memory bounds them "
                          "too)"));
    // Once they have fallen due, there is room again.
    rt.advance(std::chrono::hours{1});
    rt.run_until_idle();
    EXPECT_EQ(ask(a, value{"e"}), value{"armed"});
}

TEST_F(LuaHostile, MessagesToItselfCannotGrowItsMailboxWithoutEnd) {
    // Each message sends itself two of 1 MiB: without a bound the mailbox doubles forever.
    // The third one waiting is refused; after ten refusals the script gives up.
    auto a = actor(R"(
        local big = string.rep("x", 2^20)
        local ok1 = pcall(ctx.notify, big)
        local ok2 = pcall(ctx.do_send, ctx.self, big)
        ctx.state.refused = (ctx.state.refused or 0) + (ok1 and 0 or 1) + (ok2 and 0 or 1)
        if ctx.state.refused >= 10 then ctx.terminate() end)",
                   {.memory = 4 << 20, .instructions = 100'000});
    a.tell(value{"go"});
    rt.run_until_idle();
    auto why = a.wait().get();
    ASSERT_TRUE(why);
    EXPECT_EQ(why->to_string(), "normal");
}

// --- calls that cannot work where they are made --------------------------------------------------

TEST_F(LuaHostile, SendInsideASortComparatorIsRefusedAndSendsNothing) {
    auto a = actor(R"(
        local ok, err = pcall(table.sort, {3, 1, 2}, function(x, y)
            ctx.send("rec", "stale")
            return x < y
        end)
        return err)");
    auto r = ask(a, {});
    ASSERT_TRUE(r.is_string()) << r;
    EXPECT_THAT(r.as_string(), HasSubstr("ctx.send: cannot wait inside a function called from C"));
    rt.run_until_idle();
    EXPECT_TRUE(got().empty());
}

TEST_F(LuaHostile, NotifyFromStoppedIsRefused) {
    auto a = lua_actor(lua::builder{}.on_handle("ctx.terminate()").on_stopped(R"(
        local ok1, err1 = pcall(ctx.notify_later, "later", 1)
        local ok2, err2 = pcall(ctx.notify, "now")
        ctx.do_send("rec", {ok1, err1, ok2, err2}))"));
    a.tell(value{});
    rt.run_until_idle();
    ASSERT_EQ(got().size(), 1u);
    const auto& x = got()[0].as_array();
    EXPECT_EQ(x.at(0), value{false});
    EXPECT_EQ(x.at(1), value{"ctx.notify_later: the actor is stopping (this is the "
                             "stopped script); nothing sent to itself now would be handled"});
    EXPECT_EQ(x.at(2), value{false});
    EXPECT_THAT(x.at(3).as_string(), StartsWith("ctx.notify: the actor is stopping"));
}

TEST_F(LuaHostile, AHostFunctionThrowingACppExceptionFailsTheActorSaying) {
    auto a = lua_actor(lua::builder{}
                           .setup([](lua_State* L) {
                               lua_pushcfunction(L, [](lua_State*) -> int {
                                   throw std::runtime_error("host boom");
                               });
                               lua_setglobal(L, "boom");
                           })
                           .on_handle("boom('arg')"));
    EXPECT_THAT(crash(a).to_string(),
                HasSubstr("a function called from Lua threw a C++ exception (functions bound to "
                          "Lua must raise errors with lua_error or luaL_error)"));
}

}  // namespace

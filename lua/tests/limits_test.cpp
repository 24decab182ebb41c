// Limits: a runaway script (an endless loop, a memory bomb) fails its own actor with a clear
// reason, even when it catches the error; the budget is per message; other actors go on; a
// supervisor restarts the failed one. Every runaway here ends on its limit, so none can hang
// the test binary.

#include <memory>
#include <sstream>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <spdlog/logger.h>
#include <spdlog/sinks/ostream_sink.h>

#include <troupe/lua/script_actor.hpp>
#include <troupe/supervisor.hpp>
#include <troupe/supervisor_spec.hpp>
#include <troupe/testing/runtime.hpp>

#include "support/lua_test.hpp"

using namespace lua_test;
using testing::HasSubstr;
using testing::StartsWith;

namespace {

constexpr std::uint64_t kInstructions = 100'000;
const std::string kInstructionText =
    "instruction limit exceeded: more than 100000 instructions in one run "
    "(limits::instructions)";
const std::string kMemoryText =
    "memory limit exceeded: the script needed more than 4 MiB (limits::memory)";

class LuaLimits : public ::testing::Test {
protected:
    lua::script make(const std::string& handle,
                     lua::limits l = {.memory = 4 << 20, .instructions = kInstructions}) {
        return build(lua::builder{}.on_handle(handle).limits(l));
    }

    troupe::ref<lua::script_actor> spawn(const std::string& handle,
                                         lua::limits l = {.memory = 4 << 20,
                                                          .instructions = kInstructions}) {
        return lua_test::spawn(rt, make(handle, l));
    }

    /// Asks once; the ask must fail with handler_failed. Returns the actor's exit reason.
    std::string failure(troupe::ref<lua::script_actor> a, value msg = {}) {
        return crash(a, std::move(msg)).to_string();
    }
    std::string failure(const std::string& handle,
                        lua::limits l = {.memory = 4 << 20, .instructions = kInstructions}) {
        return failure(spawn(handle, l));
    }

    troupe::testing::runtime rt;
};

// --- instructions ---------------------------------------------------------------------------

TEST_F(LuaLimits, AnEndlessLoopFailsWithThePosition) {
    EXPECT_EQ(failure("local n = 0\nwhile true do\n n = n + 1\nend"),
              "error{handle:3: " + kInstructionText + "}");
    EXPECT_EQ(failure("local function spin() while true do end end\nspin()"),
              "error{handle:1: " + kInstructionText + "}");
}

TEST_F(LuaLimits, EndlessRecursionThroughCallsIsStoppedToo) {
    // Not a stack overflow: a tail call loops forever in constant stack.
    auto why = failure("local function f(n) return f(n + 1) end\nreturn f(1)");
    EXPECT_EQ(why, "error{handle:1: " + kInstructionText + "}");
}

TEST_F(LuaLimits, PcallCannotCatchTheInstructionLimit) {
    // The caught error is swallowed, and the loop goes on: the next instruction fails.
    EXPECT_EQ(failure("while true do pcall(function() while true do end end) end"),
              "error{handle:1: " + kInstructionText + "}");
    // Caught and then returning at once: still a failure, the reply is not sent.
    auto why = failure(
        "local ok, err = pcall(function() while true do end end)\nreturn 'escaped: ' .. err");
    EXPECT_THAT(why, HasSubstr(kInstructionText));
    EXPECT_THAT(why, testing::Not(HasSubstr("escaped")));
    // xpcall with a handler that loops itself.
    why = failure(
        "xpcall(function() while true do end end, function(e) while true do end end)\n"
        "return 'escaped'");
    EXPECT_THAT(why, HasSubstr(kInstructionText));
    // error() objects thrown over the top of it: the first error stands.
    why = failure("for i = 1, 1e9 do pcall(error, {}) end return 'escaped'");
    EXPECT_THAT(why, HasSubstr(kInstructionText));
}

TEST_F(LuaLimits, CoroutinesCannotHideALoop) {
    auto why = failure(
        "while true do\n"
        "  local co = coroutine.create(function() while true do end end)\n"
        "  coroutine.resume(co)\n"
        "end");
    EXPECT_THAT(why, HasSubstr(kInstructionText));
    EXPECT_THAT(why, StartsWith("error{handle:"));
}

TEST_F(LuaLimits, TheBudgetIsPerMessage) {
    // A numeric for loop with an empty body is about one instruction per turn: 60000 turns
    // are 60% of the budget.
    auto a = spawn("for i = 1, ctx.msg do end\nreturn ctx.msg");
    for (int i = 0; i < 50; ++i) {
        auto r = a.ask(value{60'000}, 1s).get();
        ASSERT_TRUE(r) << "message " << i << ": " << r.error().message();
        EXPECT_EQ(*r, value{60'000});
    }
    // Twice that in one message is over: the budget is not the sum of the messages' leftovers.
    EXPECT_EQ(failure(a, value{120'000}), "error{handle:1: " + kInstructionText + "}");
}

TEST_F(LuaLimits, TheBudgetCoversStartedAndFailsTheSpawn) {
    auto s = lua::builder{}
                 .on_started("while true do end")
                 .limits({.memory = 4 << 20, .instructions = kInstructions})
                 .build()
                 .value();
    auto a = rt.node().spawn<lua::script_actor>(s);
    ASSERT_FALSE(a);
    EXPECT_EQ(a.error().code(), troupe::errc::start_failed);
    EXPECT_THAT(a.error().reason(), HasSubstr("started:1: " + kInstructionText))
        << a.error().reason();
}

TEST_F(LuaLimits, StoppedGetsItsOwnBudgetAfterALimitFailure) {
    // The stopped script still runs (and could report) after handle used up its budget.
    auto s = lua::builder{}
                 .on_handle("while true do end")
                 .on_stopped(
                     "for i = 1, 50000 do end ctx.log('error', 'stopped ran: ' .. "
                     "ctx.reason)")
                 .limits({.memory = 4 << 20, .instructions = kInstructions})
                 .build()
                 .value();
    std::ostringstream out;
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_st>(out);
    rt.node().logger().sinks().push_back(sink);
    auto a = rt.node().spawn<lua::script_actor>(s).value();
    EXPECT_THAT(failure(a), HasSubstr(kInstructionText));
    rt.node().logger().sinks().pop_back();
    EXPECT_THAT(out.str(), HasSubstr("stopped ran: error{handle:1: " + kInstructionText + "}"))
        << out.str();
}

// --- memory ---------------------------------------------------------------------------------

TEST_F(LuaLimits, ATableGrowingWithoutEndHitsTheMemoryLimit) {
    EXPECT_EQ(failure("local t = {} local i = 0 while true do i = i + 1 t[i] = i end",
                      {.memory = 4 << 20, .instructions = 1'000'000'000}),
              "error{" + kMemoryText + "}");
}

TEST_F(LuaLimits, AHugeStringHitsTheMemoryLimit) {
    EXPECT_EQ(failure("return string.rep('x', 100000000)"), "error{" + kMemoryText + "}");
    EXPECT_EQ(failure("local s = 'x' while true do s = s .. s end",
                      {.memory = 4 << 20, .instructions = 1'000'000'000}),
              "error{" + kMemoryText + "}");
}

TEST_F(LuaLimits, PcallCannotCatchTheMemoryLimit) {
    auto a = spawn(
        "local ok, err = pcall(string.rep, 'x', 100000000)\n"
        "return {ok, tostring(err)}");
    EXPECT_EQ(failure(a), "error{" + kMemoryText + "}");
    // Also when the script frees everything it took before returning.
    EXPECT_EQ(failure("local ok = pcall(function() local t = {} for i = 1, 1e9 do t[i] = "
                      "string.rep('y', 100) .. i end end)\ncollectgarbage()\nreturn ok",
                      {.memory = 4 << 20, .instructions = 1'000'000'000}),
              "error{" + kMemoryText + "}");
}

TEST_F(LuaLimits, AMessageTooBigForTheVmFailsTheActor) {
    // The limit applies to what arrives too: a 6 MiB message does not fit in 4 MiB.
    auto a = spawn("return #ctx.msg");
    auto why = failure(a, value{std::string(6 << 20, 'm')});
    EXPECT_THAT(why, HasSubstr("memory limit exceeded")) << why;
}

TEST_F(LuaLimits, OtherActorsKeepWorkingAfterOneFails) {
    auto bystander = spawn("ctx.state.n = (ctx.state.n or 0) + 1 return ctx.state.n");
    EXPECT_EQ(bystander.ask(value{}, 1s).get().value(), value{1});
    auto looper = spawn("while true do end");
    auto bomber = spawn("local t = {} for i = 1, 1e9 do t[i] = {} end",
                        {.memory = 4 << 20, .instructions = 1'000'000'000});
    auto looping = looper.ask(value{}, 1s);
    auto bombing = bomber.ask(value{}, 1s);
    EXPECT_FALSE(std::move(looping).get());
    EXPECT_FALSE(std::move(bombing).get());
    EXPECT_THAT(looper.wait().get()->to_string(), HasSubstr(kInstructionText));
    EXPECT_THAT(bomber.wait().get()->to_string(), HasSubstr("memory limit exceeded"));
    // The bystander kept its state and answers.
    EXPECT_EQ(bystander.ask(value{}, 1s).get().value(), value{2});
    // And a new actor from the failed script starts clean.
    auto again = spawn("return 'fresh'");
    EXPECT_EQ(again.ask(value{}, 1s).get().value(), value{"fresh"});
}

TEST_F(LuaLimits, MemoryUsedGrowsWithTheStateAndStaysUnderTheLimit) {
    // Each message (a new 500 kB string) is kept in ctx.state.
    auto a = spawn("ctx.state[#ctx.state + 1] = ctx.msg return #ctx.state");
    const value chunk{std::string(500'000, 's')};
    rt.run_until_idle();
    std::size_t before = a.get()->memory_used();
    EXPECT_GT(before, 0u);
    EXPECT_LT(before, 4u << 20);
    EXPECT_EQ(a.ask(chunk, 1s).get().value(), value{1});
    std::size_t after_one = a.get()->memory_used();
    EXPECT_GE(after_one, before + 480'000);  // the GC may free some start-up garbage
    EXPECT_EQ(a.ask(chunk, 1s).get().value(), value{2});
    std::size_t after_two = a.get()->memory_used();
    EXPECT_GE(after_two, after_one + 480'000);
    EXPECT_LT(after_two, 4u << 20);
    // Up to the limit: the next few fit, then one does not and the actor fails.
    std::string why;
    int kept = 2;
    for (int i = 0; i < 10 && why.empty(); ++i) {
        auto r = a.ask(chunk, 1s).get();
        if (!r) {
            why = a.wait().get()->to_string();
        } else {
            EXPECT_EQ(*r, value{++kept});
            EXPECT_LT(a.get()->memory_used(), 4u << 20);
        }
    }
    EXPECT_EQ(kept, 8);  // 8 x 500 kB fit in 4 MiB with the VM itself, 9 do not
    EXPECT_EQ(why, "error{" + kMemoryText + "}");
}

TEST_F(LuaLimits, StringBuffersOverTheLimitAreALimitHitToo) {
    // string.rep, table.concat and string.format grow their buffers by calling the
    // allocator directly, without Lua's collect-and-retry: the error they raise is "not
    // enough memory", and it must still count as the limit.
    EXPECT_EQ(failure("local t = {} for i = 1, 2500 do t[i] = string.rep('z', 1000) .. i end\n"
                      "return #table.concat(t)"),
              "error{" + kMemoryText + "}");
    EXPECT_EQ(failure("local ok = pcall(string.rep, 'x', 5000000) return ok"),
              "error{" + kMemoryText + "}");
}

// --- configuration --------------------------------------------------------------------------

TEST_F(LuaLimits, ZeroLimitsAreRejectedByBuild) {
    auto no_memory = lua::builder{}.on_handle("return 1").limits({.memory = 0}).build();
    ASSERT_FALSE(no_memory);
    EXPECT_EQ(no_memory.error().code(), troupe::errc::invalid_argument);
    EXPECT_THAT(no_memory.error().reason(), HasSubstr("limits::memory is 0"));
    auto no_instructions = lua::builder{}.on_handle("return 1").limits({.instructions = 0}).build();
    ASSERT_FALSE(no_instructions);
    EXPECT_EQ(no_instructions.error().code(), troupe::errc::invalid_argument);
    EXPECT_THAT(no_instructions.error().reason(), HasSubstr("limits::instructions is 0"));
}

TEST_F(LuaLimits, AMemoryLimitTooSmallForTheVmFailsTheSpawn) {
    for (std::size_t bytes : {std::size_t{64}, std::size_t{4096}, std::size_t{16384}}) {
        auto s = lua::builder{}.on_handle("return 1").limits({.memory = bytes}).build();
        ASSERT_TRUE(s) << s.error().message();
        auto a = rt.node().spawn<lua::script_actor>(*s);
        ASSERT_FALSE(a) << bytes;
        EXPECT_EQ(a.error().code(), troupe::errc::start_failed);
        EXPECT_THAT(a.error().reason(),
                    HasSubstr(std::to_string(bytes) + " bytes (limits::memory)"))
            << a.error().reason();
    }
}

TEST_F(LuaLimits, TheDefaultsAreGenerous) {
    lua::limits l;
    EXPECT_EQ(l.memory, std::size_t{64} << 20);
    EXPECT_EQ(l.instructions, 100'000'000u);
    auto a = rt.node()
                 .spawn<lua::script_actor>(
                     lua::builder{}
                         .on_handle("local t = {} for i = 1, 1e6 do t[i] = i end return #t")
                         .build()
                         .value())
                 .value();
    EXPECT_EQ(a.ask(value{}, 1s).get().value(), value{1'000'000});
}

// --- supervision ----------------------------------------------------------------------------

TEST_F(LuaLimits, ASupervisedActorKilledByItsLimitIsRestarted) {
    auto s = make(R"(
        if ctx.msg == 'loop' then while true do end end
        if ctx.msg == 'bomb' then return string.rep('x', 1e8) end
        ctx.state.n = (ctx.state.n or 0) + 1
        return ctx.state.n)");
    troupe::supervisor_spec spec{
        .strategy = troupe::restart_strategy::one_for_one,
        .max_restarts = 5,
        .period = 5s,
        .children = {troupe::child_spec::worker<lua::script_actor>("rules", s)}};
    auto started = troupe::start_supervisor(rt.node(), spec).get();
    ASSERT_TRUE(started) << started.error().message();
    auto sup = *started;
    auto ask = [&](troupe::address to, value msg) {
        return rt.node().ask<value>(to, std::move(msg), 1s).get();
    };

    troupe::address first = only_child(sup);
    EXPECT_EQ(ask(first, value{"count"}).value(), value{1});
    EXPECT_EQ(ask(first, value{"count"}).value(), value{2});

    auto looped = ask(first, value{"loop"});
    ASSERT_FALSE(looped);
    EXPECT_EQ(looped.error().code(), troupe::errc::handler_failed);
    rt.run_until_idle();
    troupe::address second = only_child(sup);
    ASSERT_TRUE(second);
    EXPECT_NE(second, first);
    EXPECT_EQ(ask(second, value{"count"}).value(), value{1});  // a fresh VM, a fresh state

    EXPECT_FALSE(ask(second, value{"bomb"}));
    rt.run_until_idle();
    troupe::address third = only_child(sup);
    ASSERT_TRUE(third);
    EXPECT_NE(third, second);
    EXPECT_EQ(ask(third, value{"count"}).value(), value{1});
}

}  // namespace

#include <string>

#include <gtest/gtest.h>

#include <troupe/lua/script_actor.hpp>
#include <troupe/testing/runtime.hpp>

#include "support/lua_test.hpp"

using namespace lua_test;

namespace {

/// The exit reason of an actor running `code` under `l`, after one ask that must fail.
troupe::exit_reason runaway(troupe::testing::runtime& rt, std::string code, lua::limits l) {
    auto a = spawn(rt, build(lua::builder{}.on_handle(std::move(code)).limits(l)));
    EXPECT_FALSE(a.ask(value{1}, 1s).get());
    return a.wait().get().value();
}

}  // namespace

TEST(LuaSmoke, HandleAddsFortyTwo) {
    troupe::testing::runtime rt;
    auto a = spawn(rt, handler("return ctx.msg + 42"));
    EXPECT_EQ(ask(a, value{100}, 1s), value{142});
}

TEST(LuaSmoke, SendWaitsForTheCallbackReply) {
    troupe::testing::runtime rt;
    auto cb = spawn(rt, handler("return 'hello ' .. ctx.msg"));
    auto a =
        spawn(rt, build(lua::builder{}
                            .on_handle("local r = ctx.send('callback', 'world'); return r .. '!'")
                            .add_recipient("callback", cb.addr())));
    EXPECT_EQ(ask(a, value{"x"}, 1s), value{"hello world!"});
}

TEST(LuaSmoke, RuntimeErrorFailsTheActor) {
    troupe::testing::runtime rt;
    auto a = spawn(rt, handler("local x = nil\nreturn x.y"));
    EXPECT_EQ(crash(a, value{1}).to_string(),
              "error{handle:2: attempt to index a nil value (local 'x')}");
}

TEST(LuaSmoke, InfiniteLoopHitsTheBudget) {
    troupe::testing::runtime rt;
    auto why = runaway(rt, "while true do pcall(function() while true do end end) end",
                       {.memory = 1 << 20, .instructions = 100000});
    EXPECT_NE(why.detail().find("instruction limit exceeded"), std::string::npos)
        << why.to_string();
}

TEST(LuaSmoke, MemoryBombHitsTheLimit) {
    troupe::testing::runtime rt;
    auto why = runaway(rt, "local t = {} for i = 1, 1e9 do t[i] = string.rep('x', 1000) .. i end",
                       {.memory = 4 << 20, .instructions = 1000000000});
    EXPECT_NE(why.detail().find("memory limit exceeded"), std::string::npos) << why.to_string();
}

#include <gtest/gtest.h>

#include <troupe/lua/script_actor.hpp>
#include <troupe/testing/runtime.hpp>

using namespace std::chrono_literals;
namespace lua = troupe::lua;
using troupe::value;

TEST(LuaSmoke, HandleAddsFortyTwo) {
    troupe::testing::runtime rt;
    auto s = lua::builder{}.on_handle("return ctx.msg + 42").build();
    ASSERT_TRUE(s) << s.error().message();
    auto a = rt.node().spawn<lua::script_actor>(*s);
    ASSERT_TRUE(a) << a.error().message();
    auto r = a->ask(value{100}, 1s).get();
    ASSERT_TRUE(r) << r.error().message();
    EXPECT_EQ(*r, value{142});
}

TEST(LuaSmoke, SendWaitsForTheCallbackReply) {
    troupe::testing::runtime rt;
    auto cb = rt.node()
                  .spawn<lua::script_actor>(
                      lua::builder{}.on_handle("return 'hello ' .. ctx.msg").build().value())
                  .value();
    auto s = lua::builder{}
                 .on_handle("local r = ctx.send('callback', 'world'); return r .. '!'")
                 .add_recipient("callback", cb.addr())
                 .build();
    ASSERT_TRUE(s) << s.error().message();
    auto a = rt.node().spawn<lua::script_actor>(*s).value();
    auto r = a.ask(value{"x"}, 1s).get();
    ASSERT_TRUE(r) << r.error().message();
    EXPECT_EQ(*r, value{"hello world!"});
}

TEST(LuaSmoke, RuntimeErrorFailsTheActor) {
    troupe::testing::runtime rt;
    auto a = rt.node()
                 .spawn<lua::script_actor>(
                     lua::builder{}.on_handle("local x = nil\nreturn x.y").build().value())
                 .value();
    auto r = a.ask(value{1}, 1s).get();
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code(), troupe::errc::handler_failed);
    auto why = a.wait().get();
    ASSERT_TRUE(why);
    EXPECT_EQ(why->to_string(), "error{handle:2: attempt to index a nil value (local 'x')}");
}

TEST(LuaSmoke, InfiniteLoopHitsTheBudget) {
    troupe::testing::runtime rt;
    auto a = rt.node()
                 .spawn<lua::script_actor>(
                     lua::builder{}
                         .on_handle("while true do pcall(function() while true do end end) end")
                         .limits({.memory = 1 << 20, .instructions = 100000})
                         .build()
                         .value())
                 .value();
    auto r = a.ask(value{1}, 1s).get();
    ASSERT_FALSE(r);
    auto why = a.wait().get();
    EXPECT_NE(why->detail().find("instruction limit exceeded"), std::string::npos)
        << why->to_string();
}

TEST(LuaSmoke, MemoryBombHitsTheLimit) {
    troupe::testing::runtime rt;
    auto a = rt.node()
                 .spawn<lua::script_actor>(
                     lua::builder{}
                         .on_handle(
                             "local t = {} for i = 1, 1e9 do t[i] = string.rep('x', 1000) .. i end")
                         .limits({.memory = 4 << 20, .instructions = 1000000000})
                         .build()
                         .value())
                 .value();
    auto r = a.ask(value{1}, 1s).get();
    ASSERT_FALSE(r);
    auto why = a.wait().get();
    EXPECT_NE(why->detail().find("memory limit exceeded"), std::string::npos) << why->to_string();
}

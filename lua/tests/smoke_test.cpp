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

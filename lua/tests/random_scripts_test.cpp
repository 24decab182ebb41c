// Scripts are untrusted code: whatever a script does with ctx and with values, the result is
// a reply or a clean actor failure, never a crash, a hang or a leak (the sanitizer builds run
// this too). Scripts are generated from a small grammar of the risky parts: table shapes
// that cannot be sent, every ctx function with arguments of every type, errors, pcall,
// coroutines and recursion; and every prefix of a few valid scripts (syntax errors).

#include <random>
#include <string>

#include <gtest/gtest.h>

#include <troupe/lua/script_actor.hpp>
#include <troupe/testing/runtime.hpp>

#include "support/lua_test.hpp"

using namespace lua_test;
using troupe::errc;

namespace {

class generator {
public:
    explicit generator(std::uint32_t seed) : rng_(seed) {}

    std::string script() {
        // The body runs for the first message only: a script that notifies itself on every
        // message would never let the node go idle.
        std::string s = "if ctx.state.ran then return end\nctx.state.ran = true\n";
        s += "local t = " + expr(3) + "\n";
        int n = pick(1, 6);
        for (int i = 0; i < n; ++i) s += statement() + "\n";
        s += "return " + expr(3) + "\n";
        return s;
    }

private:
    int pick(int lo, int hi) { return std::uniform_int_distribution<int>{lo, hi}(rng_); }

    std::string expr(int depth) {
        switch (pick(0, depth > 0 ? 15 : 8)) {
            case 0:
                return "nil";
            case 1:
                return pick(0, 1) ? "true" : "false";
            case 2:
                return std::to_string(pick(-1000, 1000));
            case 3:
                return std::to_string(pick(-1000, 1000)) + ".5";
            case 4:
                return "'s" + std::to_string(pick(0, 9)) + "'";
            case 5:
                return "'\\xff\\x00bin'";
            case 6:
                return "ctx.msg";
            case 7:
                return "t";
            case 8:
                return "(1/0)";
            case 9:
                return "{" + expr(depth - 1) + ", " + expr(depth - 1) + "}";
            case 10:
                return "{a = " + expr(depth - 1) + ", b = " + expr(depth - 1) + "}";
            case 11:
                return "{[" + expr(0) + "] = " + expr(depth - 1) + "}";
            case 12:
                return "function() return " + expr(depth - 1) + " end";
            case 13:
                return "coroutine.create(function() end)";
            case 14:
                return "ctx.array{" + expr(depth - 1) + "}";
            default:
                return "(function() local c = {} c.self = c return c end)()";
        }
    }

    std::string statement() {
        switch (pick(0, 16)) {
            case 0:
                return "ctx.notify(" + expr(2) + ")";
            case 1:
                return "ctx.notify_later(" + expr(2) + ", " + expr(0) + ")";
            case 2:
                return "ctx.do_send(" + expr(1) + ", " + expr(2) + ")";
            case 3:
                return "ctx.do_send(ctx.self, " + expr(2) + ")";
            case 4:
                return "local ok, r = pcall(ctx.send, " + expr(1) + ", " + expr(2) + ", 0.01)";
            case 5:
                return "ctx.log(" + expr(0) + ", " + expr(1) + ")";
            case 6:
                return "ctx.whereis(" + expr(0) + ")";
            case 7:
                return "pcall(ctx.spawn, {handle = " + expr(0) + "})";
            case 8:
                return "if " + expr(0) + " then error(" + expr(1) + ") end";
            case 9:
                return "pcall(error, " + expr(2) + ")";
            case 10:
                return "ctx.state.k = " + expr(2);
            case 11:
                return "t = " + expr(3);
            case 12:
                return "for i = 1, " + std::to_string(pick(0, 50)) + " do t = {t} end";
            case 13:
                return "local function f(n) if n > 0 then return f(n - 1) end end f(" +
                       std::to_string(pick(0, 500)) + ")";
            case 14:
                return "coroutine.wrap(function() ctx.notify(" + expr(1) + ") end)()";
            case 15:
                return "pcall(load, " + expr(0) + ")";
            default:
                return "ctx.array(" + expr(1) + ")";
        }
    }

    std::mt19937 rng_;
};

lua::script build(const std::string& handle) {
    return lua_test::build(
        lua::builder{}.on_handle(handle).limits({.memory = 8u << 20, .instructions = 2'000'000}));
}

}  // namespace

TEST(LuaRandomScripts, ReplyOrCleanFailure) {
    troupe::testing::runtime rt{troupe::log_level::off};
    int replied = 0, failed = 0;
    for (std::uint32_t seed = 0; seed < 1500; ++seed) {
        generator gen{seed};
        auto code = gen.script();
        auto s = lua::builder{}.on_handle(code).build();
        ASSERT_TRUE(s) << "the grammar makes valid Lua; seed " << seed << ":\n"
                       << code << "\n"
                       << s.error().message();
        auto a = rt.node().spawn<lua::script_actor>(build(code));
        ASSERT_TRUE(a) << a.error().message();
        auto r = a->ask(value{value::map{{"n", static_cast<std::int64_t>(seed)}}}, 1s).get();
        if (r) {
            ++replied;
        } else {
            ++failed;
            EXPECT_TRUE(r.error() == errc::handler_failed || r.error() == errc::no_such_actor)
                << "seed " << seed << ": " << r.error().message() << "\n"
                << code;
            EXPECT_FALSE(r.error().reason().empty());
        }
        // Let notifications and timers play out, then stop it; nothing may be left behind.
        rt.advance(2s);
        a->kill();
        rt.run_until_idle();
    }
    EXPECT_EQ(rt.node().actor_count(), 0u);
    // The grammar reaches both outcomes often.
    EXPECT_GT(replied, 100);
    EXPECT_GT(failed, 100);
}

TEST(LuaRandomScripts, EveryPrefixOfAScriptBuildsOrFailsCleanly) {
    const std::string code = R"(local n = ctx.msg.n or 0
local t = {a = {1, 2.5, "x"}, b = ctx.array{}}
for i = 1, 3 do t[#t + 1] = i end
if n > 1 then return pcall(function() error({code = n}) end) end
return {sum = n + 1, name = "r" .. tostring(n)}
)";
    troupe::testing::runtime rt{troupe::log_level::off};
    int built = 0;
    for (std::size_t len = 0; len <= code.size(); ++len) {
        auto s = lua::builder{}.on_handle(code.substr(0, len)).build();
        if (!s) {
            EXPECT_EQ(s.error().code(), errc::invalid_argument);
            EXPECT_EQ(s.error().reason().rfind("handle:", 0), 0u) << s.error().reason();
            continue;
        }
        ++built;
        auto a = rt.node().spawn<lua::script_actor>(*s).value();
        auto r = a.ask(value{value::map{{"n", 1}}}, 1s).get();
        a.kill();
        rt.run_until_idle();
        (void)r;  // a prefix may reply or fail; it must not crash
    }
    EXPECT_GT(built, 3);
}

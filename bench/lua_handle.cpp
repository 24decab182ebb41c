// lua_handle: messages through a Lua actor (lua::script_actor) whose handle script is
// `return ctx.msg + 1` (bench/README.md), and the same chunk run on a bare lua_State with
// no actor around it: the floor that states the actor's overhead as a ratio.
//
// A C++ driver actor does the work, as a user's actor would; the Lua actor and the driver
// are spawned before the clocks start. Three phases, N messages each:
//
//  tell  the driver tells the Lua actor the numbers 0..N-1 from one handler, then asks it
//        N once (the actor handles one sender's messages in order, so the reply N+1 means
//        all N were handled). msgs_per_s = N / that time (the result field).
//  ask   the driver asks the Lua actor 0..N-1 in sequence, each with a 10 s time-out and
//        co_await, as in the ask workload; each round trip is timed on its own:
//        ask_median_us (and ask_mean_us = elapsed / N). The replies must add up to N(N+1)/2.
//  send  one message makes a second Lua actor run `for i = 1, N do s = s + ctx.send("echo",
//        i) end`: N round trips from Lua to a C++ actor that replies msg + 1 (an untyped
//        value actor, no codec). send_rtt_us = elapsed / N; the sum must be N(N+3)/2.
//
// For scale, the same tell and ask phases run against a C++ actor taking troupe::value and
// replying msg + 1 (cxx_msgs_per_s, cxx_ask_median_us): what the runtime costs without Lua.
//
// The floor (the second line, runtime "raw"), timed first, before the node and its worker
// threads exist: a plain lua_State with the standard libraries, a global table ctx, and the
// chunk `return ctx.msg + 1` compiled once; per message: set ctx.msg (lua_setfield),
// lua_pcall the chunk, read the integer. resume_ns_per_msg does the same with lua_resume on
// a reused coroutine, as the actor does (no instruction hook, no value conversion).
//
// Unlike the other programs this one prints two lines: its own, then the floor's.
#include <algorithm>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include <lua.hpp>

#include <troupe/lua/script_actor.hpp>
#include <troupe/troupe.hpp>

#include "bench_cli.hpp"

using namespace std::chrono_literals;
using troupe::value;

namespace {

/// A C++ actor that replies msg + 1: the echo that ctx.send calls, and the C++ baseline.
struct plus_one : troupe::actor<plus_one, value> {
    value handle(value v) { return value{v.as_int64() + 1}; }
};

struct tell_phase {
    std::uint64_t n;
};
struct ask_phase {
    std::uint64_t n;
};

struct ask_result {
    std::uint64_t sum = 0;
    double elapsed_s = 0;
    double median_us = 0;
};

struct tell_result {
    std::int64_t flush_reply = -1;
    double elapsed_s = 0;
};

/// Drives a target (the Lua actor or the C++ baseline) through the tell and ask phases.
template <class Target>
struct driver : troupe::actor<driver<Target>, tell_phase, ask_phase> {
    explicit driver(troupe::ref<Target> t) : target_(std::move(t)) {}

    troupe::task<tell_result> handle(tell_phase p) {
        bench::stopwatch clock;
        clock.start();
        for (std::uint64_t i = 0; i < p.n; ++i) target_.tell(value{i});
        value flush{p.n};  // named: GCC 12 miscompiles a braced temporary in co_await
        troupe::result<value> reply = co_await target_.ask(std::move(flush), 60s);
        tell_result r;
        r.elapsed_s = clock.elapsed_s();
        if (reply && reply->is_int64()) r.flush_reply = reply->as_int64();
        co_return r;
    }

    troupe::task<ask_result> handle(ask_phase p) {
        std::vector<float> rtt_us;
        rtt_us.reserve(p.n);
        ask_result r;
        bench::stopwatch total;
        total.start();
        for (std::uint64_t i = 0; i < p.n; ++i) {
            bench::stopwatch one;
            one.start();
            value request{i};
            troupe::result<value> reply = co_await target_.ask(std::move(request), 10s);
            rtt_us.push_back(static_cast<float>(one.elapsed_s() * 1e6));
            if (!reply || !reply->is_int64()) co_return ask_result{};
            r.sum += static_cast<std::uint64_t>(reply->as_int64());
        }
        r.elapsed_s = total.elapsed_s();
        auto mid = rtt_us.begin() + static_cast<std::ptrdiff_t>(rtt_us.size() / 2);
        std::nth_element(rtt_us.begin(), mid, rtt_us.end());
        r.median_us = rtt_us.empty() ? 0 : *mid;
        co_return r;
    }

private:
    troupe::ref<Target> target_;
};

template <class Target>
bool run_phases(troupe::node& node, troupe::ref<Target> target, std::uint64_t n, const char* what,
                tell_result& tells, ask_result& asks) {
    auto d = node.spawn<driver<Target>>(std::move(target)).value();
    tells = d.ask(tell_phase{n}, troupe::duration::max()).get().value_or(tell_result{});
    if (tells.flush_reply != static_cast<std::int64_t>(n + 1)) {
        std::fprintf(stderr,
                     "lua_handle: %s: the flush ask replied %" PRId64 ", expected %" PRIu64 "\n",
                     what, tells.flush_reply, n + 1);
        return false;
    }
    asks = d.ask(ask_phase{n}, troupe::duration::max()).get().value_or(ask_result{});
    if (asks.sum != n * (n + 1) / 2) {
        std::fprintf(
            stderr, "lua_handle: %s: the ask replies add up to %" PRIu64 ", expected %" PRIu64 "\n",
            what, asks.sum, n * (n + 1) / 2);
        return false;
    }
    return true;
}

// --- the floor: the chunk on a bare lua_State ----------------------------------------------

struct floor_result {
    double pcall_s = 0;
    double resume_s = 0;
};

bool run_floor(std::uint64_t n, floor_result& out) {
    lua_State* L = luaL_newstate();
    luaL_openlibs(L);
    lua_newtable(L);
    lua_setglobal(L, "ctx");
    const char* chunk = "return ctx.msg + 1";
    if (luaL_loadbufferx(L, chunk, std::char_traits<char>::length(chunk), "=handle", "t") !=
        LUA_OK) {
        std::fprintf(stderr, "lua_handle: floor: %s\n", lua_tostring(L, -1));
        return false;
    }
    const int fn = luaL_ref(L, LUA_REGISTRYINDEX);
    lua_getglobal(L, "ctx");
    const int ctx = lua_gettop(L);
    bool ok = true;

    // pcall: set ctx.msg, call, read the result.
    auto pcall_pass = [&](std::uint64_t count) {
        std::uint64_t sum = 0;
        for (std::uint64_t i = 0; i < count && ok; ++i) {
            lua_pushinteger(L, static_cast<lua_Integer>(i));
            lua_setfield(L, ctx, "msg");
            lua_rawgeti(L, LUA_REGISTRYINDEX, fn);
            ok = lua_pcall(L, 0, 1, 0) == LUA_OK && lua_isinteger(L, -1);
            sum += static_cast<std::uint64_t>(lua_tointeger(L, -1));
            lua_pop(L, 1);
        }
        return sum;
    };
    // resume: the same on a reused coroutine, as the actor runs its handler.
    lua_State* co = lua_newthread(L);
    const int co_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    auto resume_pass = [&](std::uint64_t count) {
        std::uint64_t sum = 0;
        for (std::uint64_t i = 0; i < count && ok; ++i) {
            lua_pushinteger(L, static_cast<lua_Integer>(i));
            lua_setfield(L, ctx, "msg");
            lua_rawgeti(co, LUA_REGISTRYINDEX, fn);
            int nres = 0;
            ok = lua_resume(co, nullptr, 0, &nres) == LUA_OK && nres == 1 && lua_isinteger(co, -1);
            sum += static_cast<std::uint64_t>(lua_tointeger(co, -1));
            lua_pop(co, nres);
        }
        return sum;
    };
    // A short untimed pass of each first: the first calls grow the stacks and warm the caches.
    const std::uint64_t warm = std::min<std::uint64_t>(n, 10000);
    pcall_pass(warm);
    resume_pass(warm);

    bench::stopwatch clock;
    clock.start();
    ok = ok && pcall_pass(n) == n * (n + 1) / 2;
    out.pcall_s = clock.elapsed_s();
    clock.start();
    ok = ok && resume_pass(n) == n * (n + 1) / 2;
    out.resume_s = clock.elapsed_s();
    luaL_unref(L, LUA_REGISTRYINDEX, co_ref);
    lua_close(L);
    if (!ok) std::fprintf(stderr, "lua_handle: floor: wrong results from the bare chunk\n");
    return ok;
}

}  // namespace

int main(int argc, char** argv) {
    const auto args = bench::parse(argc, argv, "lua_handle [N=500000] [workers=K]", {500000});
    const std::uint64_t n = args.values[0];

    // The floor first, before the node's workers exist (they would compete for the cores).
    floor_result fl;
    if (!run_floor(n, fl)) return 1;

    troupe::node_config cfg;
    cfg.workers = args.workers;
    troupe::node node{std::move(cfg)};
    const std::size_t workers = node.executor().concurrency();

    // The Lua actor under test, and the C++ baseline.
    auto script = troupe::lua::builder{}.on_handle("return ctx.msg + 1").build();
    if (!script) {
        std::fprintf(stderr, "lua_handle: %s\n", script.error().message().c_str());
        return 1;
    }
    auto lua_actor = node.spawn<troupe::lua::script_actor>(*script).value();
    auto cxx_actor = node.spawn<plus_one>().value();

    tell_result lua_tells, cxx_tells;
    ask_result lua_asks, cxx_asks;
    if (!run_phases(node, lua_actor, n, "lua", lua_tells, lua_asks)) return 1;
    if (!run_phases(node, cxx_actor, n, "c++", cxx_tells, cxx_asks)) return 1;

    // send: N ctx.send round trips from one run of a Lua handler to the C++ echo.
    auto sender_script = troupe::lua::builder{}
                             .on_handle(
                                 "local s = 0\n"
                                 "for i = 1, ctx.msg do s = s + ctx.send('echo', i) end\n"
                                 "return s")
                             .add_recipient("echo", cxx_actor.addr())
                             // One run makes N calls: no instruction limit for a large N.
                             .limits({.memory = 64u << 20, .instructions = UINT64_MAX})
                             .build();
    if (!sender_script) {
        std::fprintf(stderr, "lua_handle: %s\n", sender_script.error().message().c_str());
        return 1;
    }
    auto sender = node.spawn<troupe::lua::script_actor>(*sender_script).value();
    bench::stopwatch clock;
    clock.start();
    auto sent = sender.ask(value{n}, troupe::duration::max()).get();
    const double send_s = clock.elapsed_s();
    const std::uint64_t send_expected = n * (n + 3) / 2;
    if (!sent || !sent->is_int64() ||
        static_cast<std::uint64_t>(sent->as_int64()) != send_expected) {
        std::fprintf(stderr, "lua_handle: send: the handler returned %s, expected %" PRIu64 "\n",
                     sent ? sent->to_string().c_str() : sent.error().message().c_str(),
                     send_expected);
        return 1;
    }

    const double dn = static_cast<double>(n);
    std::printf("troupe lua_handle n=%" PRIu64
                " workers=%zu tell_elapsed_s=%.6g ask_median_us=%.4g ask_mean_us=%.4g "
                "send_rtt_us=%.4g cxx_msgs_per_s=%.6g cxx_ask_median_us=%.4g msgs_per_s=%.6g\n",
                n, workers, lua_tells.elapsed_s, lua_asks.median_us, lua_asks.elapsed_s * 1e6 / dn,
                send_s * 1e6 / dn, dn / cxx_tells.elapsed_s, cxx_asks.median_us,
                dn / lua_tells.elapsed_s);
    std::printf("raw lua_handle n=%" PRIu64
                " pcall_ns_per_msg=%.4g resume_ns_per_msg=%.4g elapsed_s=%.6g msgs_per_s=%.6g\n",
                n, fl.pcall_s * 1e9 / dn, fl.resume_s * 1e9 / dn, fl.pcall_s, dn / fl.pcall_s);
    return 0;
}

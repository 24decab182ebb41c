// Lua actors on a real node with worker threads: many askers on one actor, a ring of Lua
// actors passing a token, a chain of ctx.send calls, and a thousand small actors.

#include <atomic>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include <troupe/lua/script_actor.hpp>
#include <troupe/node.hpp>

#include "support/lua_test.hpp"

using namespace lua_test;

namespace {

troupe::node_config two_workers() {
    troupe::node_config cfg;
    cfg.workers = 2;
    return cfg;
}

/// Fulfils a promise with the first value it receives.
struct finish_line : troupe::actor<finish_line, value> {
    explicit finish_line(std::promise<value>* p) : done(p) {}
    void handle(value v) {
        if (done) done->set_value(std::move(v));
        done = nullptr;
    }
    std::promise<value>* done;
};

TEST(LuaThreaded, ConcurrentAsksToOneActorCountExactly) {
    troupe::node node{two_workers()};
    auto a = node
                 .spawn<lua::script_actor>(build(lua::builder{}.on_handle(
                     "ctx.state.n = (ctx.state.n or 0) + 1\nreturn ctx.state.n")))
                 .value();
    constexpr int threads = 4, asks = 500;
    std::vector<std::vector<std::int64_t>> seen(threads);
    std::atomic<int> failures{0};
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) {
        pool.emplace_back([&, t] {
            for (int i = 0; i < asks; ++i) {
                auto r = a.ask(value{i}, 10s).get();
                if (r && r->is_int64()) {
                    seen[t].push_back(r->as_int64());
                } else {
                    failures.fetch_add(1);
                }
            }
        });
    }
    for (auto& th : pool) th.join();
    EXPECT_EQ(failures.load(), 0);
    // Every reply is a distinct count from 1 to 2000, increasing within each asker.
    std::vector<bool> hit(threads * asks + 1, false);
    for (const auto& replies : seen) {
        ASSERT_EQ(replies.size(), static_cast<std::size_t>(asks));
        for (std::size_t i = 0; i < replies.size(); ++i) {
            auto n = replies[i];
            ASSERT_GE(n, 1);
            ASSERT_LE(n, threads * asks);
            EXPECT_FALSE(hit[n]) << n;
            hit[n] = true;
            if (i > 0) {
                EXPECT_GT(n, replies[i - 1]);
            }
        }
    }
    EXPECT_EQ(a.ask(value{"last"}, 10s).get().value(), value{threads * asks + 1});
}

TEST(LuaThreaded, RingOfLuaActorsPassesATokenWithDoSend) {
    troupe::node node{two_workers()};
    std::promise<value> promise;
    auto result = promise.get_future();
    auto finish = node.spawn<finish_line>(&promise).value();
    auto ring_member = build(lua::builder{}
                                 .on_handle(R"(
        local m = ctx.msg
        if m.next then ctx.state.next = m.next return 'linked' end
        ctx.state.seen = (ctx.state.seen or 0) + 1
        if m.hops == 0 then
            ctx.do_send('finish', {last = ctx.self, seen = ctx.state.seen})
        else
            ctx.do_send(ctx.state.next, {hops = m.hops - 1})
        end)")
                                 .add_recipient("finish", finish.addr()));
    constexpr int size = 16, rounds = 50;
    std::vector<troupe::ref<lua::script_actor>> ring;
    for (int i = 0; i < size; ++i)
        ring.push_back(node.spawn<lua::script_actor>(ring_member).value());
    for (int i = 0; i < size; ++i) {
        auto next = ring[(i + 1) % size].addr().to_string();
        ASSERT_EQ(ring[i].ask(value{value::map{{"next", next}}}, 10s).get().value(),
                  value{"linked"});
    }
    // size * rounds hops: the token goes round `rounds` times and stops where it started.
    ring[0].tell(value{value::map{{"hops", size * rounds}}});
    ASSERT_EQ(result.wait_for(30s), std::future_status::ready);
    auto last = result.get();
    EXPECT_EQ(last.at("last"), value{ring[0].addr().to_string()});
    EXPECT_EQ(last.at("seen"), value{rounds + 1});
}

TEST(LuaThreaded, ChainOfCtxSendReturnsThroughEveryActor) {
    troupe::node node{two_workers()};
    // Each link asks the next one (its address comes in the message) and adds one.
    auto link = build(lua::builder{}.on_handle(R"(
        local rest = ctx.msg
        if #rest == 0 then return 0 end
        local next = table.remove(rest, 1)
        return ctx.send(next, ctx.array(rest)) + 1)"));
    constexpr int length = 20;
    std::vector<troupe::ref<lua::script_actor>> chain;
    for (int i = 0; i < length; ++i) chain.push_back(node.spawn<lua::script_actor>(link).value());
    value::array rest;
    for (int i = 1; i < length; ++i) rest.emplace_back(chain[i].addr().to_string());
    // Several chains at once, from several threads.
    std::vector<std::thread> askers;
    std::atomic<int> right{0};
    for (int t = 0; t < 4; ++t) {
        askers.emplace_back([&] {
            for (int i = 0; i < 25; ++i) {
                auto r = chain[0].ask(value{rest}, 30s).get();
                if (r && *r == value{length - 1}) right.fetch_add(1);
            }
        });
    }
    for (auto& th : askers) th.join();
    EXPECT_EQ(right.load(), 100);
}

TEST(LuaThreaded, AThousandLuaActorsEachAnswer) {
    troupe::node node{two_workers()};
    auto s = build(
        lua::builder{}.on_started("ctx.state.k = 3").on_handle("return ctx.msg * ctx.state.k"));
    constexpr int count = 1000;
    std::vector<troupe::ref<lua::script_actor>> actors;
    actors.reserve(count);
    for (int i = 0; i < count; ++i) {
        auto a = node.spawn<lua::script_actor>(s);
        ASSERT_TRUE(a) << i << ": " << a.error().message();
        actors.push_back(*a);
    }
    EXPECT_GE(node.actor_count(), static_cast<std::size_t>(count));
    std::vector<troupe::pending<value>> replies;
    replies.reserve(count);
    for (int i = 0; i < count; ++i) replies.push_back(actors[i].ask(value{i}, 30s));
    for (int i = 0; i < count; ++i) {
        auto r = std::move(replies[i]).get();
        ASSERT_TRUE(r) << i << ": " << r.error().message();
        EXPECT_EQ(*r, value{3 * i});
    }
    // Each VM is small and its memory is accounted.
    for (int i = 0; i < count; i += 100) {
        auto used = actors[i].get() ? actors[i].get()->memory_used() : 0;
        EXPECT_GT(used, 0u);
        EXPECT_LT(used, 1u << 20);
    }
}

}  // namespace

// Coroutine handlers: task<T> (exclusive), reentrant_task<T>, concurrent<T>; deferred replies.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <troupe/actor.hpp>
#include <troupe/testing/runtime.hpp>

using namespace std::chrono_literals;

namespace {

struct get {};
struct slow_get {};
struct poke {
    std::string tag;
};

// Replies after a (virtual) delay.
struct backend : troupe::actor<backend, get> {
    troupe::task<int> handle(get) {
        co_await sleep(100ms);
        co_return 7;
    }
};

// Asks the backend from a coroutine handler; logs everything it handles, in order.
struct frontend : troupe::actor<frontend, slow_get, poke> {
    troupe::ref<backend> b;
    std::vector<std::string>* log;
    frontend(troupe::ref<backend> be, std::vector<std::string>* l) : b(std::move(be)), log(l) {}

    troupe::task<int> handle(slow_get) {
        log->push_back("slow_get start");
        auto r = co_await b.ask(get{}, 1s);
        log->push_back("slow_get end");
        co_return r.value() * 6;
    }
    void handle(const poke& p) { log->push_back(p.tag); }
};

struct reentrant_frontend : troupe::actor<reentrant_frontend, slow_get, poke> {
    troupe::ref<backend> b;
    std::vector<std::string>* log;
    reentrant_frontend(troupe::ref<backend> be, std::vector<std::string>* l)
        : b(std::move(be)), log(l) {}

    troupe::reentrant_task<int> handle(slow_get) {
        log->push_back("slow_get start");
        auto r = co_await b.ask(get{}, 1s);
        log->push_back("slow_get end");
        co_return r.value();
    }
    void handle(const poke& p) { log->push_back(p.tag); }
};

TEST(Coroutine, ExclusiveTaskHoldsOtherMessagesUntilItFinishes) {
    std::vector<std::string> log;  // outlives the runtime: stopped hooks write to it
    troupe::testing::runtime rt;
    auto b = rt.node().spawn<backend>().value();
    auto f = rt.node().spawn<frontend>(b, &log).value();
    auto r = f.ask(slow_get{}, 5s);
    f.tell(poke{"poke"});
    rt.run_until_idle();
    EXPECT_EQ(log, (std::vector<std::string>{"slow_get start"}));  // poke waits
    rt.advance(100ms);
    EXPECT_EQ(log, (std::vector<std::string>{"slow_get start", "slow_get end", "poke"}));
    EXPECT_EQ(std::move(r).get().value(), 42);
}

TEST(Coroutine, ReentrantTaskLetsMessagesInterleave) {
    std::vector<std::string> log;  // outlives the runtime: stopped hooks write to it
    troupe::testing::runtime rt;
    auto b = rt.node().spawn<backend>().value();
    auto f = rt.node().spawn<reentrant_frontend>(b, &log).value();
    auto r = f.ask(slow_get{}, 5s);
    f.tell(poke{"poke"});
    rt.run_until_idle();
    EXPECT_EQ(log, (std::vector<std::string>{"slow_get start", "poke"}));
    rt.advance(100ms);
    EXPECT_EQ(log, (std::vector<std::string>{"slow_get start", "poke", "slow_get end"}));
    EXPECT_EQ(std::move(r).get().value(), 7);
}

TEST(Coroutine, AskTimeoutUsesTheTimerService) {
    troupe::testing::runtime rt;
    auto b = rt.node().spawn<backend>().value();
    auto r = b.ask(get{}, 50ms);
    rt.run_until_idle();
    rt.advance(50ms);
    ASSERT_TRUE(r.is_ready());
    auto res = std::move(r).get();
    ASSERT_FALSE(res);
    EXPECT_EQ(res.error().code(), troupe::errc::timeout);
    EXPECT_NE(res.error().reason().find("within 50ms"), std::string::npos);
}

// Deferred replies: the handler keeps the reply handle and answers later.
struct wait_for_value {};
struct set_value {
    int v;
};
struct cell : troupe::actor<cell, wait_for_value, set_value> {
    std::vector<troupe::reply_handle<int>> waiting;
    troupe::deferred<int> handle(wait_for_value) {
        waiting.push_back(reply_later<int>());
        return {};
    }
    void handle(set_value s) {
        for (auto& w : waiting) w.send(s.v);
        waiting.clear();
    }
};

TEST(Coroutine, DeferredReplyArrivesWhenTheHandleIsUsed) {
    troupe::testing::runtime rt;
    auto c = rt.node().spawn<cell>().value();
    auto r1 = c.ask(wait_for_value{}, 1s);
    auto r2 = c.ask(wait_for_value{}, 1s);
    rt.run_until_idle();
    EXPECT_FALSE(r1.is_ready());
    c.tell(set_value{5});
    rt.run_until_idle();
    EXPECT_EQ(std::move(r1).get().value(), 5);
    EXPECT_EQ(std::move(r2).get().value(), 5);
}

struct drop_reply {};
struct dropper : troupe::actor<dropper, drop_reply> {
    troupe::deferred<int> handle(drop_reply) {
        auto h = reply_later<int>();  // destroyed without replying
        return {};
    }
};

TEST(Coroutine, DroppedReplyHandleFailsTheAsker) {
    troupe::testing::runtime rt;
    auto d = rt.node().spawn<dropper>().value();
    auto r = d.ask(drop_reply{}, 1s).get();
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code(), troupe::errc::no_reply);
}

// Callbacks: inside an actor, then() runs in the actor's context.
struct relay_msg {};
struct relay : troupe::actor<relay, relay_msg, poke> {
    troupe::ref<backend> b;
    std::vector<std::string>* log;
    relay(troupe::ref<backend> be, std::vector<std::string>* l) : b(std::move(be)), log(l) {}
    void handle(relay_msg) {
        b.ask(get{}, 1s).then([this](troupe::result<int> r) {
            log->push_back(
                "reply " + std::to_string(r.value()) +
                (troupe::detail::current_actor() == &cell() ? " in actor" : " elsewhere"));
        });
    }
    void handle(const poke& p) { log->push_back(p.tag); }
};

TEST(Coroutine, ThenCallbackRunsInTheAskingActor) {
    std::vector<std::string> log;  // outlives the runtime: stopped hooks write to it
    troupe::testing::runtime rt;
    auto b = rt.node().spawn<backend>().value();
    auto r = rt.node().spawn<relay>(b, &log).value();
    r.tell(relay_msg{});
    r.tell(poke{"poke"});  // not held: then() does not block the actor
    rt.run_until_idle();
    EXPECT_EQ(log, (std::vector<std::string>{"poke"}));
    rt.advance(100ms);
    EXPECT_EQ(log, (std::vector<std::string>{"poke", "reply 7 in actor"}));
}

// The deferred-reply pattern: ask another actor and answer from the callback, which owns
// the (move-only) reply handle.
struct forward_get {};
struct forwarder : troupe::actor<forwarder, forward_get> {
    troupe::ref<backend> b;
    explicit forwarder(troupe::ref<backend> be) : b(std::move(be)) {}
    troupe::deferred<int> handle(forward_get) {
        b.ask(get{}, 1s).then([reply = reply_later<int>()](troupe::result<int> r) mutable {
            reply.send(r.value() * 10);
        });
        return {};
    }
};

TEST(Coroutine, ThenCallbackCanOwnAReplyHandle) {
    troupe::testing::runtime rt;
    auto b = rt.node().spawn<backend>().value();
    auto f = rt.node().spawn<forwarder>(b).value();
    EXPECT_EQ(f.ask(forward_get{}, 5s).get().value(), 70);
}

TEST(Coroutine, ThenCallbackFromAPlainThreadRunsOnCompletion) {
    troupe::testing::runtime rt;
    auto b = rt.node().spawn<backend>().value();
    int got = 0;
    b.ask(get{}, 1s).then([&](troupe::result<int> r) { got = r.value(); });
    rt.run_until_idle();
    EXPECT_EQ(got, 0);
    rt.advance(100ms);
    EXPECT_EQ(got, 7);
}

// A coroutine handler that throws crashes the actor, and its asker gets the reason.
struct fail_later {};
struct failer : troupe::actor<failer, fail_later> {
    troupe::task<int> handle(fail_later) {
        co_await sleep(10ms);
        throw std::runtime_error("late failure");
    }
};

TEST(Coroutine, ThrowAfterSuspensionCrashesTheActor) {
    troupe::testing::runtime rt;
    auto f = rt.node().spawn<failer>().value();
    auto exit = f.wait();
    auto r = f.ask(fail_later{}, 1s);
    rt.run_until_idle();
    rt.advance(10ms);
    auto res = std::move(r).get();
    ASSERT_FALSE(res);
    EXPECT_EQ(res.error().code(), troupe::errc::handler_failed);
    EXPECT_EQ(res.error().reason(), "late failure");
    EXPECT_EQ(std::move(exit).get().value(), troupe::exit_reason::error("late failure"));
}

// Nested tasks: a handler awaits a helper task that awaits an ask.
struct nested : troupe::actor<nested, slow_get> {
    troupe::ref<backend> b;
    explicit nested(troupe::ref<backend> be) : b(std::move(be)) {}
    troupe::task<int> twice() {
        auto x = co_await b.ask(get{}, 1s);
        auto y = co_await b.ask(get{}, 1s);
        co_return x.value() + y.value();
    }
    troupe::task<int> handle(slow_get) { co_return co_await twice() + 1; }
};

TEST(Coroutine, NestedTasksResumeInOrder) {
    troupe::testing::runtime rt;
    auto b = rt.node().spawn<backend>().value();
    auto n = rt.node().spawn<nested>(b).value();
    EXPECT_EQ(n.ask(slow_get{}, 5s).get().value(), 15);
}

// A coroutine handler may take its message by reference: the message lives as long as the
// coroutine, even when other messages arrive meanwhile.
struct boxed {
    int v;
};
struct by_ref : troupe::actor<by_ref, boxed> {
    troupe::reentrant_task<int> handle(const boxed& b) {
        co_await sleep(10ms);
        co_return b.v;
    }
};

TEST(Coroutine, MessagesTakenByReferenceOutliveTheSuspension) {
    troupe::testing::runtime rt;
    auto a = rt.node().spawn<by_ref>().value();
    auto first = a.ask(boxed{7}, 1s);
    rt.run_until_idle();
    auto second = a.ask(boxed{99}, 1s);  // arrives while the first is suspended
    rt.run_until_idle();
    rt.advance(10ms);
    EXPECT_EQ(std::move(first).get().value(), 7);
    EXPECT_EQ(std::move(second).get().value(), 99);
}

// Exit listeners hear of an exit after the actor has left the table and the registry.
TEST(Coroutine, WaitCallbackSeesTheActorGone) {
    troupe::testing::runtime rt;
    auto b = rt.node().spawn<backend>().value();
    ASSERT_TRUE(rt.node().register_name("b", b.addr()));
    bool checked = false;
    b.wait().then([&](troupe::result<troupe::exit_reason>) {
        EXPECT_FALSE(rt.node().whereis("b"));
        EXPECT_EQ(rt.node().actor_count(), 0u);
        EXPECT_FALSE(rt.node().lookup(b.addr()));
        checked = true;
    });
    b.kill();
    rt.run_until_idle();
    EXPECT_TRUE(checked);
}

}  // namespace

// Typed actors, tell and ask, on the deterministic runtime: who got what, in which order.
#include <troupe/actor.hpp>
#include <troupe/testing/runtime.hpp>

#include <gtest/gtest.h>

#include <string>
#include <vector>

using namespace std::chrono_literals;

namespace {

struct add {
    int a, b;
};
struct ping {
    int n;
};
struct note {
    std::string text;
};
struct boom {};

struct calc : troupe::actor<calc, add, ping, note, boom> {
    std::vector<std::string>* log;
    explicit calc(std::vector<std::string>* l) : log(l) {}

    int handle(const add& m) { return m.a + m.b; }
    std::string handle(ping p) { return "pong " + std::to_string(p.n); }
    void handle(note n) { log->push_back(n.text); }
    int handle(boom) { throw std::runtime_error("kaboom"); }
};

TEST(Actor, AskReturnsTheHandlersReply) {
    std::vector<std::string> log;  // outlives the runtime: stopped hooks write to it
    troupe::testing::runtime rt;
    auto a = rt.node().spawn<calc>(&log).value();
    auto r = a.ask(add{22, 20}, 1s);
    EXPECT_FALSE(r.is_ready());  // nothing runs until the test says so
    rt.run_until_idle();
    ASSERT_TRUE(r.is_ready());
    EXPECT_EQ(std::move(r).get().value(), 42);
    EXPECT_EQ(a.ask(ping{7}, 1s).get().value(), "pong 7");
}

TEST(Actor, TellsArriveInSendOrder) {
    std::vector<std::string> log;  // outlives the runtime: stopped hooks write to it
    troupe::testing::runtime rt;
    auto a = rt.node().spawn<calc>(&log).value();
    for (int i = 0; i < 5; ++i) a.tell(note{std::to_string(i)});
    rt.run_until_idle();
    EXPECT_EQ(log, (std::vector<std::string>{"0", "1", "2", "3", "4"}));
    EXPECT_EQ(rt.received_by(a.addr()).size(), 5u);
}

TEST(Actor, AThrowingHandlerCrashesOnlyThatActor) {
    std::vector<std::string> log;  // outlives the runtime: stopped hooks write to it
    troupe::testing::runtime rt;
    auto a = rt.node().spawn<calc>(&log).value();
    auto b = rt.node().spawn<calc>(&log).value();
    auto exit = a.wait();
    auto r = a.ask(boom{}, 1s).get();
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code(), troupe::errc::handler_failed);
    EXPECT_EQ(r.error().reason(), "kaboom");
    EXPECT_EQ(std::move(exit).get().value(), troupe::exit_reason::error("kaboom"));
    // The other actor is untouched, and an ask to the dead one fails at once.
    EXPECT_EQ(b.ask(add{1, 1}, 1s).get().value(), 2);
    auto dead = a.ask(add{1, 1}, 1s);
    ASSERT_TRUE(dead.is_ready());
    EXPECT_EQ(std::move(dead).get().error().code(), troupe::errc::no_such_actor);
}

}  // namespace

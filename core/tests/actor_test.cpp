// Typed actors, tell and ask, on the deterministic runtime: who got what, in which order.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <troupe/actor.hpp>
#include <troupe/testing/runtime.hpp>

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

TEST(Actor, AnEmptyRefFailsCleanly) {
    troupe::ref<calc> none;
    EXPECT_FALSE(none);
    none.tell(note{"dropped"});
    EXPECT_EQ(none.try_tell(note{"x"}).error().code(), troupe::errc::no_such_actor);
    EXPECT_EQ(none.ask(add{1, 2}, 1s).get().error().code(), troupe::errc::no_such_actor);
    EXPECT_EQ(none.wait().get().value(), troupe::exit_reason::noproc());
}

TEST(Actor, AskByAddressChecksTheReplyType) {
    troupe::testing::runtime rt;
    std::vector<std::string> log;
    auto a = rt.node().spawn<calc>(&log).value();
    EXPECT_EQ(rt.node().ask<int>(a.addr(), add{2, 3}, 1s).get().value(), 5);
    auto wrong = rt.node().ask<std::string>(a.addr(), add{2, 3}, 1s).get();
    ASSERT_FALSE(wrong);
    EXPECT_EQ(wrong.error().code(), troupe::errc::bad_reply_type);
    EXPECT_NE(wrong.error().reason().find("replied with int"), std::string::npos);
    auto nobody = rt.node().ask<int>(troupe::address{0xfff8'0000'0000'0777ULL}, add{}, 1s).get();
    EXPECT_EQ(nobody.error().code(), troupe::errc::no_such_actor);
    EXPECT_EQ(nobody.error().message(), "no such actor: no actor at <fff8:777>");
}

TEST(Actor, SenderIsTheAskingActor) {
    troupe::testing::runtime rt;
    struct who {};
    struct probe : troupe::actor<probe, who> {
        troupe::address handle(who) { return sender(); }
    };
    struct asker : troupe::actor<asker, who> {
        troupe::ref<probe> p;
        explicit asker(troupe::ref<probe> pr) : p(std::move(pr)) {}
        troupe::task<troupe::address> handle(who) { co_return (co_await p.ask(who{}, 1s)).value(); }
    };
    auto p = rt.node().spawn<probe>().value();
    auto a = rt.node().spawn<asker>(p).value();
    EXPECT_EQ(a.ask(who{}, 1s).get().value(), a.addr());
    EXPECT_EQ(p.ask(who{}, 1s).get().value(), troupe::address{});  // from a plain thread
}

}  // namespace

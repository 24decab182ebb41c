// Process-style actors: receive, selective receive, time-outs, catch-all, visit.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <troupe/process.hpp>
#include <troupe/testing/runtime.hpp>

using namespace std::chrono_literals;

namespace {

struct a_msg {
    int n;
};
struct b_msg {
    std::string s;
};
struct get_count {};

TEST(Process, ReceivesInArrivalOrderAndVisitMatchesByType) {
    std::vector<std::string> log;  // outlives the runtime: stopped hooks write to it
    troupe::testing::runtime rt;
    auto body = [&log](troupe::process& self) -> troupe::task<> {
        for (int i = 0; i < 3; ++i) {
            auto m = co_await self.receive();
            troupe::visit(
                m, [&](const a_msg& a) { log.push_back("a" + std::to_string(a.n)); },
                [&](const b_msg& b) { log.push_back("b" + b.s); },
                [&](troupe::message& other) { log.push_back(std::string{other.type_name()}); });
        }
    };
    auto p = troupe::spawn_process(rt.node(), body).value();
    p.tell(a_msg{1});
    p.tell(b_msg{"x"});
    p.tell(42);
    auto exit = p.wait();
    rt.run_until_idle();
    EXPECT_EQ(log, (std::vector<std::string>{"a1", "bx", "int"}));
    EXPECT_EQ(std::move(exit).get().value(), troupe::exit_reason::normal());
}

TEST(Process, SelectiveReceiveKeepsOtherMessagesForLater) {
    std::vector<std::string> log;  // outlives the runtime: stopped hooks write to it
    troupe::testing::runtime rt;
    auto body = [&log](troupe::process& self) -> troupe::task<> {
        auto b = co_await self.receive<b_msg>();  // skips the a_msgs, keeps them
        log.push_back("b" + b.s + " stashed=" + std::to_string(self.stashed()));
        for (int i = 0; i < 2; ++i) {
            auto a = co_await self.receive<a_msg>();
            log.push_back("a" + std::to_string(a.n));
        }
    };
    auto p = troupe::spawn_process(rt.node(), body).value();
    p.tell(a_msg{1});
    p.tell(a_msg{2});
    p.tell(b_msg{"!"});
    rt.run_until_idle();
    EXPECT_EQ(log, (std::vector<std::string>{"b! stashed=2", "a1", "a2"}));
}

TEST(Process, ReceiveWithTimeoutGivesNulloptInVirtualTime) {
    std::vector<std::string> log;  // outlives the runtime: stopped hooks write to it
    troupe::testing::runtime rt;
    auto body = [&log](troupe::process& self) -> troupe::task<> {
        auto first = co_await self.receive<a_msg>(100ms);
        log.push_back(first ? "got" : "timeout");
        auto second = co_await self.receive<a_msg>(100ms);
        log.push_back(second ? "got " + std::to_string(second->n) : "timeout");
    };
    auto p = troupe::spawn_process(rt.node(), body).value();
    rt.run_until_idle();
    rt.advance(99ms);
    EXPECT_TRUE(log.empty());
    rt.advance(1ms);
    EXPECT_EQ(log, (std::vector<std::string>{"timeout"}));
    rt.advance(50ms);
    p.tell(a_msg{5});
    rt.run_until_idle();
    EXPECT_EQ(log, (std::vector<std::string>{"timeout", "got 5"}));
}

TEST(Process, CatchAllGetsUnwantedMessagesInsteadOfTheStash) {
    std::vector<std::string> log;  // outlives the runtime: stopped hooks write to it
    troupe::testing::runtime rt;
    auto body = [&log](troupe::process& self) -> troupe::task<> {
        self.on_unmatched(
            [&](troupe::message& m) { log.push_back("unmatched " + std::string{m.type_name()}); });
        auto a = co_await self.receive<a_msg>();
        log.push_back("a" + std::to_string(a.n));
    };
    auto p = troupe::spawn_process(rt.node(), body).value();
    rt.run_until_idle();
    p.tell(b_msg{"?"});
    p.tell(a_msg{3});
    rt.run_until_idle();
    EXPECT_EQ(log, (std::vector<std::string>{
                       "unmatched " + std::string{troupe::detail::type_name<b_msg>()}, "a3"}));
}

TEST(Process, RepliesToAsksThroughTheMessage) {
    troupe::testing::runtime rt;
    auto body = [](troupe::process& self) -> troupe::task<> {
        int count = 0;
        for (;;) {
            auto m = co_await self.receive();
            if (m.is<a_msg>()) ++count;
            if (m.is<get_count>()) m.reply(count);
        }
    };
    auto p = troupe::spawn_process(rt.node(), body).value();
    p.tell(a_msg{1});
    p.tell(a_msg{2});
    auto r = rt.node().ask<int>(p.addr(), get_count{}, 1s).get();
    EXPECT_EQ(r.value(), 2);
    auto wrong = rt.node().ask<std::string>(p.addr(), get_count{}, 1s).get();
    ASSERT_FALSE(wrong);
    EXPECT_EQ(wrong.error().code(), troupe::errc::bad_reply_type);
}

TEST(Process, ThrowingBodyExitsWithError) {
    troupe::testing::runtime rt;
    auto body = [](troupe::process& self) -> troupe::task<> {
        co_await self.receive<a_msg>();
        throw std::runtime_error("bad input");
    };
    auto p = troupe::spawn_process(rt.node(), body).value();
    auto exit = p.wait();
    p.tell(a_msg{1});
    EXPECT_EQ(std::move(exit).get().value(), troupe::exit_reason::error("bad input"));
}

TEST(Process, StashedMessagesAreFailedWhenTheProcessExits) {
    troupe::testing::runtime rt;
    auto body = [](troupe::process& self) -> troupe::task<> { co_await self.receive<b_msg>(); };
    auto p = troupe::spawn_process(rt.node(), body).value();
    auto asked = rt.node().ask<int>(p.addr(), a_msg{1}, 1s);  // stashed, never received
    p.tell(b_msg{"end"});
    rt.run_until_idle();
    auto r = std::move(asked).get();
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code(), troupe::errc::no_such_actor);
}

}  // namespace

// Mailboxes: the lock-free inbox, bounded capacity, priority lanes, dead letters, unhandled.
#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include <troupe/actor.hpp>
#include <troupe/detail/inbox.hpp>
#include <troupe/testing/runtime.hpp>

using namespace std::chrono_literals;

namespace {

using troupe::detail::envelope;
using troupe::detail::inbox;

TEST(Inbox, HandshakeMarksIdleAndDead) {
    inbox box;
    auto* a = troupe::detail::make_envelope<int>(troupe::priority::user, {}, 1);
    EXPECT_EQ(box.push(a), inbox::push_result::ok);  // starts neither idle nor dead
    auto* got = box.take_all();
    EXPECT_EQ(got, a);
    EXPECT_TRUE(box.try_block());
    auto* b = troupe::detail::make_envelope<int>(troupe::priority::user, {}, 2);
    EXPECT_EQ(box.push(b), inbox::push_result::unblocked);  // exactly one waker
    auto* c = troupe::detail::make_envelope<int>(troupe::priority::user, {}, 3);
    EXPECT_EQ(box.push(c), inbox::push_result::ok);
    EXPECT_FALSE(box.try_block());  // messages arrived: stay awake
    auto* left = box.close();
    ASSERT_EQ(left, b);
    ASSERT_EQ(left->next, c);
    auto* d = troupe::detail::make_envelope<int>(troupe::priority::user, {}, 4);
    EXPECT_EQ(box.push(d), inbox::push_result::closed);
    for (auto* e : {a, b, c, d}) e->ops->destroy(e);
}

TEST(Inbox, ManyProducersKeepPerProducerOrderUnderContention) {
    constexpr int producers = 4;
    constexpr int per_producer = 20000;
    inbox box;
    std::vector<std::thread> threads;
    for (int p = 0; p < producers; ++p) {
        threads.emplace_back([&box, p] {
            for (int i = 0; i < per_producer; ++i) {
                auto* e = troupe::detail::make_envelope<std::pair<int, int>>(troupe::priority::user,
                                                                             {}, p, i);
                EXPECT_NE(box.push(e), inbox::push_result::closed);
            }
        });
    }
    std::vector<int> next(producers, 0);
    int received = 0;
    while (received < producers * per_producer) {
        for (auto* e = box.take_all(); e;) {
            auto* n = e->next;
            auto& [p, i] = static_cast<troupe::detail::envelope_of<std::pair<int, int>>*>(e)->value;
            EXPECT_EQ(i, next[static_cast<std::size_t>(p)]++);
            ++received;
            e->ops->destroy(e);
            e = n;
        }
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(received, producers * per_producer);
}

struct work {
    int n;
};
struct urgent {};

struct recorder : troupe::actor<recorder, work> {
    std::vector<std::string>* log;
    explicit recorder(std::vector<std::string>* l) : log(l) {}
    void handle(work w) { log->push_back("work " + std::to_string(w.n)); }
    void on_stopped(const troupe::exit_reason& r) override {
        log->push_back("stopped " + r.to_string());
    }
};

TEST(Mailbox, BoundedMailboxRejectsTryTellWhenFull) {
    std::vector<std::string> log;  // outlives the runtime: stopped hooks write to it
    troupe::testing::runtime rt;
    troupe::spawn_options opts;
    opts.capacity = 2;
    auto a = rt.node().spawn_with<recorder>(opts, &log).value();
    EXPECT_TRUE(a.try_tell(work{1}));
    EXPECT_TRUE(a.try_tell(work{2}));
    auto full = a.try_tell(work{3});
    ASSERT_FALSE(full);
    EXPECT_EQ(full.error().code(), troupe::errc::mailbox_full);
    EXPECT_NE(full.error().reason().find("capacity 2"), std::string::npos);
    rt.run_until_idle();
    EXPECT_TRUE(a.try_tell(work{4}));  // room again
    rt.run_until_idle();
    EXPECT_EQ(log, (std::vector<std::string>{"work 1", "work 2", "work 4"}));
}

TEST(Mailbox, AwaitableSendWaitsForRoomAndKeepsOrder) {
    std::vector<std::string> log;  // outlives the runtime: stopped hooks write to it
    troupe::testing::runtime rt;
    troupe::spawn_options opts;
    opts.capacity = 1;
    auto a = rt.node().spawn_with<recorder>(opts, &log).value();
    auto s1 = a.send(work{1});
    auto s2 = a.send(work{2});
    auto s3 = a.send(work{3});
    EXPECT_TRUE(s1.is_ready());
    EXPECT_FALSE(s2.is_ready());  // waiting for room
    EXPECT_FALSE(s3.is_ready());
    rt.run_until_idle();
    EXPECT_TRUE(s2.is_ready());
    EXPECT_TRUE(s3.is_ready());
    EXPECT_EQ(log, (std::vector<std::string>{"work 1", "work 2", "work 3"}));
}

TEST(Mailbox, BlockedSendersFailWhenTheActorExits) {
    std::vector<std::string> log;  // outlives the runtime: stopped hooks write to it
    troupe::testing::runtime rt;
    troupe::spawn_options opts;
    opts.capacity = 1;
    auto a = rt.node().spawn_with<recorder>(opts, &log).value();
    (void)a.send(work{1});
    auto waiting = a.send(work{2});
    a.kill();
    rt.run_until_idle();
    auto r = std::move(waiting).get();
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code(), troupe::errc::no_such_actor);
}

TEST(Mailbox, StopOvertakesQueuedUserMessagesAndKillOvertakesStop) {
    std::vector<std::string> log;  // outlives the runtime: stopped hooks write to it
    troupe::testing::runtime rt;
    auto a = rt.node().spawn<recorder>(&log).value();
    a.tell(work{1});
    a.tell(work{2});
    a.stop();  // exit lane: before the queued user messages
    rt.run_until_idle();
    EXPECT_EQ(log, (std::vector<std::string>{"stopped normal"}));

    log.clear();
    auto b = rt.node().spawn<recorder>(&log).value();
    b.tell(work{1});
    rt.node().exit(b.addr(), troupe::exit_reason::shutdown());
    b.kill();  // kill lane: before the exit signal
    rt.run_until_idle();
    EXPECT_EQ(log, (std::vector<std::string>{"stopped killed"}));
}

TEST(Mailbox, UndeliverableMessagesReachTheDeadLetterHook) {
    troupe::testing::runtime rt;
    std::vector<std::string> dead;
    rt.node().set_dead_letter_hook(
        [&](troupe::address to, std::string_view type, troupe::errc why) {
            dead.push_back(to.to_string() + " " + std::string{type} + " " +
                           std::string{troupe::to_string(why)});
        });
    std::vector<std::string> log;
    auto a = rt.node().spawn<recorder>(&log).value();
    a.kill();
    rt.run_until_idle();
    a.tell(work{1});
    rt.node().tell(troupe::address{0xfff8'0000'0000'0999ULL}, work{2});
    ASSERT_EQ(dead.size(), 2u);
    EXPECT_EQ(dead[0],
              "<fff8:1> " + std::string{troupe::detail::type_name<work>()} + " no such actor");
    EXPECT_EQ(dead[1],
              "<fff8:999> " + std::string{troupe::detail::type_name<work>()} + " no such actor");
}

TEST(Mailbox, UnhandledMessageByAddressGoesToTheHook) {
    std::vector<std::string> log;  // outlives the runtime: stopped hooks write to it
    troupe::testing::runtime rt;
    auto a = rt.node().spawn<recorder>(&log).value();
    // An address carries any message; recorder does not handle std::string.
    auto r = rt.node().ask<int>(a.addr(), std::string{"hello"}, 1s).get();
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code(), troupe::errc::handler_failed);
    EXPECT_NE(r.error().reason().find("does not handle messages of type"), std::string::npos);
    a.tell(work{1});  // and the actor is fine
    rt.run_until_idle();
    EXPECT_EQ(log, (std::vector<std::string>{"work 1"}));
}

struct quiet : troupe::actor<quiet, work> {
    std::vector<std::string>* log;
    explicit quiet(std::vector<std::string>* l) : log(l) {}
    void handle(work) {}
    void on_unhandled(troupe::message_view m) override {
        log->push_back("unhandled " + std::string{m.type_name()});
    }
};

TEST(Mailbox, CustomUnhandledHook) {
    std::vector<std::string> log;  // outlives the runtime: stopped hooks write to it
    troupe::testing::runtime rt;
    auto a = rt.node().spawn<quiet>(&log).value();
    rt.node().tell(a.addr(), 3.5);
    rt.run_until_idle();
    EXPECT_EQ(log, (std::vector<std::string>{"unhandled double"}));
}

}  // namespace

// Regression tests for defects found in review: each names what went wrong before.
#include <atomic>
#include <future>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include <troupe/actor.hpp>
#include <troupe/testing/runtime.hpp>

using namespace std::chrono_literals;

namespace {

struct item {
    int n;
};
struct count_q {};
// Reads the result through send(), which waits for room (an ask to a full bounded mailbox
// fails at once with mailbox_full, by design).
struct report {
    std::promise<std::vector<int>>* out;
};

struct sink : troupe::actor<sink, item, count_q, report> {
    std::vector<int> seen;
    void handle(item i) { seen.push_back(i.n); }
    std::vector<int> handle(count_q) { return seen; }
    void handle(report r) { r.out->set_value(seen); }
};

// Completing a blocked send used to run the sender's callback under the mailbox lock; a
// callback that sent again deadlocked.
TEST(ReviewFixes, SendCompletionCallbackMaySendAgain) {
    troupe::testing::runtime rt;
    troupe::spawn_options opts;
    opts.capacity = 1;
    auto s = rt.node().spawn_with<sink>(opts).value();
    (void)s.send(item{0});
    int chained = 0;
    std::function<void(int)> chain = [&](int n) {
        if (n == 5) return;
        s.send(item{n}).then([&, n](troupe::result<void> r) {
            ASSERT_TRUE(r);
            ++chained;
            chain(n + 1);
        });
    };
    chain(1);
    rt.run_until_idle();
    EXPECT_EQ(chained, 4);
    EXPECT_EQ(s.ask(count_q{}, 1s).get().value(), (std::vector<int>{0, 1, 2, 3, 4}));
}

// A new send could take a freed slot before an older blocked send from the same sender.
TEST(ReviewFixes, SendsToABoundedMailboxKeepSenderOrder) {
    troupe::node_config cfg;
    cfg.workers = 2;
    troupe::node n{std::move(cfg)};
    troupe::spawn_options opts;
    opts.capacity = 4;
    auto s = n.spawn_with<sink>(opts).value();
    std::vector<troupe::pending<void>> sends;
    constexpr int total = 20000;
    for (int i = 0; i < total; ++i) sends.push_back(s.send(item{i}));  // without waiting
    for (auto& p : sends) ASSERT_TRUE(std::move(p).get());
    std::promise<std::vector<int>> out;
    ASSERT_TRUE(s.send(report{&out}).get());
    auto seen = out.get_future().get();
    ASSERT_EQ(seen.size(), static_cast<std::size_t>(total));
    for (int i = 0; i < total; ++i) ASSERT_EQ(seen[static_cast<std::size_t>(i)], i);
}

// then() callbacks and coroutine continuations ran while concurrent handlers were reading.
struct read_slowly {};
struct poke {};
struct guarded : troupe::actor<guarded, read_slowly, poke> {
    std::vector<std::string>* log;
    explicit guarded(std::vector<std::string>* l) : log(l) {}
    troupe::concurrent<int> handle(read_slowly) const {
        log->push_back("read start");
        co_await sleep(10ms);
        log->push_back("read end");
        co_return 1;
    }
    void handle(poke) {
        home().sleep(1ms).then([this](troupe::result<void>) { log->push_back("callback"); });
    }
};

TEST(ReviewFixes, CallbacksWaitForConcurrentReaders) {
    std::vector<std::string> log;
    troupe::testing::runtime rt;
    auto g = rt.node().spawn<guarded>(&log).value();
    g.tell(poke{});
    auto r = g.ask(read_slowly{}, 1s);
    rt.run_until_idle();
    rt.advance(20ms);
    EXPECT_EQ(std::move(r).get().value(), 1);
    EXPECT_EQ(log, (std::vector<std::string>{"read start", "read end", "callback"}));
}

// sender() was empty inside coroutine handlers.
struct who {};
struct probe : troupe::actor<probe, who> {
    troupe::task<std::vector<troupe::address>> handle(who) {
        std::vector<troupe::address> out{sender()};
        co_await sleep(1ms);
        out.push_back(sender());
        co_return out;
    }
};
struct client : troupe::actor<client, who> {
    troupe::ref<probe> p;
    explicit client(troupe::ref<probe> pr) : p(std::move(pr)) {}
    troupe::task<std::vector<troupe::address>> handle(who) {
        auto r = co_await p.ask(who{}, 1s);
        co_return r.value();
    }
};

TEST(ReviewFixes, SenderIsKnownBeforeAndAfterCoAwait) {
    troupe::testing::runtime rt;
    auto p = rt.node().spawn<probe>().value();
    auto c = rt.node().spawn<client>(p).value();
    auto seen = c.ask(who{}, 1s).get().value();
    EXPECT_EQ(seen, (std::vector<troupe::address>{c.addr(), c.addr()}));
}

// Timers armed in a failing start hook fired anyway.
struct tick {};
struct counter : troupe::actor<counter, tick> {
    int ticks = 0;
    void handle(tick) { ++ticks; }
};
struct bad_start : troupe::actor<bad_start, tick> {
    troupe::address target;
    explicit bad_start(troupe::address t) : target(t) {}
    void on_start() override {
        send_interval(target, 1ms, tick{});
        throw std::runtime_error("no");
    }
    void handle(tick) {}
};

TEST(ReviewFixes, TimersOfAFailedStartAreCancelled) {
    troupe::testing::runtime rt;
    auto c = rt.node().spawn<counter>().value();
    ASSERT_FALSE(rt.node().spawn<bad_start>(c.addr()));
    rt.advance(100ms);
    EXPECT_EQ(c.get()->ticks, 0);
}

// A throwing callback outside any actor called std::terminate.
TEST(ReviewFixes, AThrowingPlainCallbackIsLoggedNotFatal) {
    troupe::testing::runtime rt;
    auto c = rt.node().spawn<counter>().value();
    bool ran = false;
    rt.node().sleep(1ms).then([&](troupe::result<void>) {
        ran = true;
        throw std::runtime_error("callback failure");
    });
    rt.advance(1ms);
    EXPECT_TRUE(ran);
    c.tell(tick{});
    rt.run_until_idle();
    EXPECT_EQ(c.get()->ticks, 1);
}

// A blocking get() inside a handler could stall its worker until the time-out.
struct get_inside {};
struct blocker : troupe::actor<blocker, get_inside> {
    troupe::ref<counter> c;
    explicit blocker(troupe::ref<counter> cc) : c(std::move(cc)) {}
    troupe::errc handle(get_inside) {
        auto r = home().sleep(1ms).get();
        return r ? troupe::errc{} : r.error().code();
    }
};

TEST(ReviewFixes, BlockingGetOnAWorkerFailsFastWithAClearError) {
    troupe::node_config cfg;
    cfg.workers = 1;
    troupe::node n{std::move(cfg)};
    auto c = n.spawn<counter>().value();
    auto b = n.spawn<blocker>(c).value();
    EXPECT_EQ(b.ask(get_inside{}, 10s).get().value(), troupe::errc::cancelled);
}

// Messages still queued when an actor exits reach the dead-letter hook.
TEST(ReviewFixes, QueuedMessagesDroppedAtExitAreDeadLetters) {
    troupe::testing::runtime rt;
    int dead = 0;
    rt.node().set_dead_letter_hook([&](troupe::address, std::string_view, troupe::errc why) {
        EXPECT_EQ(why, troupe::errc::no_such_actor);
        ++dead;
    });
    auto c = rt.node().spawn<counter>().value();
    c.tell(tick{});
    c.tell(tick{});
    c.kill();  // overtakes the queued ticks
    rt.run_until_idle();
    EXPECT_EQ(dead, 2);
}

// A concurrent handler suspended when its node shut down leaked, and its asker never heard.
struct long_read {};
struct dozer : troupe::actor<dozer, long_read> {
    int* destroyed;
    std::promise<void>* asleep;
    dozer(int* d, std::promise<void>* a) : destroyed(d), asleep(a) {}
    ~dozer() override { ++*destroyed; }
    troupe::concurrent<int> handle(long_read) const {
        auto nap = sleep(1h);
        asleep->set_value();
        co_await nap;
        co_return 1;
    }
};

TEST(ReviewFixes, SuspendedConcurrentHandlersAreDestroyedAtShutdown) {
    int destroyed = 0;
    std::optional<troupe::pending<int>> r;
    {
        troupe::node_config cfg;
        cfg.workers = 2;
        cfg.shutdown_grace = 100ms;  // the graceful stop waits for the reader, then a kill
        troupe::node n{std::move(cfg)};
        std::promise<void> asleep;
        auto d = n.spawn<dozer>(&destroyed, &asleep).value();
        r.emplace(d.ask(long_read{}, std::chrono::hours(2)));
        ASSERT_EQ(asleep.get_future().wait_for(10s), std::future_status::ready);
    }
    ASSERT_TRUE(r->is_ready());
    auto res = std::move(*r).get();
    ASSERT_FALSE(res);
    EXPECT_EQ(res.error().code(), troupe::errc::cancelled);
    EXPECT_EQ(destroyed, 1);
}

TEST(ReviewFixes, IntervalNeedsAPositivePeriod) {
    troupe::testing::runtime rt;
    auto c = rt.node().spawn<counter>().value();
    EXPECT_THROW((void)rt.node().send_interval(c.addr(), 0ms, tick{}), std::invalid_argument);
}

}  // namespace

// Output ports: who gets which published value, in which order, mapped and filtered; exited
// subscribers drop out; full mailboxes do not. Deterministic runtime, except the last tests,
// which publish and subscribe from several threads at once (run them under TSan).
#include <algorithm>
#include <atomic>
#include <barrier>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include <troupe/actor.hpp>
#include <troupe/output_port.hpp>
#include <troupe/testing/runtime.hpp>

using namespace std::chrono_literals;

namespace {

struct reading {
    int value;
};
struct too_hot {
    int value;
};
struct get_log {};

// Logs what it got, and from whom.
struct listener : troupe::actor<listener, reading, too_hot, get_log> {
    std::vector<std::string> log;
    std::vector<troupe::address> senders;
    void handle(reading r) {
        log.push_back("reading " + std::to_string(r.value));
        senders.push_back(sender());
    }
    void handle(too_hot t) { log.push_back("too_hot " + std::to_string(t.value)); }
    std::vector<std::string> handle(get_log) { return log; }
};

// Handles only too_hot: it can subscribe to a port of readings only through a map.
struct siren : troupe::actor<siren, too_hot, get_log> {
    std::vector<std::string> log;
    void handle(too_hot t) { log.push_back("too_hot " + std::to_string(t.value)); }
    std::vector<std::string> handle(get_log) { return log; }
};

using strings = std::vector<std::string>;

template <class A>
strings log_of(const troupe::ref<A>& a) {
    return a.ask(get_log{}, 1s).get().value();
}

// The typed checks, at compile time.
using port = troupe::output_port<reading>;
static_assert(
    std::is_same_v<troupe::detail::port_message_t<reading, bool (*)(const reading&)>, reading>);
static_assert(std::is_same_v<
              troupe::detail::port_message_t<reading, std::optional<too_hot> (*)(const reading&)>,
              too_hot>);
static_assert(
    std::is_same_v<troupe::detail::port_message_t<reading, too_hot (*)(const reading&)>, too_hot>);

TEST(OutputPort, EverySubscriberGetsEveryValueInPublishOrder) {
    troupe::testing::runtime rt;
    auto a = rt.node().spawn<listener>().value();
    auto b = rt.node().spawn<listener>().value();
    port readings;
    auto sa = readings.subscribe(a);
    auto sb = readings.subscribe(b);
    EXPECT_TRUE(sa);
    EXPECT_NE(sa, sb);
    EXPECT_EQ(readings.subscriber_count(), 2u);
    for (int i = 1; i <= 4; ++i) EXPECT_EQ(readings.publish(reading{i}), 2u);
    rt.run_until_idle();
    const strings all{"reading 1", "reading 2", "reading 3", "reading 4"};
    EXPECT_EQ(log_of(a), all);
    EXPECT_EQ(log_of(b), all);
    // Published from the test's thread: no sending actor.
    EXPECT_EQ(a.get()->senders, std::vector<troupe::address>(4, troupe::address{}));
}

TEST(OutputPort, MapFunctionsMapAndFilter) {
    troupe::testing::runtime rt;
    auto evens = rt.node().spawn<listener>().value();
    auto hot = rt.node().spawn<siren>().value();
    auto all_hot = rt.node().spawn<listener>().value();
    port readings;
    // bool: a filter; the subscriber gets the reading itself.
    readings.subscribe(evens, [](const reading& r) { return r.value % 2 == 0; });
    // std::optional<U>: a map that may filter.
    readings.subscribe(hot, [](const reading& r) {
        return r.value > 90 ? std::optional{too_hot{r.value}} : std::nullopt;
    });
    // U: a map of every value.
    readings.subscribe(all_hot, [](const reading& r) { return too_hot{r.value}; });

    EXPECT_EQ(readings.publish(reading{50}), 2u);  // evens, all_hot
    EXPECT_EQ(readings.publish(reading{95}), 2u);  // hot, all_hot
    EXPECT_EQ(readings.publish(reading{92}), 3u);  // all three
    EXPECT_EQ(readings.publish(reading{7}), 1u);   // all_hot
    rt.run_until_idle();
    EXPECT_EQ(log_of(evens), (strings{"reading 50", "reading 92"}));
    EXPECT_EQ(log_of(hot), (strings{"too_hot 95", "too_hot 92"}));
    EXPECT_EQ(log_of(all_hot), (strings{"too_hot 50", "too_hot 95", "too_hot 92", "too_hot 7"}));
}

TEST(OutputPort, ASubscriberThatExitedIsDropped) {
    troupe::testing::runtime rt;
    std::vector<std::pair<troupe::address, troupe::errc>> dead_letters;
    rt.node().set_dead_letter_hook(
        [&](troupe::address to, std::string_view type, troupe::errc why) {
            EXPECT_NE(type.find("reading"), std::string_view::npos);
            dead_letters.emplace_back(to, why);
        });
    auto stays = rt.node().spawn<listener>().value();
    auto leaves = rt.node().spawn<listener>().value();
    port readings;
    readings.subscribe(stays);
    readings.subscribe(leaves);
    EXPECT_EQ(readings.publish(reading{1}), 2u);
    rt.run_until_idle();

    EXPECT_TRUE(leaves.stop_and_wait(1s).get());
    EXPECT_EQ(readings.subscriber_count(), 2u);  // nobody told the port yet
    EXPECT_EQ(readings.publish(reading{2}), 1u);
    EXPECT_EQ(readings.subscriber_count(), 1u);
    // The value it missed went to dead letters, like a tell to an exited actor; only once.
    ASSERT_EQ(dead_letters.size(), 1u);
    EXPECT_EQ(dead_letters[0], std::pair(leaves.addr(), troupe::errc::no_such_actor));
    EXPECT_EQ(readings.publish(reading{3}), 1u);
    EXPECT_EQ(dead_letters.size(), 1u);
    rt.run_until_idle();
    EXPECT_EQ(log_of(stays), (strings{"reading 1", "reading 2", "reading 3"}));

    // Subscribing also leaves out the ones that exited, without publishing.
    auto brief = rt.node().spawn<listener>().value();
    readings.subscribe(brief);
    EXPECT_EQ(readings.subscriber_count(), 2u);
    brief.kill();
    rt.run_until_idle();
    readings.subscribe(rt.node().spawn<listener>().value());
    EXPECT_EQ(readings.subscriber_count(), 2u);
    EXPECT_EQ(dead_letters.size(), 1u);
}

TEST(OutputPort, UnsubscribeStopsDelivery) {
    troupe::testing::runtime rt;
    auto a = rt.node().spawn<listener>().value();
    auto b = rt.node().spawn<listener>().value();
    port readings;
    auto sa = readings.subscribe(a);
    readings.subscribe(b);
    readings.publish(reading{1});
    EXPECT_TRUE(readings.unsubscribe(sa));
    EXPECT_FALSE(readings.unsubscribe(sa));  // once only
    EXPECT_FALSE(readings.unsubscribe(troupe::subscription{}));
    EXPECT_EQ(readings.subscriber_count(), 1u);
    EXPECT_EQ(readings.publish(reading{2}), 1u);
    rt.run_until_idle();
    EXPECT_EQ(log_of(a), (strings{"reading 1"}));
    EXPECT_EQ(log_of(b), (strings{"reading 1", "reading 2"}));

    // A subscription belongs to its port: another port does not know it.
    port other;
    auto sb = other.subscribe(b);
    EXPECT_FALSE(readings.unsubscribe(sb));
    EXPECT_TRUE(other.unsubscribe(sb));
}

TEST(OutputPort, AFullMailboxMissesTheValueButStaysSubscribed) {
    troupe::testing::runtime rt;
    std::vector<troupe::errc> dead_letters;
    rt.node().set_dead_letter_hook(
        [&](troupe::address, std::string_view, troupe::errc why) { dead_letters.push_back(why); });
    troupe::spawn_options small;
    small.capacity = 1;
    auto slow = rt.node().spawn_with<listener>(small).value();
    port readings;
    readings.subscribe(slow);
    EXPECT_EQ(readings.publish(reading{1}), 1u);
    EXPECT_EQ(readings.publish(reading{2}), 0u);  // full: nothing has run yet
    EXPECT_EQ(dead_letters, std::vector{troupe::errc::mailbox_full});
    EXPECT_EQ(readings.subscriber_count(), 1u);
    rt.run_until_idle();
    EXPECT_EQ(readings.publish(reading{3}), 1u);
    rt.run_until_idle();
    EXPECT_EQ(log_of(slow), (strings{"reading 1", "reading 3"}));
}

// An actor that owns a port: subscribing and publishing happen in its handlers.
struct watch {
    troupe::ref<listener> who;
};
struct measure {
    int value;
};
struct sensor : troupe::actor<sensor, watch, measure> {
    troupe::output_port<reading> readings;
    troupe::subscription handle(const watch& w) { return readings.subscribe(w.who); }
    std::size_t handle(measure m) { return readings.publish(reading{m.value}); }
};

TEST(OutputPort, PublishingFromAHandler) {
    troupe::testing::runtime rt;
    auto s = rt.node().spawn<sensor>().value();
    auto a = rt.node().spawn<listener>().value();
    auto b = rt.node().spawn<listener>().value();
    EXPECT_TRUE(s.ask(watch{a}, 1s).get().value());
    s.tell(measure{1});
    EXPECT_TRUE(s.ask(watch{b}, 1s).get().value());
    auto second = s.ask(measure{2}, 1s);
    rt.run_until_idle();
    EXPECT_EQ(std::move(second).get().value(), 2u);
    EXPECT_EQ(log_of(a), (strings{"reading 1", "reading 2"}));
    EXPECT_EQ(log_of(b), (strings{"reading 2"}));
    // The sender is the publishing actor.
    EXPECT_EQ(a.get()->senders, (std::vector{s.addr(), s.addr()}));
    // In the runtime's record, each reading follows the measure whose handler published it.
    std::vector<std::string> order;
    for (const auto& d : rt.deliveries()) {
        bool measured = d.to == s.addr() && d.type.ends_with("measure");
        bool read = d.to != s.addr() && d.from == s.addr() && d.type.ends_with("reading");
        if (measured) order.push_back("measure");
        if (read) order.push_back(d.to == a.addr() ? "a" : "b");
    }
    // measure 1 publishes to a; measure 2 to a and b. (When a handles its first reading,
    // before or after measure 2, is up to the scheduler.)
    ASSERT_EQ(order.size(), 5u);
    EXPECT_EQ(order.front(), "measure");
    auto second_at = std::find(order.begin() + 1, order.end(), "measure") - order.begin();
    EXPECT_LT(second_at, std::find(order.begin(), order.end(), "b") - order.begin());
    EXPECT_EQ(std::count(order.begin(), order.end(), "a"), 2);
}

TEST(OutputPort, SubscribeByAddress) {
    troupe::testing::runtime rt;
    auto a = rt.node().spawn<listener>().value();
    port readings;
    auto by_addr = readings.subscribe(rt.node(), a.addr());
    ASSERT_TRUE(by_addr);
    auto mapped = readings.subscribe(rt.node(), a.addr(),
                                     [](const reading& r) { return too_hot{r.value * 10}; });
    ASSERT_TRUE(mapped);
    auto nobody = readings.subscribe(rt.node(), troupe::address{0xfff8'0000'0000'0777ULL});
    ASSERT_FALSE(nobody);
    EXPECT_EQ(nobody.error().code(), troupe::errc::no_such_actor);
    // An empty ref subscribes nobody.
    EXPECT_FALSE(readings.subscribe(troupe::ref<listener>{}));
    EXPECT_EQ(readings.subscriber_count(), 2u);
    EXPECT_EQ(readings.publish(reading{4}), 2u);
    rt.run_until_idle();
    EXPECT_EQ(log_of(a), (strings{"reading 4", "too_hot 40"}));
}

// --- on real threads -------------------------------------------------------------------

struct item {
    int sender;
    int seq;
};
struct count_q {};
struct tally_result {
    int total;
    int out_of_order;
};

// Counts items and checks that each publisher's items never go backwards (a subscriber
// that comes and goes misses some; one subscribed twice gets an item twice, in a row).
struct tally : troupe::actor<tally, item, count_q> {
    std::vector<int> last = std::vector<int>(8, -1);
    tally_result r{0, 0};
    void handle(item m) {
        auto& l = last[static_cast<std::size_t>(m.sender)];
        if (m.seq < l) ++r.out_of_order;
        l = m.seq;
        ++r.total;
    }
    tally_result handle(count_q) { return r; }
};

troupe::node_config two_workers() {
    troupe::node_config cfg;
    cfg.workers = 2;
    return cfg;
}

constexpr int publishers = 4;
constexpr int per_publisher = 5000;

// Publishers run while other threads subscribe and unsubscribe; all calls race on the port.
void publish_all(troupe::output_port<item>& port, std::atomic<std::size_t>& delivered,
                 std::atomic<int>& running) {
    std::vector<std::thread> threads;
    for (int p = 0; p < publishers; ++p) {
        threads.emplace_back([&, p] {
            for (int i = 0; i < per_publisher; ++i) delivered += port.publish(item{p, i});
            --running;
        });
    }
    for (auto& t : threads) t.join();
}

TEST(OutputPortThreaded, ConcurrentPublishSubscribeAndUnsubscribe) {
    troupe::node n{two_workers()};
    auto stable1 = n.spawn<tally>().value();
    auto stable2 = n.spawn<tally>().value();
    auto churn1 = n.spawn<tally>().value();
    auto churn2 = n.spawn<tally>().value();
    troupe::output_port<item> port;  // after the node: destroyed first
    port.subscribe(stable1);
    port.subscribe(stable2);

    std::atomic<std::size_t> delivered{0};
    std::atomic<int> running{publishers};
    std::atomic<int> churns{0};
    std::atomic<int> lost_subscriptions{0};
    std::vector<std::thread> churners;
    for (auto* who : {&churn1, &churn2}) {
        churners.emplace_back([&, who] {
            while (running.load() > 0) {
                auto plain = port.subscribe(*who);
                auto even = port.subscribe(*who, [](const item& i) { return i.seq % 2 == 0; });
                if (!port.unsubscribe(plain)) ++lost_subscriptions;
                if (!port.unsubscribe(even)) ++lost_subscriptions;
                (void)port.subscriber_count();
                ++churns;
            }
        });
    }
    publish_all(port, delivered, running);
    for (auto& t : churners) t.join();

    // Asked after every publish returned: each tally has handled everything it was sent.
    int received = 0;
    for (auto* t : {&stable1, &stable2, &churn1, &churn2}) {
        auto r = t->ask(count_q{}, 10s).get().value();
        EXPECT_EQ(r.out_of_order, 0);
        received += r.total;
    }
    EXPECT_EQ(stable1.ask(count_q{}, 10s).get().value().total, publishers * per_publisher);
    EXPECT_EQ(stable2.ask(count_q{}, 10s).get().value().total, publishers * per_publisher);
    EXPECT_EQ(static_cast<std::size_t>(received), delivered.load());
    EXPECT_EQ(lost_subscriptions.load(), 0);
    EXPECT_GT(churns.load(), 0);
    EXPECT_EQ(port.subscriber_count(), 2u);
}

TEST(OutputPortThreaded, SubscribersExitingWhilePublishing) {
    troupe::node n{two_workers()};
    auto stable = n.spawn<tally>().value();
    troupe::output_port<item> port;  // after the node: destroyed first
    port.subscribe(stable);

    // Each round a new subscriber joins, then stops while the publishers run. Its small
    // mailbox fills up (those values are missed; it stays subscribed). Once it has exited,
    // every publisher publishes once more: those publishes race to drop it, and with the
    // next round's subscribe.
    constexpr int rounds = 30, per_round = 200;
    std::barrier round_start{publishers + 1};
    std::atomic<int> exited{0};  // rounds whose subscriber has exited
    std::thread mortal_thread([&] {
        troupe::spawn_options small;
        small.capacity = 8;
        for (int k = 0; k < rounds; ++k) {
            auto m = n.spawn_with<tally>(small).value();
            port.subscribe(m);
            round_start.arrive_and_wait();
            EXPECT_TRUE(m.stop_and_wait(10s).get());
            ++exited;
            exited.notify_all();
        }
    });
    std::vector<std::thread> threads;
    for (int p = 0; p < publishers; ++p) {
        threads.emplace_back([&, p] {
            int seq = 0;
            for (int k = 0; k < rounds; ++k) {
                round_start.arrive_and_wait();
                for (int i = 0; i < per_round; ++i) port.publish(item{p, seq++});
                for (int e = exited.load(); e <= k; e = exited.load()) exited.wait(e);
                port.publish(item{p, seq++});
            }
        });
    }
    for (auto& t : threads) t.join();
    mortal_thread.join();

    auto r = stable.ask(count_q{}, 10s).get().value();
    EXPECT_EQ(r.total, publishers * rounds * (per_round + 1));
    EXPECT_EQ(r.out_of_order, 0);
    // The last publishes came after the last subscriber exited: they dropped it.
    EXPECT_EQ(port.subscriber_count(), 1u);
}

}  // namespace

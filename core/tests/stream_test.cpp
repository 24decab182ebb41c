// Streams: a sequence or a generator attached to an actor, then stream_end.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <troupe/actor.hpp>
#include <troupe/stream.hpp>
#include <troupe/testing/runtime.hpp>

using namespace std::chrono_literals;

namespace {

struct sink : troupe::actor<sink, int, std::uint64_t, troupe::stream_end> {
    std::vector<std::string>* log;
    explicit sink(std::vector<std::string>* l) : log(l) {}
    void handle(int v) { log->push_back(std::to_string(v)); }
    void handle(std::uint64_t v) { log->push_back("tick " + std::to_string(v)); }
    void handle(troupe::stream_end) { log->push_back("end"); }
};

TEST(Stream, SequenceItemsArriveInOrderThenEnd) {
    std::vector<std::string> log;  // outlives the runtime: stopped hooks write to it
    troupe::testing::runtime rt;
    auto s = rt.node().spawn<sink>(&log).value();
    auto h = troupe::attach_stream(s, std::vector<int>{1, 2, 3});
    rt.run_until_idle();
    EXPECT_EQ(log, (std::vector<std::string>{"1", "2", "3", "end"}));
    EXPECT_EQ(h.wait().get().value(), troupe::exit_reason::normal());
}

TEST(Stream, TimedStreamDeliversOnePerPeriodInVirtualTime) {
    std::vector<std::string> log;  // outlives the runtime: stopped hooks write to it
    troupe::testing::runtime rt;
    auto s = rt.node().spawn<sink>(&log).value();
    troupe::attach_stream(s, troupe::interval(rt.node(), 10ms, 3));
    rt.run_until_idle();
    EXPECT_TRUE(log.empty());
    rt.advance(10ms);
    EXPECT_EQ(log, (std::vector<std::string>{"tick 0"}));
    rt.advance(25ms);
    EXPECT_EQ(log, (std::vector<std::string>{"tick 0", "tick 1", "tick 2", "end"}));
}

TEST(Stream, BoundedMailboxMakesTheStreamWait) {
    std::vector<std::string> log;  // outlives the runtime: stopped hooks write to it
    troupe::testing::runtime rt;
    troupe::spawn_options opts;
    opts.capacity = 2;
    auto s = rt.node().spawn_with<sink>(opts, &log).value();
    std::vector<int> many(50);
    for (int i = 0; i < 50; ++i) many[static_cast<std::size_t>(i)] = i;
    troupe::attach_stream(s, many);
    rt.run_until_idle();
    ASSERT_EQ(log.size(), 51u);  // nothing lost to the full mailbox
    for (int i = 0; i < 50; ++i) EXPECT_EQ(log[static_cast<std::size_t>(i)], std::to_string(i));
    EXPECT_EQ(log.back(), "end");
}

TEST(Stream, CancelStopsDelivery) {
    std::vector<std::string> log;  // outlives the runtime: stopped hooks write to it
    troupe::testing::runtime rt;
    auto s = rt.node().spawn<sink>(&log).value();
    auto h = troupe::attach_stream(s, troupe::interval(rt.node(), 10ms, 100));
    rt.run_until_idle();
    rt.advance(20ms);
    h.cancel();
    rt.advance(100ms);
    EXPECT_EQ(log, (std::vector<std::string>{"tick 0", "tick 1"}));
}

}  // namespace

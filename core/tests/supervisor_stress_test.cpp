// Supervisors on a real node with two worker threads: many crashes and restarts, with
// requests and crashes coming from other threads meanwhile (run under TSan).
#include <atomic>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include <troupe/actor.hpp>
#include <troupe/supervisor.hpp>

#include "support/counter.hpp"

using namespace std::chrono_literals;
using troupe::address;
using troupe::child_spec;
using troupe::exit_reason;
using troupe::restart_strategy;
using troupe::supervisor_spec;

namespace {

struct crash {};
struct get_label {};

struct counted : troupe::actor<counted, crash, get_label> {
    explicit counted(troupe::test::counter* c) : starts(c) {}
    void on_start() override { starts->add(); }
    void handle(crash) { throw std::runtime_error("boom"); }
    std::string handle(get_label) { return "counted"; }
    troupe::test::counter* starts;
};

TEST(SupervisorStress, ManyCrashesAndRestartsOnTwoWorkers) {
    troupe::test::counter starts;
    troupe::node_config cfg;
    cfg.workers = 2;
    cfg.level = troupe::log_level::off;
    troupe::node node{std::move(cfg)};
    supervisor_spec spec{.max_restarts = 1'000'000, .period = 1s};
    for (int i = 0; i < 4; ++i) {
        spec.children.push_back(child_spec::worker<counted>("w" + std::to_string(i), &starts));
    }
    auto sup = troupe::start_supervisor(node, spec).get().value();
    ASSERT_TRUE(starts.wait_for(4));

    // Another thread asks all along, so requests interleave with the restarts.
    std::atomic<bool> done{false};
    std::atomic<int> answers{0};
    std::thread asker([&] {
        while (!done.load()) {
            if (sup.count_children().get()) answers.fetch_add(1);
        }
    });
    constexpr int rounds = 300;
    for (int i = 0; i < rounds; ++i) {
        auto kids = sup.which_children().get().value();
        ASSERT_EQ(kids.size(), 4u);
        address victim = kids[static_cast<std::size_t>(i) % 4].addr;
        ASSERT_TRUE(victim) << "round " << i;
        node.tell(victim, crash{});
        ASSERT_TRUE(starts.wait_for(static_cast<std::size_t>(4 + i + 1))) << "round " << i;
    }
    done.store(true);
    asker.join();
    EXPECT_GT(answers.load(), 0);
    EXPECT_EQ(starts.get(), static_cast<std::size_t>(4 + rounds));

    auto counts = sup.count_children().get().value();
    EXPECT_EQ(counts,
              (troupe::child_counts{.specs = 4, .active = 4, .supervisors = 0, .workers = 4}));
    auto sup_exit = sup.wait();
    sup.stop();
    EXPECT_EQ(std::move(sup_exit).get().value(), exit_reason::normal());
}

TEST(SupervisorStress, ConcurrentCrashesUnderOneForAll) {
    troupe::test::counter starts;
    troupe::node_config cfg;
    cfg.workers = 2;
    cfg.level = troupe::log_level::off;
    troupe::node node{std::move(cfg)};
    supervisor_spec spec{
        .strategy = restart_strategy::one_for_all, .max_restarts = 1'000'000, .period = 1s};
    for (int i = 0; i < 3; ++i) {
        spec.children.push_back(child_spec::worker<counted>("w" + std::to_string(i), &starts));
    }
    auto sup = troupe::start_supervisor(node, spec).get().value();
    // Two threads crash whatever children they see, without waiting for the restarts: crashes
    // land on children being stopped, on stopped ones, on fresh ones.
    auto crasher = [&](std::size_t offset) {
        for (int i = 0; i < 150; ++i) {
            auto kids = sup.which_children().get();
            if (!kids) return;
            auto& k = kids.value()[(static_cast<std::size_t>(i) + offset) % kids.value().size()];
            if (k.addr) node.tell(k.addr, crash{});
        }
    };
    std::thread t1(crasher, 0);
    std::thread t2(crasher, 1);
    t1.join();
    t2.join();
    // Quiet again once every child answers and the supervisor lists three live children.
    bool settled = false;
    for (int round = 0; round < 10'000 && !settled; ++round) {
        auto kids = sup.which_children().get().value();
        settled = kids.size() == 3;
        for (const auto& k : kids) {
            settled = settled && k.addr &&
                      node.ask<std::string>(k.addr, get_label{}, 10s).get().has_value();
        }
    }
    EXPECT_TRUE(settled);
    EXPECT_EQ(sup.count_children().get().value().active, 3u);
    auto sup_exit = sup.wait();
    sup.stop();
    EXPECT_EQ(std::move(sup_exit).get().value(), exit_reason::normal());
}

}  // namespace

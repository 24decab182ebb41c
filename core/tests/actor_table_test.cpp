// The node's table of live actors (internal/actor_table): lookups by full address, inserts
// out of order, erases in any order, pages freed once their actors are gone.
#include <algorithm>
#include <random>
#include <vector>

#include <gtest/gtest.h>

#include <troupe/actor.hpp>
#include <troupe/internal/actor_table.hpp>
#include <troupe/node.hpp>

namespace {

struct nothing {};
struct idle : troupe::actor<idle, nothing> {
    void handle(nothing) {}
};

// Real cells with real addresses: spawned on a node (whose own table also holds them).
std::vector<troupe::ref<idle>> spawn_many(troupe::node& n, std::size_t count) {
    std::vector<troupe::ref<idle>> refs;
    refs.reserve(count);
    for (std::size_t i = 0; i < count; ++i) refs.push_back(n.spawn<idle>().value());
    return refs;
}

troupe::internal::actor_table table_for(const troupe::node& n) {
    return troupe::internal::actor_table{n.net().size() - 1};
}

TEST(ActorTable, FindsWhatWasInsertedInAnyOrderAndForgetsWhatWasErased) {
    troupe::node n;
    // 64 shards x 1024 slots a page: 200k actors span several pages in every shard.
    auto refs = spawn_many(n, 200'000);
    auto table = table_for(n);
    std::mt19937 rng(1);
    std::vector<std::size_t> order(refs.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::shuffle(order.begin(), order.end(), rng);
    for (std::size_t i : order) table.insert(refs[i].addr(), *refs[i].cell());
    for (auto& r : refs) EXPECT_EQ(table.find(r.addr()).get(), r.cell());
    EXPECT_EQ(table.snapshot().size(), refs.size());

    std::shuffle(order.begin(), order.end(), rng);
    const std::size_t half = order.size() / 2;
    for (std::size_t k = 0; k < half; ++k) {
        auto* cell = table.erase(refs[order[k]].addr());
        ASSERT_EQ(cell, refs[order[k]].cell());
        cell->release();
        EXPECT_EQ(table.erase(refs[order[k]].addr()), nullptr) << "erased twice";
    }
    for (std::size_t k = 0; k < order.size(); ++k) {
        auto found = table.find(refs[order[k]].addr());
        EXPECT_EQ(found.get(), k < half ? nullptr : refs[order[k]].cell());
    }
    EXPECT_EQ(table.snapshot().size(), order.size() - half);
    table.clear();
    EXPECT_EQ(table.snapshot().size(), 0u);
    EXPECT_EQ(table.page_count(), 0u);
}

TEST(ActorTable, AnAddressOfAnotherSubnetWithTheSameIdIsNotFound) {
    troupe::node n;
    auto r = n.spawn<idle>().value();
    auto table = table_for(n);
    table.insert(r.addr(), *r.cell());
    const troupe::address foreign{(r.addr().bits() & (n.net().size() - 1)) |
                                  0x0001'0000'0000'0000ULL};
    ASSERT_NE(foreign, r.addr());
    EXPECT_EQ(table.find(foreign).get(), nullptr);
    EXPECT_EQ(table.erase(foreign), nullptr);
    EXPECT_EQ(table.find(r.addr()).get(), r.cell());
}

TEST(ActorTable, PagesAreFreedWhenTheirActorsAreGone) {
    troupe::node n;
    auto refs = spawn_many(n, 300'000);
    auto table = table_for(n);
    for (auto& r : refs) table.insert(r.addr(), *r.cell());
    const std::size_t full = table.page_count();
    EXPECT_GE(full, 64u * 4);  // 300k / 64 shards / 1024 slots: 4-5 pages a shard
    // The oldest go first, as in a program that keeps spawning short-lived actors.
    for (auto& r : refs) table.erase(r.addr())->release();
    // At most the newest page of each shard stays, empty, for the next ids.
    EXPECT_LE(table.page_count(), 64u);
    // A new actor in a later page frees the empty newest page of its shard.
    auto more = spawn_many(n, 70'000);
    for (auto& r : more) table.insert(r.addr(), *r.cell());
    for (auto& r : more) EXPECT_EQ(table.find(r.addr()).get(), r.cell());
    table.clear();
}

}  // namespace

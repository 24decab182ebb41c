// Names and addresses.
#include <gtest/gtest.h>

#include <troupe/actor.hpp>
#include <troupe/testing/runtime.hpp>

using namespace std::chrono_literals;

namespace {

struct ping {};
struct echo : troupe::actor<echo, ping> {
    int handle(ping) { return 42; }
};

TEST(Address, PrintsAndParsesLikeMm1) {
    troupe::address a{0xfff8'0000'0000'0001ULL};
    EXPECT_EQ(a.to_string(), "<fff8:1>");
    EXPECT_EQ(troupe::address::parse("<fff8:1>"), a);
    EXPECT_EQ(troupe::address::parse("<fff8:abc>")->bits(), 0xfff8'0000'0000'0abcULL);
    for (auto bad : {"", "<>", "<fff8>", "fff8:1", "<fff8:1", "<fffff:1>", "<g:1>", "<1:1>x",
                     "<1:1234567890abc>"}) {
        EXPECT_FALSE(troupe::address::parse(bad)) << bad;
    }
    auto net = troupe::subnet::default_local();
    EXPECT_EQ(net.to_string(), "<fff8:>/13");
    EXPECT_EQ(troupe::subnet::parse("<fff8:>/13"), net);
    EXPECT_TRUE(net.contains(a));
    EXPECT_FALSE(net.contains(troupe::address{0x1ULL}));
    EXPECT_FALSE(troupe::subnet::parse("<fff8:1>/13"));  // bits below the mask
    EXPECT_FALSE(troupe::subnet::parse("<fff8:>/64"));
}

TEST(Address, NodeHandsOutAddressesInItsSubnet) {
    troupe::testing::runtime rt;
    auto a = rt.node().spawn<echo>().value();
    auto b = rt.node().spawn<echo>().value();
    EXPECT_TRUE(rt.node().net().contains(a.addr()));
    EXPECT_NE(a.addr(), b.addr());
    EXPECT_EQ(a.addr().to_string(), "<fff8:1>");
}

TEST(Registry, RegisterWhereisUnregister) {
    troupe::testing::runtime rt;
    auto a = rt.node().spawn<echo>().value();
    ASSERT_TRUE(rt.node().register_name("echo", a.addr()));
    EXPECT_EQ(rt.node().whereis("echo"), a.addr());
    auto dup = rt.node().register_name("echo", a.addr());
    ASSERT_FALSE(dup);
    EXPECT_EQ(dup.error().code(), troupe::errc::duplicate_name);
    EXPECT_NE(dup.error().reason().find("'echo' is taken by <fff8:1>"), std::string::npos);
    EXPECT_TRUE(rt.node().unregister("echo"));
    EXPECT_FALSE(rt.node().unregister("echo"));
    EXPECT_FALSE(rt.node().whereis("echo"));
}

TEST(Registry, NamesGoAwayWhenTheActorExits) {
    troupe::testing::runtime rt;
    auto a = rt.node().spawn<echo>().value();
    ASSERT_TRUE(rt.node().register_name("x", a.addr()));
    ASSERT_TRUE(rt.node().register_name("y", a.addr()));
    a.kill();
    rt.run_until_idle();
    EXPECT_FALSE(rt.node().whereis("x"));
    EXPECT_FALSE(rt.node().whereis("y"));
    auto dead = rt.node().register_name("z", a.addr());
    EXPECT_EQ(dead.error().code(), troupe::errc::no_such_actor);
}

TEST(Registry, SpawnOptionRegistersAndMessagesByName) {
    troupe::testing::runtime rt;
    troupe::spawn_options opts;
    opts.register_as = "svc";
    opts.name = "service";
    auto a = rt.node().spawn_with<echo>(opts).value();
    auto where = rt.node().whereis("svc");
    ASSERT_TRUE(where);
    EXPECT_EQ(rt.node().ask<int>(*where, ping{}, 1s).get().value(), 42);
    EXPECT_EQ(a.get()->name(), "service");
    auto clash = rt.node().spawn_with<echo>(opts);
    ASSERT_FALSE(clash);
    EXPECT_EQ(clash.error().code(), troupe::errc::duplicate_name);
}

}  // namespace

#include <gtest/gtest.h>

#include <troupe/codec/value.hpp>

namespace {

using troupe::bad_value_access;
using troupe::value;

TEST(Value, DefaultIsNil) {
    value v;
    EXPECT_TRUE(v.is_nil());
    EXPECT_EQ(v.type(), value::kind::nil);
    EXPECT_EQ(v.to_string(), "nil");
}

TEST(Value, IntegersAndDoublesStayApart) {
    value i = 1;
    value d = 1.0;
    EXPECT_TRUE(i.is_int64());
    EXPECT_TRUE(d.is_double());
    EXPECT_NE(i, d);
    EXPECT_EQ(i.to_string(), "1");
    EXPECT_EQ(d.to_string(), "1.0");
}

TEST(Value, CheckedAccessorsNameExpectedAndActualKind) {
    value v = "hello";
    try {
        (void)v.as_int64();
        FAIL() << "no exception";
    } catch (const bad_value_access& e) {
        EXPECT_STREQ(e.what(), "expected int64, got string");
    }
    EXPECT_EQ(v.if_int64(), nullptr);
    ASSERT_NE(v.if_string(), nullptr);
    EXPECT_EQ(*v.if_string(), "hello");
}

TEST(Value, UnsignedAboveInt64Throws) {
    EXPECT_THROW(value{std::uint64_t{1} << 63}, std::out_of_range);
    EXPECT_EQ(value{std::uint64_t{7}}.as_int64(), 7);
}

TEST(Value, MapKeepsInsertionOrderAndReplacesInPlace) {
    value::map m{{"b", 1}, {"a", 2}};
    m.insert_or_assign("c", 3);
    m.insert_or_assign("b", 10);
    std::vector<std::string> keys;
    for (const auto& [k, v] : m) keys.push_back(k);
    EXPECT_EQ(keys, (std::vector<std::string>{"b", "a", "c"}));
    EXPECT_EQ(m.at("b").as_int64(), 10);
    EXPECT_TRUE(m.erase("a"));
    EXPECT_FALSE(m.erase("a"));
    EXPECT_EQ(m.size(), 2u);
}

TEST(Value, MapEqualityIgnoresOrder) {
    value a = value::map{{"x", 1}, {"y", "two"}};
    value b = value::map{{"y", "two"}, {"x", 1}};
    value c = value::map{{"x", 1}, {"y", "three"}};
    EXPECT_EQ(a, b);
    EXPECT_NE(a, c);
}

TEST(Value, MissingKeyAndIndexErrorsSayWhich) {
    value v = value::map{{"items", value::array{1, 2}}};
    try {
        (void)v.at("nope");
        FAIL();
    } catch (const bad_value_access& e) {
        EXPECT_STREQ(e.what(), "no key \"nope\" in the map");
    }
    try {
        (void)v.at("items").at(5);
        FAIL();
    } catch (const bad_value_access& e) {
        EXPECT_STREQ(e.what(), "index 5 is out of range for an array of 2");
    }
}

TEST(Value, PrintsNestedValues) {
    value v = value::map{{"name", "a\"b"},
                         {"list", value::array{nullptr, true, 2, 2.5}},
                         {"raw", troupe::to_bytes("\x01z")}};
    EXPECT_EQ(v.to_string(), R"({"name": "a\"b", "list": [nil, true, 2, 2.5], "raw": b"\x01z"})");
}

TEST(Value, MovesLeaveTheSourceValidAndAreCheap) {
    static_assert(std::is_nothrow_move_constructible_v<value>);
    static_assert(std::is_nothrow_move_assignable_v<value>);
    value a = std::string(1000, 'x');
    const char* data = a.as_string().data();
    value b = std::move(a);
    EXPECT_EQ(b.as_string().data(), data);  // the buffer moved, not copied
}

}  // namespace

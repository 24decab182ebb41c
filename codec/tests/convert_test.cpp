#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <troupe/codec/convert.hpp>

#include "support/messages.hpp"

namespace {

namespace codec = troupe::codec;
using demo::SetValue;
using troupe::value;

TEST(Convert, ADescribedTypeBecomesAMapInFieldOrder) {
    value v = codec::to_value(SetValue{"answer", 42}).value();
    EXPECT_EQ(v.to_string(), R"({"key": "answer", "value": 42})");
    EXPECT_EQ(codec::from_value<SetValue>(v).value(), (SetValue{"answer", 42}));
}

TEST(Convert, EveryFieldTypeRoundTrips) {
    demo::everything e;
    e.flag = true;
    e.i8 = -8;
    e.u8 = 200;
    e.i16 = -16000;
    e.u16 = 65000;
    e.i32 = -2'000'000'000;
    e.u32 = 4'000'000'000;
    e.i64 = -(std::int64_t{1} << 62);
    e.u64 = std::uint64_t{1} << 62;
    e.f32 = 0.1f;
    e.f64 = 1e-300;
    e.text = "text";
    e.raw = troupe::to_bytes("raw");
    e.numbers = {1, -2, 3};
    e.points = {{1, 2}};
    e.weights = {{"a", 1.5}};
    e.tags = {{"t", {"x", "y"}}};
    e.nickname = "nick";
    e.origin = demo::point{0, -1};
    e.shade = demo::color::green;
    e.palette = {demo::color::blue};
    e.where = {5, 6};
    e.extra = value::map{{"free", value::array{nullptr, 1, "form"}}};
    e.owner = troupe::address{0xfff8'0000'0000'002aULL};
    value v = codec::to_value(e).value();
    EXPECT_EQ(v.at("shade"), value{"green"});
    EXPECT_EQ(v.at("owner"), value{"<fff8:2a>"});
    EXPECT_EQ(v.at("raw"), value{troupe::to_bytes("raw")});
    EXPECT_EQ(v.at("f32").as_double(), static_cast<double>(0.1f));
    EXPECT_EQ(codec::from_value<demo::everything>(v).value(), e);
}

TEST(Convert, ErrorsNameTheFieldPath) {
    value v = value::map{{"key", "k"}, {"value", "not a number"}};
    auto r = codec::from_value<SetValue>(v);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code(), troupe::errc::bad_message);
    EXPECT_EQ(r.error().message(), "bad message: SetValue.value: expected int64, got string");

    value tags = value::map{{"name", "n"}, {"origin", value::map{{"x", 1.0}, {"y", nullptr}}}};
    EXPECT_EQ(codec::from_value<demo::profile>(tags).error().reason(),
              "demo.Profile.origin.y: expected double, got nil");
}

TEST(Convert, ABytesFieldTakesAStringAsRawBytes) {
    // A Lua string is bytes: no base64 in a value.
    value v = codec::to_value(demo::everything{}).value();
    v.as_map().insert_or_assign("raw", "\x01\x02");
    EXPECT_EQ(codec::from_value<demo::everything>(v).value().raw, troupe::to_bytes("\x01\x02"));
}

TEST(Convert, PlainFieldTypesConvertToo) {
    EXPECT_EQ(codec::to_value(std::vector<int>{1, 2}).value(), (value::array{1, 2}));
    EXPECT_EQ(codec::from_value<std::int16_t>(value{70000}).error().reason(),
              "int16: 70000 is out of range for int16");
    using counts = std::map<std::string, int>;
    EXPECT_EQ(codec::from_value<counts>(value::map{{"a", 1}}).value(), (counts{{"a", 1}}));
}

TEST(Convert, EncodingAValueDeeperThanTheLimitFails) {
    value v = 0;
    for (int i = 0; i < 100; ++i) v = value::array{std::move(v)};
    auto r = codec::to_value(v);
    ASSERT_FALSE(r);
    EXPECT_THAT(r.error().reason(), testing::HasSubstr("nesting deeper than 64 levels"));
}

}  // namespace

#include <cmath>
#include <limits>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <troupe/codec/json.hpp>

#include "support/error_of.hpp"
#include "support/messages.hpp"

namespace {

namespace json = troupe::codec::json;
using demo::SetValue;
using troupe::errc;
using troupe::value;

using demo::error_of;

TEST(Json, EncodesADescribedTypeFieldByField) {
    EXPECT_EQ(json::encode(SetValue{"answer", 42}).value(), R"({"key":"answer","value":42})");
    EXPECT_EQ(json::encode(demo::empty{}).value(), "{}");
}

TEST(Json, EncodeToAppendsAndLeavesTheOutputAloneOnFailure) {
    std::string out = "frame:";
    ASSERT_TRUE(json::encode_to(out, SetValue{"a", 1}));
    EXPECT_EQ(out, R"(frame:{"key":"a","value":1})");
    EXPECT_FALSE(json::encode_to(out, demo::point{1, std::nan("")}));
    EXPECT_EQ(out, R"(frame:{"key":"a","value":1})");
}

TEST(Json, DecodesADescribedTypeInAnyFieldOrder) {
    auto m = json::decode<SetValue>(R"( {"value": -7, "key": "k"} )");
    ASSERT_TRUE(m) << m.error().message();
    EXPECT_EQ(*m, (SetValue{"k", -7}));
}

TEST(Json, WrongFieldTypeNamesTypePathAndProblem) {
    EXPECT_EQ(error_of(json::decode<SetValue>(R"({"key":"a","value":"x"})")),
              "SetValue.value: expected int64, got string");
    EXPECT_EQ(error_of(json::decode<SetValue>(R"([1,2])")), "SetValue: expected map, got array");
}

TEST(Json, MissingAndExtraFieldsAreErrors) {
    EXPECT_EQ(error_of(json::decode<SetValue>(R"({"key":"a"})")), "SetValue.value: missing field");
    EXPECT_EQ(error_of(json::decode<SetValue>(R"({"key":"a","value":1,"vlaue":2})")),
              "SetValue.vlaue: unexpected field (SetValue has key, value; options::extra = "
              "extra_fields::ignore skips unknown fields)");
}

TEST(Json, ExtraFieldsCanBeIgnored) {
    troupe::codec::options opts;
    opts.extra = troupe::codec::extra_fields::ignore;
    auto m = json::decode<SetValue>(R"({"key":"a","more":{"deep":[1,2,{}]},"value":1})", opts);
    ASSERT_TRUE(m) << m.error().message();
    EXPECT_EQ(*m, (SetValue{"a", 1}));
}

TEST(Json, NestedPathsNameIndexesAndKeys) {
    EXPECT_EQ(error_of(json::decode<demo::everything>(R"({"points":[{"x":1,"y":2},{"x":"no"}]})")),
              "demo.Everything.points[1].x: expected double, got string");
    EXPECT_EQ(error_of(json::decode<demo::everything>(R"({"weights":{"w":true}})")),
              "demo.Everything.weights[\"w\"]: expected double, got bool");
}

TEST(Json, IntegersAreRangeChecked) {
    EXPECT_EQ(error_of(json::decode<demo::everything>(R"({"i8":300})")),
              "demo.Everything.i8: 300 is out of range for int8");
    EXPECT_EQ(error_of(json::decode<demo::everything>(R"({"u32":-1})")),
              "demo.Everything.u32: -1 is out of range for uint32");
    EXPECT_EQ(error_of(json::decode<demo::everything>(R"({"u64":18446744073709551615})")),
              "demo.Everything.u64: expected uint64, got 18446744073709551615 (above the int64 "
              "range)");
    EXPECT_EQ(error_of(json::decode(R"([9223372036854775808])")),
              "value[0]: cannot hold 9223372036854775808 (above the int64 range) in a value");
}

TEST(Json, IntegersStayIntegersAndDoublesStayDoubles) {
    auto v = json::decode(R"([1, 1.0, -0.0, 1e300, 9223372036854775807])").value();
    EXPECT_TRUE(v.at(0).is_int64());
    EXPECT_TRUE(v.at(1).is_double());
    EXPECT_TRUE(v.at(2).is_double());
    EXPECT_TRUE(std::signbit(v.at(2).as_double()));
    EXPECT_EQ(v.at(4).as_int64(), std::numeric_limits<std::int64_t>::max());
    EXPECT_EQ(json::encode(v).value(), "[1,1.0,-0.0,1e+300,9223372036854775807]");
}

TEST(Json, ADoubleFieldTakesExactIntegers) {
    auto p = json::decode<demo::point>(R"({"x":3,"y":-2.5})");
    ASSERT_TRUE(p) << p.error().message();
    EXPECT_EQ(*p, (demo::point{3.0, -2.5}));
    EXPECT_EQ(error_of(json::decode<demo::point>(R"({"x":9007199254740993,"y":0})")),
              "demo::point.x: 9007199254740993 has no exact double value");
}

TEST(Json, NanAndInfinityAreEncodeErrorsNotNulls) {
    EXPECT_EQ(error_of(json::encode(demo::point{std::nan(""), 0})),
              "demo::point.x: NaN has no JSON form");
    EXPECT_EQ(error_of(json::encode(value{value::array{1, HUGE_VAL}})),
              "value[1]: infinity has no JSON form");
    EXPECT_THAT(error_of(json::decode("[NaN]")), testing::StartsWith("value: malformed JSON: "));
    EXPECT_EQ(error_of(json::decode("[1e400]")),
              "value: malformed JSON: Problem while parsing a number");
}

TEST(Json, UnsignedAboveInt64IsAnEncodeError) {
    demo::everything e;
    e.u64 = std::numeric_limits<std::uint64_t>::max();
    EXPECT_EQ(error_of(json::encode(e)),
              "demo.Everything.u64: 18446744073709551615 is out of range: integers travel as "
              "int64 in every format");
}

TEST(Json, EnumsTravelByName) {
    demo::everything e;
    e.shade = demo::color::blue;
    e.palette = {demo::color::green, demo::color::red};
    auto text = json::encode(e).value();
    EXPECT_THAT(text, testing::HasSubstr(R"("shade":"blue","palette":["green","red"])"));
    EXPECT_EQ(json::decode<demo::everything>(text).value(), e);
    EXPECT_EQ(error_of(json::decode<demo::everything>(R"({"shade":"purple"})")),
              "demo.Everything.shade: expected one of red, green, blue; got \"purple\"");
    e.shade = static_cast<demo::color>(7);
    EXPECT_EQ(error_of(json::encode(e)),
              "demo.Everything.shade: 7 is not an enumerator of "
              "demo::color");
}

TEST(Json, BytesAreBase64AndAddressesAreText) {
    demo::everything e;
    e.raw = troupe::to_bytes("hi!?");
    e.owner = troupe::address{0xfff8'0000'0000'0007ULL};
    auto text = json::encode(e).value();
    EXPECT_THAT(text, testing::HasSubstr(R"("raw":"aGkhPw==")"));
    EXPECT_THAT(text, testing::HasSubstr(R"("owner":"<fff8:7>")"));
    EXPECT_EQ(json::decode<demo::everything>(text).value(), e);
    EXPECT_EQ(error_of(json::decode<demo::everything>(R"({"raw":"a$=="})")),
              "demo.Everything.raw: expected bytes as base64, got invalid base64");
    EXPECT_EQ(error_of(json::decode<demo::everything>(R"({"owner":"fff8:7"})")),
              "demo.Everything.owner: expected an address like <fff8:1>, got \"fff8:7\"");
}

TEST(Json, OptionalFieldsMayBeMissingOrNull) {
    auto p = json::decode<demo::profile>(R"({"name":"a","nickname":null})").value();
    EXPECT_EQ(p, (demo::profile{"a", std::nullopt, std::nullopt}));
    p = json::decode<demo::profile>(R"({"name":"b","nickname":"bob","origin":{"x":1,"y":2}})")
            .value();
    EXPECT_EQ(p, (demo::profile{"b", "bob", demo::point{1, 2}}));
    EXPECT_EQ(json::encode(demo::profile{"c", std::nullopt, std::nullopt}).value(),
              R"({"name":"c","nickname":null,"origin":null})");
    // Only optional fields may be left out.
    EXPECT_EQ(error_of(json::decode<demo::profile>(R"({"nickname":"x"})")),
              "demo.Profile.name: missing field");
}

TEST(Json, StringsAreEscapedAndMustBeUtf8) {
    EXPECT_EQ(json::encode(value{"q\"\\\n\x01\xc3\xa9"}).value(), R"("q\"\\\n\u0001é")");
    EXPECT_EQ(error_of(json::encode(value{"bad \xff"})),
              "value: a string is not valid UTF-8 (use bytes)");
    EXPECT_THAT(error_of(json::decode("\"\xff\"")), testing::StartsWith("value: malformed JSON"));
}

TEST(Json, MalformedInputSaysWhere) {
    EXPECT_EQ(error_of(json::decode<SetValue>(R"({"key":"a",)")),
              "SetValue: malformed JSON: The JSON document has an improper structure: missing "
              "or superfluous commas, braces, missing keys, etc.");
    EXPECT_THAT(error_of(json::decode("{} {}")), testing::StartsWith("value: malformed JSON"));
    EXPECT_THAT(error_of(json::decode("")), testing::StartsWith("value: malformed JSON"));
}

TEST(Json, SizeLimitIsCheckedBeforeParsing) {
    troupe::codec::options opts;
    opts.max_size = 8;
    EXPECT_EQ(error_of(json::decode(R"({"a":12345})", opts)),
              "value: the JSON text is 11 bytes, over the limit of 8 (options::max_size)");
}

TEST(Json, DeepNestingIsAnErrorNotACrash) {
    std::string deep = std::string(100000, '[') + std::string(100000, ']');
    EXPECT_EQ(error_of(json::decode(deep)),
              "value: malformed JSON: nesting deeper than 64 levels (options::max_depth)");
    EXPECT_THAT(error_of(json::decode(std::string(100000, '['))),
                testing::StartsWith("value: malformed JSON: "));
    troupe::codec::options opts;
    opts.max_depth = 3;
    EXPECT_TRUE(json::decode("[[[1]]]", opts));
    EXPECT_THAT(error_of(json::decode("[[[[1]]]]", opts)),
                testing::HasSubstr("nesting deeper than 3 levels"));
    // Encoding a value deeper than the limit fails the same way.
    value v = 1;
    for (int i = 0; i < 5; ++i) v = value::array{std::move(v)};
    EXPECT_THAT(error_of(json::encode(v, opts)),
                testing::HasSubstr("nesting deeper than 3 levels"));
}

TEST(Json, DuplicateKeysAreErrors) {
    EXPECT_EQ(error_of(json::decode<SetValue>(R"({"key":"a","value":1,"value":2})")),
              "SetValue.value: duplicate field");
    EXPECT_EQ(error_of(json::decode(R"({"a":{"b":1,"b":1}})")),
              "value[\"a\"][\"b\"]: duplicate key");
}

}  // namespace

#include <cmath>
#include <limits>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <troupe/codec/msgpack.hpp>

#include "support/error_of.hpp"
#include "support/messages.hpp"

namespace {

namespace mp = troupe::codec::msgpack;
using demo::SetValue;
using troupe::errc;
using troupe::value;
using namespace std::string_literals;

using demo::error_of;

TEST(MsgPack, EncodesADescribedTypeAsAMapOfFieldNames) {
    // fixmap(2) fixstr"key" fixstr"answer" fixstr"value" 42
    EXPECT_EQ(mp::encode(SetValue{"answer", 42}).value(),
              "\x82\xa3key\xa6"
              "answer\xa5value\x2a"s);
}

TEST(MsgPack, EncodeToAppendsAndLeavesTheOutputAloneOnFailure) {
    std::string out = "\x01";
    ASSERT_TRUE(mp::encode_to(out, value{value::array{1, 2}}));
    EXPECT_EQ(out, "\x01\x92\x01\x02"s);
    demo::everything e;
    e.u64 = ~std::uint64_t{0};
    EXPECT_FALSE(mp::encode_to(out, e));
    EXPECT_EQ(out, "\x01\x92\x01\x02"s);
}

TEST(MsgPack, IntegersUseTheSmallestEncoding) {
    auto enc = [](std::int64_t i) { return mp::encode(value{i}).value(); };
    EXPECT_EQ(enc(0), "\x00"s);
    EXPECT_EQ(enc(127), "\x7f"s);
    EXPECT_EQ(enc(128), "\xcc\x80"s);
    EXPECT_EQ(enc(65535), "\xcd\xff\xff"s);
    EXPECT_EQ(enc(65536), "\xce\x00\x01\x00\x00"s);
    EXPECT_EQ(enc(-1), "\xff"s);
    EXPECT_EQ(enc(-32), "\xe0"s);
    EXPECT_EQ(enc(-33), "\xd0\xdf"s);
    EXPECT_EQ(enc(std::numeric_limits<std::int64_t>::min()),
              "\xd3\x80\x00\x00\x00\x00\x00\x00\x00"s);
    for (std::int64_t i :
         {std::int64_t{0}, std::int64_t{-129}, std::int64_t{1} << 40,
          std::numeric_limits<std::int64_t>::min(), std::numeric_limits<std::int64_t>::max()})
        EXPECT_EQ(mp::decode(enc(i)).value(), value{i});
}

TEST(MsgPack, ScalarsRoundTripExactly) {
    value v = value::array{nullptr,
                           true,
                           false,
                           1.5,
                           -0.0,
                           std::nan(""),
                           HUGE_VAL,
                           "txt",
                           troupe::to_bytes("\x00\xff"s),
                           value::map{{"k", value::array{}}}};
    auto back = mp::decode(mp::encode(v).value()).value();
    ASSERT_TRUE(back.is_array());
    const auto& a = back.as_array();
    EXPECT_TRUE(a[0].is_nil());
    EXPECT_EQ(a[1], value{true});
    EXPECT_TRUE(std::signbit(a[4].as_double()));
    EXPECT_TRUE(std::isnan(a[5].as_double()));  // MessagePack carries NaN and infinity
    EXPECT_EQ(a[6].as_double(), HUGE_VAL);
    EXPECT_EQ(a[8], value{troupe::to_bytes("\x00\xff"s)});
    EXPECT_EQ(a[9], (value::map{{"k", value::array{}}}));
}

TEST(MsgPack, AcceptsFloat32AndUnsignedForms) {
    EXPECT_EQ(mp::decode("\xca\x3f\xc0\x00\x00"s).value(), value{1.5});
    EXPECT_EQ(mp::decode("\xcf\x00\x00\x00\x00\x00\x00\x00\x05"s).value(), value{5});
    EXPECT_EQ(error_of(mp::decode("\xcf\xff\xff\xff\xff\xff\xff\xff\xff"s)),
              "value: cannot hold 18446744073709551615 (above the int64 range) in a value");
}

TEST(MsgPack, TypedErrorsMatchJsonOnes) {
    std::string wrong = "\x82\xa3key\xa1k\xa5value\xa1x"s;
    EXPECT_EQ(error_of(mp::decode<SetValue>(wrong)), "SetValue.value: expected int64, got string");
    std::string missing = "\x81\xa3key\xa1k"s;
    EXPECT_EQ(error_of(mp::decode<SetValue>(missing)), "SetValue.value: missing field");
    std::string dup = "\x83\xa3key\xa1k\xa5value\x01\xa5value\x02"s;
    EXPECT_EQ(error_of(mp::decode<SetValue>(dup)), "SetValue.value: duplicate field");
    std::string int_key = "\x81\x01\x02"s;
    EXPECT_EQ(error_of(mp::decode<SetValue>(int_key)),
              "SetValue: expected a string map key, got int64");
    EXPECT_EQ(error_of(mp::decode(int_key)), "value: expected a string map key, got int64");
    EXPECT_EQ(error_of(mp::decode("\x82\xa1k\x01\xa1k\x02"s)), "value[\"k\"]: duplicate key");
}

TEST(MsgPack, TruncatedInputAtEveryLengthIsAnError) {
    demo::everything e;
    e.text = "some text";
    e.points = {{1, 2}, {3, 4}};
    e.weights = {{"a", 0.5}};
    e.extra = value::map{{"nested", value::array{1, "two", 3.0}}};
    std::string full = mp::encode(e).value();
    ASSERT_TRUE(mp::decode<demo::everything>(full));
    for (std::size_t n = 0; n < full.size(); ++n) {
        auto r = mp::decode(std::string_view{full}.substr(0, n));
        ASSERT_FALSE(r) << "prefix of " << n << " bytes decoded";
        EXPECT_THAT(r.error().reason(),
                    testing::StartsWith("value: malformed MessagePack at byte"));
    }
}

TEST(MsgPack, StructuralErrorsSayWhatAndWhere) {
    EXPECT_EQ(error_of(mp::decode("\xc1"s)),
              "value: malformed MessagePack at byte 0: 0xc1 is not a MessagePack type");
    EXPECT_EQ(error_of(mp::decode("\x01\x02"s)),
              "value: malformed MessagePack at byte 1: 1 bytes after the end of the value");
    // An array that claims 4 billion elements in 5 bytes is refused before any allocation.
    EXPECT_EQ(error_of(mp::decode("\xdd\xff\xff\xff\xff"s)),
              "value: malformed MessagePack at byte 0: a count of 4294967295 with only 0 bytes "
              "left");
    EXPECT_EQ(error_of(mp::decode("\xdb\x00\x00\x10\x00xy"s)),
              "value: malformed MessagePack at byte 0: a length of 4096 with only 2 bytes left");
    EXPECT_EQ(error_of(mp::decode("\xd4\x01\x02"s)),
              "value: cannot hold a MessagePack ext value in a value");
}

TEST(MsgPack, DeepNestingIsAnErrorNotACrash) {
    std::string deep(1'000'000, '\x91');  // a million nested one-element arrays
    deep += '\x01';
    EXPECT_EQ(error_of(mp::decode(deep)),
              "value: malformed MessagePack at byte 64: nesting deeper than 64 levels "
              "(options::max_depth)");
    troupe::codec::options opts;
    opts.max_depth = 3;
    EXPECT_TRUE(mp::decode("\x91\x91\x91\x01"s, opts));
    EXPECT_FALSE(mp::decode("\x91\x91\x91\x91\x01"s, opts));
}

TEST(MsgPack, SizeLimitIsCheckedFirst) {
    troupe::codec::options opts;
    opts.max_size = 2;
    EXPECT_EQ(error_of(mp::decode("\x93\x01\x02\x03"s, opts)),
              "value: the MessagePack input is 4 bytes, over the limit of 2 (options::max_size)");
}

TEST(MsgPack, IgnoredExtraFieldsAreSkippedWhole) {
    troupe::codec::options opts;
    opts.extra = troupe::codec::extra_fields::ignore;
    value with_extra = value::map{{"junk", value::map{{"a", value::array{1, 2, "x"}}}},
                                  {"key", "k"},
                                  {"ext", troupe::to_bytes("zz")},
                                  {"value", 9}};
    auto m = mp::decode<SetValue>(mp::encode(with_extra).value(), opts);
    ASSERT_TRUE(m) << m.error().message();
    EXPECT_EQ(*m, (SetValue{"k", 9}));
}

TEST(MsgPack, BytesFieldsTakeBinOrStr) {
    value msg = value::map{{"name", "n"}, {"nickname", nullptr}, {"origin", nullptr}};
    ASSERT_TRUE(mp::decode<demo::profile>(mp::encode(msg).value()));
    demo::everything e;
    e.raw = troupe::to_bytes("\x01\x02"s);
    auto v = mp::decode(mp::encode(e).value()).value();
    EXPECT_EQ(v.at("raw"), value{e.raw});
    v.as_map().insert_or_assign("raw", "\x01\x02"s);  // str, as old writers send binary
    EXPECT_EQ(mp::decode<demo::everything>(mp::encode(v).value()).value().raw, e.raw);
}

}  // namespace

// Property tests: thousands of generated values and messages go through every format and
// come back equal; the typed encoders and the value encoders write the same bytes.
#include <bit>
#include <cmath>
#include <random>

#include <gtest/gtest.h>

#include <troupe/codec/convert.hpp>
#include <troupe/codec/json.hpp>
#include <troupe/codec/msgpack.hpp>

#include "support/messages.hpp"

namespace {

namespace codec = troupe::codec;
using troupe::value;

// Equality that treats NaN as equal to NaN (MessagePack carries NaN; == never holds).
bool same(const value& a, const value& b) {
    if (a.is_double() && b.is_double()) {
        double x = a.as_double(), y = b.as_double();
        return std::bit_cast<std::uint64_t>(x) == std::bit_cast<std::uint64_t>(y) ||
               (std::isnan(x) && std::isnan(y));
    }
    if (a.type() != b.type()) return false;
    if (a.is_array()) {
        const auto &x = a.as_array(), &y = b.as_array();
        if (x.size() != y.size()) return false;
        for (std::size_t i = 0; i < x.size(); ++i)
            if (!same(x[i], y[i])) return false;
        return true;
    }
    if (a.is_map()) {
        const auto &x = a.as_map(), &y = b.as_map();
        if (x.size() != y.size()) return false;
        auto it = y.begin();
        for (const auto& [k, v] : x) {  // order is kept, so compare in order
            if (k != it->first || !same(v, it->second)) return false;
            ++it;
        }
        return true;
    }
    return a == b;
}

struct generator {
    std::mt19937_64 rng;
    bool json_safe;  // JSON: valid UTF-8 strings, finite doubles, no bytes

    std::uint64_t below(std::uint64_t n) { return rng() % n; }

    std::string text() {
        static const char* pieces[] = {"a",    "Z", "0", " ", "\"",  "\\", "\n",
                                       "\x01", "é", "€", "😀", "key", "/",  "\x7f"};
        std::string s;
        for (auto n = below(12); n > 0; --n) s += pieces[below(std::size(pieces))];
        if (!json_safe && below(4) == 0) s += static_cast<char>(0x80 + below(0x80));  // not UTF-8
        return s;
    }

    double real() {
        double d = any_real();
        return json_safe && !std::isfinite(d) ? 1.5 : d;
    }
    double any_real() {
        switch (below(6)) {
            case 0:
                return 0.0;
            case 1:
                return -0.0;
            case 2:
                return static_cast<double>(static_cast<std::int64_t>(rng())) / 7.0;
            case 3:
                return std::ldexp(static_cast<double>(rng() >> 11),
                                  static_cast<int>(below(2000)) - 1000);
            default:
                return std::bit_cast<double>(rng());  // any bit pattern
        }
    }

    std::int64_t integer() {
        switch (below(4)) {
            case 0:
                return static_cast<std::int64_t>(below(256)) - 128;
            case 1:
                return static_cast<std::int64_t>(rng());
            case 2:
                return below(2) ? std::numeric_limits<std::int64_t>::max()
                                : std::numeric_limits<std::int64_t>::min();
            default:
                return static_cast<std::int64_t>(rng() >> below(64));
        }
    }

    value any(int depth) {
        int kinds = depth > 0 ? 8 : 6;
        switch (below(static_cast<std::uint64_t>(kinds))) {
            case 0:
                return {};
            case 1:
                return below(2) == 1;
            case 2:
                return integer();
            case 3:
                return real();
            case 4:
                return text();
            case 5:
                if (json_safe) return text();
                return troupe::to_bytes(text());
            case 6: {
                value::array a;
                for (auto n = below(5); n > 0; --n) a.push_back(any(depth - 1));
                return a;
            }
            default: {
                value::map m;
                for (auto n = below(5); n > 0; --n) m.insert_or_assign(text(), any(depth - 1));
                return m;
            }
        }
    }
};

TEST(RoundTrip, AnyValueThroughMessagePack) {
    generator g{std::mt19937_64{1}, false};
    for (int i = 0; i < 3000; ++i) {
        value v = g.any(6);
        auto bytes = codec::msgpack::encode(v);
        ASSERT_TRUE(bytes) << bytes.error().message();
        auto back = codec::msgpack::decode(*bytes);
        ASSERT_TRUE(back) << back.error().message() << " for " << v;
        ASSERT_TRUE(same(v, *back)) << v << " came back as " << *back;
    }
}

TEST(RoundTrip, AnyJsonSafeValueThroughJson) {
    generator g{std::mt19937_64{2}, true};
    for (int i = 0; i < 3000; ++i) {
        value v = g.any(6);
        auto text = codec::json::encode(v);
        ASSERT_TRUE(text) << text.error().message();
        auto back = codec::json::decode(*text);
        ASSERT_TRUE(back) << back.error().message() << " for " << *text;
        ASSERT_TRUE(same(v, *back)) << *text << " came back as " << *back;
        // And on to MessagePack and back: the formats agree.
        auto packed = codec::msgpack::decode(codec::msgpack::encode(*back).value()).value();
        ASSERT_TRUE(same(v, packed));
    }
}

demo::everything random_everything(generator& g) {
    auto small = [&](auto max) {
        return static_cast<decltype(max)>(g.below(static_cast<std::uint64_t>(max)));
    };
    demo::everything e;
    e.flag = g.below(2) == 1;
    e.i8 = static_cast<std::int8_t>(g.rng());
    e.u8 = static_cast<std::uint8_t>(g.rng());
    e.i16 = static_cast<std::int16_t>(g.rng());
    e.u16 = static_cast<std::uint16_t>(g.rng());
    e.i32 = static_cast<std::int32_t>(g.rng());
    e.u32 = static_cast<std::uint32_t>(g.rng());
    e.i64 = g.integer();
    e.u64 = g.rng() >> 1;  // within int64's range: the only unsigned values that travel
    e.f32 = static_cast<float>(g.real());
    if (!std::isfinite(e.f32)) e.f32 = 0.25f;
    e.f64 = g.real();
    e.text = g.text();
    e.raw = troupe::to_bytes(g.text());
    for (auto n = small(6); n > 0; --n) e.numbers.push_back(static_cast<std::int32_t>(g.rng()));
    for (auto n = small(3); n > 0; --n) e.points.push_back({g.real(), g.real()});
    for (auto n = small(3); n > 0; --n) e.weights[g.text()] = g.real();
    for (auto n = small(3); n > 0; --n) e.tags[g.text()] = {g.text(), g.text()};
    if (g.below(2)) e.nickname = g.text();
    if (g.below(2)) e.origin = demo::point{g.real(), g.real()};
    e.shade = static_cast<demo::color>(g.below(3));
    for (auto n = small(4); n > 0; --n) e.palette.push_back(static_cast<demo::color>(g.below(3)));
    e.where = {g.real(), g.real()};
    e.extra = g.any(3);
    e.owner = troupe::address{g.rng()};
    return e;
}

TEST(RoundTrip, DescribedTypesThroughEveryFormat) {
    generator g{std::mt19937_64{3}, true};
    for (int i = 0; i < 2000; ++i) {
        demo::everything e = random_everything(g);

        auto text = codec::json::encode(e);
        ASSERT_TRUE(text) << text.error().message();
        auto from_json = codec::json::decode<demo::everything>(*text);
        ASSERT_TRUE(from_json) << from_json.error().message() << " in " << *text;
        ASSERT_EQ(*from_json, e) << *text;

        auto packed = codec::msgpack::encode(e);
        ASSERT_TRUE(packed) << packed.error().message();
        auto from_msgpack = codec::msgpack::decode<demo::everything>(*packed);
        ASSERT_TRUE(from_msgpack) << from_msgpack.error().message();
        ASSERT_EQ(*from_msgpack, e);

        auto v = codec::to_value(e);
        ASSERT_TRUE(v) << v.error().message();
        auto from_value = codec::from_value<demo::everything>(*v);
        ASSERT_TRUE(from_value) << from_value.error().message() << " in " << *v;
        ASSERT_EQ(*from_value, e);

        // One description, one encoder: writing the struct and writing its value agree
        // byte for byte, except bytes fields, which a value keeps as bytes and JSON as
        // base64.
        ASSERT_EQ(codec::msgpack::encode(*v).value(), *packed);
    }
}

TEST(RoundTrip, RandomBytesGiveAValueOrABadMessageError) {
    // Not a substitute for the fuzzers (codec/fuzz), but it runs in every test build,
    // sanitizers included.
    auto is_clean_error = [](const auto& r) {
        return r.error().code() == troupe::errc::bad_message && !r.error().reason().empty();
    };
    std::mt19937_64 rng{4};
    int decoded = 0;
    for (int i = 0; i < 20000; ++i) {
        std::string junk(rng() % 40, '\0');
        for (auto& c : junk) c = static_cast<char>(rng());
        if (i % 2 && !junk.empty()) junk[0] = static_cast<char>(0x90 | (rng() & 0x0f));  // array
        if (auto v = codec::msgpack::decode(junk)) {
            ++decoded;  // what decodes re-encodes to a value that decodes the same
            ASSERT_TRUE(
                same(*v, codec::msgpack::decode(codec::msgpack::encode(*v).value()).value()));
        } else {
            ASSERT_TRUE(is_clean_error(v)) << v.error().message();
        }
        auto typed = codec::msgpack::decode<demo::everything>(junk);
        ASSERT_TRUE(!typed && is_clean_error(typed));  // random bytes are never a full message
        auto text = codec::json::decode(junk);
        ASSERT_TRUE(text || is_clean_error(text));
        auto profile = codec::json::decode<demo::profile>(junk);
        ASSERT_TRUE(!profile && is_clean_error(profile));
    }
    EXPECT_GT(decoded, 100);  // the generator does reach the decoder's success path
}

}  // namespace

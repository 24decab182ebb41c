#pragma once
// The properties the codec fuzzers check on every input. The corpus regression test
// (regress/) runs the same functions over every file of the corpus, so an input that once
// broke a property keeps being checked by the normal test run.
//
// Each check_* takes arbitrary bytes. Most inputs do not decode, and that is fine. A decoder
// that crashes, leaks, throws, or lets one of these properties break is a bug:
//   1. What decodes re-encodes, in its own format and in the other one. JSON may refuse a
//      value, and must then, only for NaN, infinity and strings that are not UTF-8.
//   2. Round trips are exact: decode(encode(x)) is x, double for double, bit for bit (NaN
//      equals any NaN here). A troupe::value's bytes come back from JSON as base64 text,
//      as documented.
//   3. Encodings are canonical: encoding what was decoded from an encoding gives it again.
//   4. troupe::value is a faithful image of a message: from_value(to_value(m)) is m, and
//      encoding to_value(m) gives the bytes that encoding m gives.
//   5. A refusal is errc::bad_message with a reason fit for a log line or a reply: printable
//      ASCII, at most 8 KiB, however hostile the input (input text is quoted and cut).
//   6. Decoding is a function of the input: the same input twice gives the same result, and
//      the small options below only refuse more, never read differently.
// Every check runs with the default options and with small ones (max_depth 8, extra fields
// ignored). A broken property prints what broke and aborts, so libFuzzer keeps the input.

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include <troupe/codec/convert.hpp>
#include <troupe/codec/detail/base64.hpp>
#include <troupe/codec/format.hpp>
#include <troupe/codec/json.hpp>
#include <troupe/codec/message_type.hpp>
#include <troupe/codec/msgpack.hpp>

#include "messages.hpp"

namespace fuzz {

namespace codec = troupe::codec;
namespace cd = troupe::codec::detail;
using troupe::value;

// --- reporting -------------------------------------------------------------------------

/// The name of the input under check, printed with a failure (the regression test sets it).
inline std::string& input_name() {
    static std::string name;
    return name;
}

/// Text for a failure report: printable ASCII as is, other bytes as \xNN, cut at 2000.
inline std::string printable(std::string_view s) {
    static constexpr char hex[] = "0123456789abcdef";
    constexpr std::size_t limit = 2000;
    std::string out;
    for (unsigned char c : s.substr(0, limit)) {
        if (c >= 0x20 && c < 0x7f && c != '\\') {
            out += static_cast<char>(c);
        } else {
            out += "\\x";
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    if (s.size() > limit) out += "... (" + std::to_string(s.size()) + " bytes)";
    return out;
}

[[noreturn]] inline void fail(std::string_view property, std::string_view detail = {}) {
    std::fprintf(stderr, "\ncodec check failed: %.*s\n", static_cast<int>(property.size()),
                 property.data());
    if (!input_name().empty()) std::fprintf(stderr, "  input: %s\n", input_name().c_str());
    if (!detail.empty()) {
        std::string d{detail.substr(0, 4000)};
        std::fprintf(stderr, "%s\n", d.c_str());
    }
    std::fflush(stderr);
    std::abort();
}

template <class T>
T expect_ok(troupe::result<T> r, std::string_view property, std::string_view data = {}) {
    if (!r) {
        std::string detail = "  error: " + r.error().message();
        if (!data.empty()) detail += "\n  data: " + printable(data);
        fail(property, detail);
    }
    return std::move(r).value();
}

/// Property 5, for the error of a decoder that refused its input.
inline void check_refusal(const troupe::error& e, std::string_view decoder) {
    constexpr std::size_t limit = 8 * 1024;
    const std::string& reason = e.reason();
    bool printable_ascii =
        std::all_of(reason.begin(), reason.end(), [](char c) { return c >= 0x20 && c < 0x7f; });
    if (!(e == troupe::errc::bad_message) || !printable_ascii || reason.size() > limit) {
        fail(std::string{decoder} +
                 " refused with an unfit error (not bad_message, not printable "
                 "ASCII, or over 8 KiB)",
             "  reason (" + std::to_string(reason.size()) + " bytes): " + printable(reason));
    }
}

// --- what JSON can carry ---------------------------------------------------------------

/// An oracle apart from the codec's own: well-formed UTF-8 (no overlong forms, no
/// surrogates, nothing above U+10FFFF).
inline bool valid_utf8(std::string_view s) {
    static constexpr std::uint32_t least[] = {0, 0, 0x80, 0x800, 0x10000};
    std::size_t i = 0;
    while (i < s.size()) {
        auto c = static_cast<unsigned char>(s[i]);
        std::size_t n;
        std::uint32_t cp;
        if (c < 0x80) {
            ++i;
            continue;
        } else if ((c & 0xe0) == 0xc0) {
            n = 2, cp = c & 0x1fu;
        } else if ((c & 0xf0) == 0xe0) {
            n = 3, cp = c & 0x0fu;
        } else if ((c & 0xf8) == 0xf0) {
            n = 4, cp = c & 0x07u;
        } else {
            return false;
        }
        if (i + n > s.size()) return false;
        for (std::size_t k = 1; k < n; ++k) {
            auto d = static_cast<unsigned char>(s[i + k]);
            if ((d & 0xc0) != 0x80) return false;
            cp = cp << 6 | (d & 0x3fu);
        }
        if (cp < least[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
        i += n;
    }
    return true;
}

inline bool json_safe_value(const value& v) {
    if (auto* d = v.if_double()) return std::isfinite(*d);
    if (auto* s = v.if_string()) return valid_utf8(*s);
    if (auto* a = v.if_array()) {
        for (const auto& e : *a)
            if (!json_safe_value(e)) return false;
    }
    if (auto* m = v.if_map()) {
        for (const auto& [k, e] : *m)
            if (!valid_utf8(k) || !json_safe_value(e)) return false;
    }
    return true;
}

/// Whether JSON can carry x: every float finite, every string and key UTF-8.
template <class T>
bool json_safe(const T& x) {
    if constexpr (std::is_floating_point_v<T>) {
        return std::isfinite(x);
    } else if constexpr (std::is_same_v<T, std::string>) {
        return valid_utf8(x);
    } else if constexpr (std::is_same_v<T, value>) {
        return json_safe_value(x);
    } else if constexpr (cd::is_optional<T>) {
        return !x || json_safe(*x);
    } else if constexpr (cd::is_vector<T>) {
        for (const auto& e : x)
            if (!json_safe(e)) return false;
        return true;
    } else if constexpr (cd::is_string_map<T>) {
        for (const auto& [k, e] : x)
            if (!valid_utf8(k) || !json_safe(e)) return false;
        return true;
    } else if constexpr (codec::described_struct<T>) {
        bool ok = true;
        boost::mp11::mp_for_each<codec::fields_of<T>>(
            [&](auto d) { ok = ok && json_safe(x.*d.pointer); });
        return ok;
    } else {
        return true;  // bool, integers, bytes (base64), enums and addresses (names)
    }
}

/// What JSON gives back for a value: bytes become their base64 text.
inline value json_image(const value& v) {
    if (auto* b = v.if_bytes()) {
        std::string s;
        cd::base64_encode(*b, s);
        return value{std::move(s)};
    }
    if (auto* a = v.if_array()) {
        value::array out;
        out.reserve(a->size());
        for (const auto& e : *a) out.push_back(json_image(e));
        return value{std::move(out)};
    }
    if (auto* m = v.if_map()) {
        value::map out;
        out.reserve(m->size());
        for (const auto& [k, e] : *m) out.append_unique(k, json_image(e));
        return value{std::move(out)};
    }
    return v;
}

// --- comparing -------------------------------------------------------------------------

/// Bit for bit, except that every NaN equals every NaN.
inline bool same_double(double a, double b) {
    if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
    return std::bit_cast<std::uint64_t>(a) == std::bit_cast<std::uint64_t>(b);
}

/// Same kinds, same doubles (same_double), same map keys in the same order.
inline bool same_value(const value& a, const value& b) {
    if (a.type() != b.type()) return false;
    if (auto* d = a.if_double()) return same_double(*d, *b.if_double());
    if (auto* x = a.if_array()) {
        const auto& y = *b.if_array();
        if (x->size() != y.size()) return false;
        for (std::size_t i = 0; i < x->size(); ++i)
            if (!same_value((*x)[i], y[i])) return false;
        return true;
    }
    if (auto* x = a.if_map()) {
        const auto& y = *b.if_map();
        if (x->size() != y.size()) return false;
        for (auto i = x->begin(), j = y.begin(); i != x->end(); ++i, ++j)
            if (i->first != j->first || !same_value(i->second, j->second)) return false;
        return true;
    }
    return a == b;
}

/// How b of same(a, b) was made from a: directly, or through JSON (value bytes as text).
enum class via { exact, json };

template <via V = via::exact, class T>
bool same(const T& a, const T& b) {
    if constexpr (std::is_floating_point_v<T>) {
        return same_double(a, b);
    } else if constexpr (std::is_same_v<T, value>) {
        return V == via::json ? same_value(json_image(a), b) : same_value(a, b);
    } else if constexpr (cd::is_optional<T>) {
        return a.has_value() == b.has_value() && (!a || same<V>(*a, *b));
    } else if constexpr (cd::is_vector<T>) {
        if (a.size() != b.size()) return false;
        for (std::size_t i = 0; i < a.size(); ++i)
            if (!same<V>(a[i], b[i])) return false;
        return true;
    } else if constexpr (cd::is_string_map<T>) {
        if (a.size() != b.size()) return false;
        for (const auto& [k, x] : a) {
            auto it = b.find(k);
            if (it == b.end() || !same<V>(x, it->second)) return false;
        }
        return true;
    } else if constexpr (codec::described_struct<T>) {
        bool ok = true;
        boost::mp11::mp_for_each<codec::fields_of<T>>(
            [&](auto d) { ok = ok && same<V>(a.*d.pointer, b.*d.pointer); });
        return ok;
    } else {
        return a == b;  // bool, integers, strings, bytes, enums, addresses
    }
}

/// A message for a failure report (through to_value, which the checks test too).
template <class T>
std::string shown(const T& x) {
    auto v = codec::to_value(x);
    return v ? v->to_string() : "<to_value failed: " + v.error().message() + ">";
}

// --- the option sets -------------------------------------------------------------------

inline const std::array<codec::options, 2>& option_sets() {
    static const std::array<codec::options, 2> sets = [] {
        std::array<codec::options, 2> s{};
        s[1].max_depth = 8;
        s[1].extra = codec::extra_fields::ignore;
        return s;
    }();
    return sets;
}

// --- values ----------------------------------------------------------------------------

/// v as JSON: there exactly when JSON can carry v; reads back as json_image(v); canonical.
inline void value_through_json(const value& v, const codec::options& o) {
    auto text = codec::json::encode(v, o);
    if (!json_safe_value(v)) {
        if (text) fail("json::encode wrote NaN, infinity or a non-UTF-8 string", printable(*text));
        return;
    }
    auto t =
        expect_ok(std::move(text), "json::encode refused a value JSON can carry", v.to_string());
    auto back = expect_ok(codec::json::decode(t, o), "json::decode refused json::encode's text", t);
    if (!same_value(json_image(v), back)) {
        fail("JSON round trip changed a value", "  before: " + printable(v.to_string()) +
                                                    "\n  after:  " + printable(back.to_string()) +
                                                    "\n  text:   " + printable(t));
    }
    auto again = codec::json::encode(back, o);
    if (!again || *again != t) {
        fail("JSON encoding is not canonical",
             "  first:  " + printable(t) + "\n  second: " + printable(again ? *again : "<error>"));
    }
}

/// v as MessagePack: always there; reads back exactly; canonical.
inline void value_through_msgpack(const value& v, const codec::options& o) {
    auto bin = expect_ok(codec::msgpack::encode(v, o), "msgpack::encode refused a decoded value",
                         v.to_string());
    auto back = expect_ok(codec::msgpack::decode(bin, o),
                          "msgpack::decode refused msgpack::encode's bytes", bin);
    if (!same_value(v, back)) {
        fail("MessagePack round trip changed a value",
             "  before: " + printable(v.to_string()) +
                 "\n  after:  " + printable(back.to_string()) + "\n  bytes:  " + printable(bin));
    }
    auto again = codec::msgpack::encode(back, o);
    if (!again || *again != bin) {
        fail(
            "MessagePack encoding is not canonical",
            "  first:  " + printable(bin) + "\n  second: " + printable(again ? *again : "<error>"));
    }
}

/// Decodes `in` with both option sets and checks every property on what decodes. Then:
/// decoding again gives the same result (the JSON parser's buffers are reused between
/// calls), and the small options only tighten (what they accept, the defaults accept alike).
template <class Decode>
void check_value_decoder(std::string_view in, Decode decode, std::string_view name,
                         bool from_json) {
    const auto& sets = option_sets();
    troupe::result<value> first[2] = {decode(in, sets[0]), decode(in, sets[1])};
    for (int i = 0; i < 2; ++i) {
        if (!first[i]) {
            check_refusal(first[i].error(), name);
            continue;
        }
        const value& v = *first[i];
        if (from_json && !json_safe_value(v))
            fail(std::string{name} + " made a value JSON cannot carry", printable(v.to_string()));
        value_through_json(v, sets[i]);
        value_through_msgpack(v, sets[i]);
    }
    auto again = decode(in, sets[0]);
    bool same_again = again.has_value() == first[0].has_value() &&
                      (again ? same_value(*again, *first[0])
                             : again.error().reason() == first[0].error().reason());
    if (!same_again) fail(std::string{name} + " gave another result for the same input");
    if (first[1] && (!first[0] || !same_value(*first[1], *first[0])))
        fail(std::string{name} +
             " accepts under max_depth 8 what the defaults refuse or read "
             "differently");
}

/// fuzz_json_value: JSON text -> value.
inline void check_json_value(std::string_view in) {
    check_value_decoder(
        in, [](std::string_view s, const codec::options& o) { return codec::json::decode(s, o); },
        "json::decode", true);
}

/// fuzz_msgpack_value: MessagePack bytes -> value.
inline void check_msgpack_value(std::string_view in) {
    check_value_decoder(
        in,
        [](std::string_view s, const codec::options& o) { return codec::msgpack::decode(s, o); },
        "msgpack::decode", false);
}

// --- described types -------------------------------------------------------------------

template <class T>
void message_round_trips(const T& m, const codec::options& o) {
    // MessagePack carries every message exactly.
    auto bin = expect_ok(codec::msgpack::encode(m, o), "msgpack::encode refused a decoded message",
                         shown(m));
    T back = expect_ok(codec::msgpack::decode<T>(bin, o),
                       "msgpack::decode refused msgpack::encode's bytes", bin);
    if (!same(m, back)) {
        fail("MessagePack round trip changed a message",
             "  before: " + printable(shown(m)) + "\n  after:  " + printable(shown(back)));
    }

    // JSON carries it when it holds no NaN, infinity or non-UTF-8 string.
    auto text = codec::json::encode(m, o);
    bool safe = json_safe(m);
    if (!safe && text) fail("json::encode wrote NaN, infinity or a non-UTF-8 string", *text);
    if (safe) {
        auto t =
            expect_ok(std::move(text), "json::encode refused a message JSON can carry", shown(m));
        T from_json =
            expect_ok(codec::json::decode<T>(t, o), "json::decode refused json::encode's text", t);
        if (!same<via::json>(m, from_json)) {
            fail("JSON round trip changed a message",
                 "  before: " + printable(shown(m)) + "\n  after:  " + printable(shown(from_json)) +
                     "\n  text:   " + printable(t));
        }
        text = std::move(t);
    }

    // troupe::value is a faithful image: back exactly, and the same encodings.
    auto v = expect_ok(codec::to_value(m, o), "to_value refused a decoded message");
    T from =
        expect_ok(codec::from_value<T>(v, o), "from_value refused to_value's value", v.to_string());
    if (!same(m, from)) {
        fail("to_value/from_value changed a message",
             "  before: " + printable(shown(m)) + "\n  after:  " + printable(shown(from)));
    }
    auto vbin = codec::msgpack::encode(v, o);
    if (!vbin || *vbin != bin) {
        fail("msgpack::encode(to_value(m)) differs from msgpack::encode(m)",
             "  message: " + printable(bin) + "\n  value:   " + printable(vbin ? *vbin : ""));
    }
    if (safe) {
        auto vtext = codec::json::encode(v, o);
        if (!vtext || *vtext != *text) {
            fail("json::encode(to_value(m)) differs from json::encode(m)",
                 "  message: " + printable(*text) +
                     "\n  value:   " + printable(vtext ? *vtext : ""));
        }
    }
}

/// Decodes through the run-time path (message_type, as the registry does) with the default
/// options and straight through json/msgpack::decode<T> with the small ones.
template <class T>
void check_message(std::string_view body, codec::format f) {
    const codec::message_type& type = codec::message_type::of<T>();
    for (const auto& o : option_sets()) {
        T m;
        if (&o == &option_sets()[0]) {
            troupe::result<codec::message_box> box = type.decode(f, body, o);
            if (!box) {
                check_refusal(box.error(), "message_type::decode");
                continue;
            }
            if (box->get<T>() == nullptr || box->get<std::string>() != nullptr)
                fail("message_box::get<T> does not find the decoded type");
            m = std::move(*box->get<T>());
        } else {
            auto r = f == codec::format::json ? codec::json::decode<T>(body, o)
                                              : codec::msgpack::decode<T>(body, o);
            if (!r) {
                check_refusal(r.error(), "decode<T>");
                continue;
            }
            m = std::move(*r);
        }
        if (f == codec::format::json && !json_safe(m))
            fail("json::decode made a message JSON cannot carry", printable(shown(m)));
        message_round_trips(m, o);
    }
}

/// fuzz_described: the first byte picks the type and the format (byte % 4: 0 everything
/// from JSON, 1 everything from MessagePack, 2 tree from JSON, 3 tree from MessagePack;
/// the seeds use '0'..'3'), the rest is the input.
inline void check_described(std::string_view in) {
    if (in.empty()) return;
    std::string_view body = in.substr(1);
    switch (static_cast<unsigned char>(in[0]) % 4) {
        case 0:
            return check_message<everything>(body, codec::format::json);
        case 1:
            return check_message<everything>(body, codec::format::msgpack);
        case 2:
            return check_message<tree>(body, codec::format::json);
        default:
            return check_message<tree>(body, codec::format::msgpack);
    }
}

}  // namespace fuzz

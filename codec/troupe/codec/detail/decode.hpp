#pragma once
// The one decoder: reads a described type (or a troupe::value) from any reader. A reader
// is positioned at one value and offers:
//
//   node_kind kind() const;     std::string got() const;   // "string", "integer 1e30"...
//   bool get_bool();  std::int64_t get_int64();  std::uint64_t get_uint64();
//   double get_double();  std::string_view get_string();  std::span<const std::byte> get_bytes();
//   std::size_t size() const;                                   // of an array or a map
//   bool each_element(F f);               // f(R& element, std::size_t index) -> bool
//   bool each_entry(context&, F f);       // f(std::string_view key, R& v) -> bool
//   void skip();                          // passes over a value nobody reads
//   static constexpr bool base64_bytes;   // JSON carries bytes as base64 text
//
// Readers exist for troupe::value, simdjson's DOM and MessagePack bytes, so every format
// decodes every type with the same rules and the same error messages. On failure a
// function returns false and the context holds the problem and its path.

#include <bitset>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <unordered_set>

#include <boost/describe/enum_from_string.hpp>

#include <troupe/codec/detail/base64.hpp>
#include <troupe/codec/detail/context.hpp>
#include <troupe/codec/detail/field_types.hpp>
#include <troupe/error.hpp>

namespace troupe::codec::detail {

template <class R>
bool decode(context& c, R& r, troupe::value& out);

template <class R, class T>
bool decode(context& c, R& r, T& out);

// key == D::name for a Boost.Describe descriptor D, the name's length known at compile time:
// a key of another length costs one comparison and one of the same length an inlined
// memcmp. (Comparing with the const char* called memcmp for every candidate field.)
template <class D>
bool is_named(std::string_view key) noexcept {
    constexpr std::string_view name = D::name;
    return key.size() == name.size() && std::memcmp(key.data(), name.data(), name.size()) == 0;
}

template <integer I, class R>
bool decode_integer(context& c, R& r, I& out) {
    if (r.kind() != node_kind::int64) return c.expected(integer_name<I>(), r.got());
    std::int64_t v = r.get_int64();
    bool fits;
    if constexpr (std::is_signed_v<I>)
        fits = v >= std::numeric_limits<I>::min() && v <= std::numeric_limits<I>::max();
    else
        fits = v >= 0 && static_cast<std::uint64_t>(v) <= std::numeric_limits<I>::max();
    if (!fits) {
        return c.fail(std::to_string(v) + " is out of range for " + std::string{integer_name<I>()});
    }
    out = static_cast<I>(v);
    return true;
}

template <class F, class R>
bool decode_float(context& c, R& r, F& out) {
    double d;
    switch (r.kind()) {
        case node_kind::float64:
            d = r.get_double();
            break;
        case node_kind::int64: {
            // JSON writers drop ".0" (JavaScript's 1.0 is "1"); take integers a double
            // holds exactly.
            std::int64_t i = r.get_int64();
            constexpr std::int64_t exact = std::int64_t{1} << 53;
            if (i > exact || i < -exact)
                return c.fail(std::to_string(i) + " has no exact double value");
            d = static_cast<double>(i);
            break;
        }
        default:
            return c.expected(std::is_same_v<F, float> ? "float" : "double", r.got());
    }
    if constexpr (std::is_same_v<F, float>) {
        if (std::isfinite(d) && std::fabs(d) > std::numeric_limits<float>::max())
            return c.fail(std::to_string(d) + " is out of range for float");
    }
    out = static_cast<F>(d);
    return true;
}

template <class R>
bool decode_bytes(context& c, R& r, troupe::bytes& out) {
    if (r.kind() == node_kind::bytes) {
        auto b = r.get_bytes();
        out.assign(b.begin(), b.end());
        return true;
    }
    if (r.kind() == node_kind::string) {
        std::string_view s = r.get_string();
        if constexpr (R::base64_bytes) {
            if (!base64_decode(s, out))
                return c.fail("expected bytes as base64, got invalid base64");
        } else {
            // A Lua string or a MessagePack str holding binary data.
            out.resize(s.size());
            if (!s.empty()) std::memcpy(out.data(), s.data(), s.size());
        }
        return true;
    }
    return c.expected("bytes", r.got());
}

template <described_enum E, class R>
bool decode_enum(context& c, R& r, E& out) {
    if (r.kind() != node_kind::string) return c.expected("the name of an enumerator", r.got());
    std::string_view name = r.get_string();
    bool found = false;
    boost::mp11::mp_for_each<boost::describe::describe_enumerators<E>>([&](auto d) {
        if (!found && is_named<decltype(d)>(name)) {
            out = d.value;
            found = true;
        }
    });
    if (found) return true;
    std::string p = "expected one of";
    const char* sep = " ";
    boost::mp11::mp_for_each<boost::describe::describe_enumerators<E>>([&](auto d) {
        p += sep;
        p += d.name;
        sep = ", ";
    });
    return c.fail(p + "; got " + quoted_for_error(name));
}

template <class T, class R>
bool decode_vector(context& c, R& r, std::vector<T>& out) {
    if (r.kind() != node_kind::array) return c.expected("array", r.got());
    depth_guard g{c};
    if (!g) return false;
    out.clear();
    out.reserve(r.size());
    return r.each_element(
        [&](R& e, std::size_t i) { return decode(c, e, out.emplace_back()) || c.in_index(i); });
}

template <class M, class R>
bool decode_string_map(context& c, R& r, M& out) {
    if (r.kind() != node_kind::map) return c.expected("map", r.got());
    depth_guard g{c};
    if (!g) return false;
    out.clear();
    return r.each_entry(c, [&](std::string_view key, R& v) {
        auto [it, fresh] = out.try_emplace(std::string{key});
        if (!fresh) return c.fail("duplicate key") || c.in_key(key);
        return decode(c, v, it->second) || c.in_key(key);
    });
}

template <described_struct T, class R>
bool decode_struct(context& c, R& r, T& out) {
    if (r.kind() != node_kind::map) return c.expected("map", r.got());
    depth_guard g{c};
    if (!g) return false;
    using fields = fields_of<T>;
    std::bitset<boost::mp11::mp_size<fields>::value + 1> seen;
    bool ok = r.each_entry(c, [&](std::string_view key, R& v) {
        std::size_t i = 0;
        int outcome = -1;  // -1: no such field, 0: failed, 1: decoded
        boost::mp11::mp_for_each<fields>([&](auto d) {
            if (outcome == -1 && is_named<decltype(d)>(key)) {
                if (seen[i]) {
                    outcome = c.fail("duplicate field");
                } else {
                    seen.set(i);
                    outcome = decode(c, v, out.*d.pointer);
                }
            }
            ++i;
        });
        if (outcome == 1) return true;
        if (outcome == 0) return c.in_field(key);
        if (c.opts.extra == extra_fields::ignore) {
            v.skip();
            return true;
        }
        std::string p = "unexpected field (";
        p += message_name<T>();
        p += " has";
        const char* sep = " ";
        boost::mp11::mp_for_each<fields>([&](auto d) {
            p += sep;
            p += d.name;
            sep = ", ";
        });
        if (boost::mp11::mp_size<fields>::value == 0) p += " no fields";
        p += "; options::extra = extra_fields::ignore skips unknown fields)";
        return c.fail(std::move(p)) || c.in_field(key);
    });
    if (!ok) return false;
    std::size_t i = 0;
    bool complete = true;
    boost::mp11::mp_for_each<fields>([&](auto d) {
        if (complete && !seen[i]) {
            using F = std::remove_cvref_t<decltype(out.*d.pointer)>;
            if constexpr (is_optional<F>)
                (out.*d.pointer).reset();
            else
                complete = c.fail("missing field") || c.in_field(d.name);
        }
        ++i;
    });
    return complete;
}

template <class R, class T>
bool decode(context& c, R& r, T& out) {
    static_assert(is_field_type<T>(),
                  "troupe::codec: this type cannot be decoded; describe it with TROUPE_MESSAGE "
                  "or BOOST_DESCRIBE_STRUCT (enums: BOOST_DESCRIBE_ENUM)");
    if constexpr (std::is_same_v<T, bool>) {
        if (r.kind() != node_kind::boolean) return c.expected("bool", r.got());
        out = r.get_bool();
        return true;
    } else if constexpr (integer<T>) {
        return decode_integer(c, r, out);
    } else if constexpr (std::is_floating_point_v<T>) {
        return decode_float(c, r, out);
    } else if constexpr (std::is_same_v<T, std::string>) {
        if (r.kind() != node_kind::string) return c.expected("string", r.got());
        out = r.get_string();
        return true;
    } else if constexpr (std::is_same_v<T, troupe::bytes>) {
        return decode_bytes(c, r, out);
    } else if constexpr (std::is_same_v<T, troupe::address>) {
        if (r.kind() != node_kind::string) return c.expected("an address like <fff8:1>", r.got());
        std::string_view s = r.get_string();
        auto a = troupe::address::parse(s);
        if (!a) return c.expected("an address like <fff8:1>", quoted_for_error(s));
        out = *a;
        return true;
    } else if constexpr (described_enum<T>) {
        return decode_enum(c, r, out);
    } else if constexpr (is_optional<T>) {
        if (r.kind() == node_kind::nil) {
            r.skip();
            out.reset();
            return true;
        }
        return decode(c, r, out.emplace());
    } else if constexpr (is_vector<T>) {
        return decode_vector(c, r, out);
    } else if constexpr (is_string_map<T>) {
        return decode_string_map(c, r, out);
    } else if constexpr (described_struct<T>) {
        return decode_struct(c, r, out);
    }
}

template <class R>
bool decode_value_map(context& c, R& r, troupe::value& out) {
    troupe::value::map m;
    m.reserve(r.size());
    // Small maps look keys up linearly; large ones through a set, so that a frame with
    // many keys costs O(n), not O(n^2).
    constexpr std::size_t linear_limit = 16;
    std::unordered_set<std::string_view> keys;
    bool hashed = r.size() > linear_limit;
    bool ok = r.each_entry(c, [&](std::string_view key, R& v) {
        bool dup = hashed ? !keys.insert(key).second : m.contains(key);
        if (dup) return c.fail("duplicate key") || c.in_key(key);
        troupe::value& slot = m.append_unique(std::string{key}, troupe::value{});
        return decode(c, v, slot) || c.in_key(key);
    });
    if (!ok) return false;
    out = std::move(m);
    return true;
}

template <class R>
bool decode(context& c, R& r, troupe::value& out) {
    switch (r.kind()) {
        case node_kind::nil:
            r.skip();
            out = troupe::value{};
            return true;
        case node_kind::boolean:
            out = r.get_bool();
            return true;
        case node_kind::int64:
            out = r.get_int64();
            return true;
        case node_kind::float64:
            out = r.get_double();
            return true;
        case node_kind::string:
            out = std::string{r.get_string()};
            return true;
        case node_kind::bytes: {
            auto b = r.get_bytes();
            out = troupe::bytes(b.begin(), b.end());
            return true;
        }
        case node_kind::array: {
            depth_guard g{c};
            if (!g) return false;
            troupe::value::array a;
            a.reserve(r.size());
            bool ok = r.each_element([&](R& e, std::size_t i) {
                return decode(c, e, a.emplace_back()) || c.in_index(i);
            });
            if (!ok) return false;
            out = std::move(a);
            return true;
        }
        case node_kind::map: {
            depth_guard g{c};
            if (!g) return false;
            return decode_value_map(c, r, out);
        }
        case node_kind::uint64:
        case node_kind::other:
            break;
    }
    return c.fail("cannot hold " + r.got() + " in a value");
}

/// Decodes a whole T from a reader positioned at the input's one value.
template <class T, class R>
result<T> decode_whole(R& r, const options& opts) {
    context c{opts};
    T out{};
    if (!decode(c, r, out)) return c.to_error(root_name<T>());
    return out;
}

}  // namespace troupe::codec::detail

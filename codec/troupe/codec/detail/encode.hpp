#pragma once
// The one encoder: writes a described type (or a troupe::value) to any writer. A writer
// takes a stream of events, each given the context so it can refuse with a reason:
//
//   nil  boolean  int64  float64  string  bytes         // scalars
//   begin_array(n) ... end_array   begin_map(n) key ... end_map
//   field(name): a key that is a described field's name (an identifier: no escaping)
//
// Writers exist for troupe::value, JSON text and MessagePack bytes. Each call returns
// false on failure (JSON refuses NaN, say); the context then holds the problem and path.

#include <limits>
#include <span>
#include <string>

#include <boost/describe/enum_to_string.hpp>

#include <troupe/codec/detail/context.hpp>
#include <troupe/codec/detail/field_types.hpp>
#include <troupe/error.hpp>

namespace troupe::codec::detail {

template <class W>
bool encode(context& c, W& w, const troupe::value& v);

template <class W, class T>
bool encode(context& c, W& w, const T& v);

template <class W, class T>
bool encode_vector(context& c, W& w, const std::vector<T>& v) {
    depth_guard g{c};
    if (!g || !w.begin_array(c, v.size())) return false;
    for (std::size_t i = 0; i < v.size(); ++i)
        if (!encode(c, w, v[i])) return c.in_index(i);
    return w.end_array(c);
}

template <class W, class M>
bool encode_string_map(context& c, W& w, const M& m) {
    depth_guard g{c};
    if (!g || !w.begin_map(c, m.size())) return false;
    for (const auto& [key, v] : m)
        if (!w.key(c, key) || !encode(c, w, v)) return c.in_key(key);
    return w.end_map(c);
}

template <class W, described_struct T>
bool encode_struct(context& c, W& w, const T& v) {
    using fields = fields_of<T>;
    // With omit_empty_optionals, an empty std::optional field is left out, not null.
    auto present = [&](auto d) {
        using F = std::remove_cvref_t<decltype(v.*d.pointer)>;
        if constexpr (is_optional<F>)
            return !c.opts.omit_empty_optionals || (v.*d.pointer).has_value();
        else
            return true;
    };
    std::size_t count = 0;
    boost::mp11::mp_for_each<fields>([&](auto d) { count += present(d) ? 1 : 0; });
    depth_guard g{c};
    if (!g || !w.begin_map(c, count)) return false;
    bool ok = true;
    boost::mp11::mp_for_each<fields>([&](auto d) {
        if (ok && present(d) && !(w.field(c, d.name) && encode(c, w, v.*d.pointer)))
            ok = c.in_field(d.name);
    });
    return ok && w.end_map(c);
}

template <class W, class T>
bool encode(context& c, W& w, const T& v) {
    static_assert(is_field_type<T>(),
                  "troupe::codec: this type cannot be encoded; describe it with TROUPE_MESSAGE "
                  "or BOOST_DESCRIBE_STRUCT (enums: BOOST_DESCRIBE_ENUM)");
    if constexpr (std::is_same_v<T, bool>) {
        return w.boolean(c, v);
    } else if constexpr (integer<T>) {
        if constexpr (std::is_unsigned_v<T> && sizeof(T) >= sizeof(std::int64_t)) {
            if (v > static_cast<T>(std::numeric_limits<std::int64_t>::max()))
                return c.fail(std::to_string(v) +
                              " is out of range: integers travel as int64 in every format");
        }
        return w.int64(c, static_cast<std::int64_t>(v));
    } else if constexpr (std::is_floating_point_v<T>) {
        return w.float64(c, static_cast<double>(v));
    } else if constexpr (std::is_same_v<T, std::string>) {
        return w.string(c, v);
    } else if constexpr (std::is_same_v<T, troupe::bytes>) {
        return w.bytes(c, std::span<const std::byte>{v});
    } else if constexpr (std::is_same_v<T, troupe::address>) {
        return w.string(c, v.to_string());
    } else if constexpr (described_enum<T>) {
        const char* name = boost::describe::enum_to_string(v, nullptr);
        if (!name) {
            return c.fail(std::to_string(static_cast<std::underlying_type_t<T>>(v)) +
                          " is not an enumerator of " + std::string{message_name<T>()});
        }
        return w.string(c, name);
    } else if constexpr (is_optional<T>) {
        return v ? encode(c, w, *v) : w.nil(c);
    } else if constexpr (is_vector<T>) {
        return encode_vector(c, w, v);
    } else if constexpr (is_string_map<T>) {
        return encode_string_map(c, w, v);
    } else if constexpr (described_struct<T>) {
        return encode_struct(c, w, v);
    }
}

template <class W>
bool encode(context& c, W& w, const troupe::value& v) {
    switch (v.type()) {
        case troupe::value::kind::nil:
            return w.nil(c);
        case troupe::value::kind::boolean:
            return w.boolean(c, *v.if_bool());
        case troupe::value::kind::int64:
            return w.int64(c, *v.if_int64());
        case troupe::value::kind::float64:
            return w.float64(c, *v.if_double());
        case troupe::value::kind::string:
            return w.string(c, *v.if_string());
        case troupe::value::kind::bytes:
            return w.bytes(c, std::span<const std::byte>{*v.if_bytes()});
        case troupe::value::kind::array: {
            const auto& a = *v.if_array();
            depth_guard g{c};
            if (!g || !w.begin_array(c, a.size())) return false;
            for (std::size_t i = 0; i < a.size(); ++i)
                if (!encode(c, w, a[i])) return c.in_index(i);
            return w.end_array(c);
        }
        case troupe::value::kind::map: {
            const auto& m = *v.if_map();
            depth_guard g{c};
            if (!g || !w.begin_map(c, m.size())) return false;
            for (const auto& [key, e] : m)
                if (!w.key(c, key) || !encode(c, w, e)) return c.in_key(key);
            return w.end_map(c);
        }
    }
    return c.fail("a value of unknown kind");
}

/// Appends the encoding of `v` by a Writer (which writes into a std::string and trims it
/// when destroyed) to `out`; on failure `out` is left as it was.
template <class Writer, class T>
result<void> encode_to(std::string& out, const T& v, const options& opts) {
    context c{opts};
    const std::size_t at = out.size();
    bool ok;
    {
        Writer w{out};
        ok = encode(c, w, v);
    }
    if (ok) return {};
    out.resize(at);
    return c.to_error(root_name<T>());
}

template <class Writer, class T>
result<std::string> encode_to_string(const T& v, const options& opts) {
    std::string out;
    if (auto r = encode_to<Writer>(out, v, opts); !r) return r.error();
    return out;
}

}  // namespace troupe::codec::detail

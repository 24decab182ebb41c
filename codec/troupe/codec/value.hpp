#pragma once
// troupe::value: a dynamic value, the shape of a message that has no C++ type yet (a Lua
// table, a JSON request, a MessagePack frame). Eight kinds: nil, bool, int64, double,
// string, bytes, array, map. A map has string keys and keeps insertion order.
//
//   value v = value::map{{"key", "temperature"}, {"value", 42}};
//   v.at("value").as_int64();   // 42
//   v.at("key").as_int64();     // throws bad_value_access: "expected int64, got string"
//   if (auto* s = v.at("key").if_string()) ...   // no exception
//
// Integers are int64 and floating-point numbers are double, and they stay apart: 1 and 1.0
// are different values. Moves are cheap (a 40-byte variant; strings and containers move
// their buffers). Thread contract: a value is a plain value type; share it read-only or
// copy it.

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <ostream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

namespace troupe {

/// Raw bytes: a MessagePack bin, a Lua string that is not text, a base64 field in JSON.
using bytes = std::vector<std::byte>;

/// Builds bytes from text (each char is one byte), for tests and literals.
bytes to_bytes(std::string_view text);

/// Thrown by value's checked accessors: "expected int64, got string".
class bad_value_access : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class value;

/// A map with string keys that keeps insertion order. Lookup is linear: messages have a
/// handful of fields. Keys are unique (insert_or_assign replaces).
class value_map {
public:
    using entry = std::pair<std::string, value>;
    using iterator = std::vector<entry>::iterator;
    using const_iterator = std::vector<entry>::const_iterator;

    value_map() = default;
    value_map(std::initializer_list<entry> entries);

    // Defined below, once value is complete: clang instantiates constexpr std::vector
    // members where they are written, and value is incomplete here.
    std::size_t size() const noexcept;
    bool empty() const noexcept;
    iterator begin() noexcept;
    iterator end() noexcept;
    const_iterator begin() const noexcept;
    const_iterator end() const noexcept;
    void reserve(std::size_t n);

    /// nullptr when absent.
    value* find(std::string_view key) noexcept;
    const value* find(std::string_view key) const noexcept;
    bool contains(std::string_view key) const noexcept { return find(key) != nullptr; }
    /// Throws bad_value_access naming the key when absent.
    value& at(std::string_view key);
    const value& at(std::string_view key) const;
    /// Adds at the end, or replaces the value of an existing key in place.
    value& insert_or_assign(std::string key, value v);
    /// Adds at the end without looking for the key: the caller knows it is new (decoders
    /// check for duplicates themselves).
    value& append_unique(std::string key, value v);
    /// Removes the key; says whether it was there.
    bool erase(std::string_view key);

    /// Same keys with equal values, in any order.
    friend bool operator==(const value_map& a, const value_map& b);

private:
    std::vector<entry> entries_;
};

class value {
public:
    enum class kind : std::uint8_t { nil, boolean, int64, float64, string, bytes, array, map };
    using array = std::vector<value>;
    using map = value_map;

    value() noexcept = default;
    value(std::nullptr_t) noexcept {}
    value(bool b) noexcept : v_(b) {}
    /// Any integer type but bool. An unsigned value above INT64_MAX throws
    /// std::out_of_range (a value holds int64, as Lua and JSON clients do).
    template <class I>
    requires(std::is_integral_v<I> && !std::is_same_v<I, bool>) value(I i) : v_(checked_int64(i)) {}
    value(double d) noexcept : v_(d) {}
    value(float f) noexcept : v_(static_cast<double>(f)) {}
    value(std::string s) noexcept : v_(std::move(s)) {}
    value(std::string_view s) : v_(std::string{s}) {}
    value(const char* s) : v_(std::string{s}) {}
    value(troupe::bytes b) noexcept : v_(std::move(b)) {}
    value(array a) noexcept : v_(std::move(a)) {}
    value(map m) noexcept : v_(std::move(m)) {}

    kind type() const noexcept { return static_cast<kind>(v_.index()); }
    bool is_nil() const noexcept { return type() == kind::nil; }
    bool is_bool() const noexcept { return type() == kind::boolean; }
    bool is_int64() const noexcept { return type() == kind::int64; }
    bool is_double() const noexcept { return type() == kind::float64; }
    bool is_string() const noexcept { return type() == kind::string; }
    bool is_bytes() const noexcept { return type() == kind::bytes; }
    bool is_array() const noexcept { return type() == kind::array; }
    bool is_map() const noexcept { return type() == kind::map; }

    // Checked accessors: throw bad_value_access("expected int64, got string").
    bool as_bool() const { return get<bool>(kind::boolean); }
    std::int64_t as_int64() const { return get<std::int64_t>(kind::int64); }
    double as_double() const { return get<double>(kind::float64); }
    const std::string& as_string() const { return get<std::string>(kind::string); }
    std::string& as_string() { return get<std::string>(kind::string); }
    const troupe::bytes& as_bytes() const { return get<troupe::bytes>(kind::bytes); }
    troupe::bytes& as_bytes() { return get<troupe::bytes>(kind::bytes); }
    const array& as_array() const { return get<array>(kind::array); }
    array& as_array() { return get<array>(kind::array); }
    const map& as_map() const { return get<map>(kind::map); }
    map& as_map() { return get<map>(kind::map); }

    // Non-throwing accessors: nullptr when the kind differs.
    const bool* if_bool() const noexcept { return std::get_if<bool>(&v_); }
    const std::int64_t* if_int64() const noexcept { return std::get_if<std::int64_t>(&v_); }
    const double* if_double() const noexcept { return std::get_if<double>(&v_); }
    const std::string* if_string() const noexcept { return std::get_if<std::string>(&v_); }
    const troupe::bytes* if_bytes() const noexcept { return std::get_if<troupe::bytes>(&v_); }
    const array* if_array() const noexcept { return std::get_if<array>(&v_); }
    array* if_array() noexcept { return std::get_if<array>(&v_); }
    const map* if_map() const noexcept { return std::get_if<map>(&v_); }
    map* if_map() noexcept { return std::get_if<map>(&v_); }

    /// Map lookup: throws if this is not a map or the key is absent.
    const value& at(std::string_view key) const { return as_map().at(key); }
    value& at(std::string_view key) { return as_map().at(key); }
    /// Array element: throws if this is not an array or i is out of range.
    const value& at(std::size_t i) const;
    value& at(std::size_t i);

    friend bool operator==(const value& a, const value& b) { return a.v_ == b.v_; }

    /// A JSON-like rendering for logs and test failures: strings quoted and escaped, bytes
    /// as b"..." with \xNN escapes, nesting past 64 levels shown as "...".
    std::string to_string() const;
    friend std::ostream& operator<<(std::ostream& os, const value& v) {
        return os << v.to_string();
    }

private:
    template <class I>
    static std::int64_t checked_int64(I i) {
        if constexpr (std::is_unsigned_v<I> && sizeof(I) >= sizeof(std::int64_t)) {
            if (i > static_cast<I>(std::numeric_limits<std::int64_t>::max()))
                throw std::out_of_range("troupe::value: " + std::to_string(i) +
                                        " does not fit in int64");
        }
        return static_cast<std::int64_t>(i);
    }

    template <class T>
    const T& get(kind expected) const {
        if (auto* p = std::get_if<T>(&v_)) return *p;
        throw_kind_mismatch(expected);
    }
    template <class T>
    T& get(kind expected) {
        if (auto* p = std::get_if<T>(&v_)) return *p;
        throw_kind_mismatch(expected);
    }
    [[noreturn]] void throw_kind_mismatch(kind expected) const;

    std::variant<std::monostate, bool, std::int64_t, double, std::string, troupe::bytes, array, map>
        v_;
};

inline std::size_t value_map::size() const noexcept {
    return entries_.size();
}
inline bool value_map::empty() const noexcept {
    return entries_.empty();
}
inline value_map::iterator value_map::begin() noexcept {
    return entries_.begin();
}
inline value_map::iterator value_map::end() noexcept {
    return entries_.end();
}
inline value_map::const_iterator value_map::begin() const noexcept {
    return entries_.begin();
}
inline value_map::const_iterator value_map::end() const noexcept {
    return entries_.end();
}
inline void value_map::reserve(std::size_t n) {
    entries_.reserve(n);
}

/// "nil", "bool", "int64", "double", "string", "bytes", "array", "map".
std::string_view to_string(value::kind k) noexcept;

}  // namespace troupe

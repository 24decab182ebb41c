#pragma once
// Which C++ types a description may use as fields, and what each is called in errors.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include <troupe/address.hpp>
#include <troupe/codec/describe.hpp>
#include <troupe/codec/value.hpp>

namespace troupe::codec::detail {

template <class T>
inline constexpr bool is_vector = false;
template <class T, class A>
inline constexpr bool is_vector<std::vector<T, A>> = !std::is_same_v<T, std::byte>;

template <class T>
inline constexpr bool is_string_map = false;
template <class V, class C, class A>
inline constexpr bool is_string_map<std::map<std::string, V, C, A>> = true;
template <class V, class H, class E, class A>
inline constexpr bool is_string_map<std::unordered_map<std::string, V, H, E, A>> = true;

template <class T>
inline constexpr bool is_optional = false;
template <class T>
inline constexpr bool is_optional<std::optional<T>> = true;

template <class T>
concept integer = std::is_integral_v<T> && !std::is_same_v<T, bool>;

template <class T>
constexpr bool is_field_type() {
    if constexpr (std::is_same_v<T, bool> || integer<T> || std::is_floating_point_v<T> ||
                  std::is_same_v<T, std::string> || std::is_same_v<T, troupe::bytes> ||
                  std::is_same_v<T, troupe::value> || std::is_same_v<T, troupe::address> ||
                  described_enum<T> || described_struct<T>)
        return true;
    else if constexpr (is_vector<T> || is_optional<T>)
        return is_field_type<typename T::value_type>();
    else if constexpr (is_string_map<T>)
        return is_field_type<typename T::mapped_type>();
    else
        return false;
}

/// "int32", "uint8": how errors name an integer type.
template <integer I>
constexpr std::string_view integer_name() {
    constexpr bool s = std::is_signed_v<I>;
    switch (sizeof(I)) {
        case 1:
            return s ? "int8" : "uint8";
        case 2:
            return s ? "int16" : "uint16";
        case 4:
            return s ? "int32" : "uint32";
        default:
            return s ? "int64" : "uint64";
    }
}

/// How an error names the type being decoded: its stable name, else the kind of field.
template <class T>
constexpr std::string_view root_name() {
    if constexpr (named_message<T>)
        return message_name<T>();
    else if constexpr (integer<T>)
        return integer_name<T>();
    else if constexpr (std::is_same_v<T, bool>)
        return "bool";
    else if constexpr (std::is_same_v<T, float>)
        return "float";
    else if constexpr (std::is_same_v<T, double>)
        return "double";
    else if constexpr (std::is_same_v<T, std::string>)
        return "string";
    else if constexpr (std::is_same_v<T, troupe::bytes>)
        return "bytes";
    else if constexpr (std::is_same_v<T, troupe::value>)
        return "value";
    else if constexpr (std::is_same_v<T, troupe::address>)
        return "address";
    else if constexpr (is_optional<T>)
        return root_name<typename T::value_type>();  // which may also be nil
    else if constexpr (is_vector<T>)
        return "array";
    else if constexpr (is_string_map<T>)
        return "map";
    else
        return message_name<T>();
}

/// root_name<T>() computed once, at compile time (GCC otherwise parses the type's name at
/// run time, on every decode, for a string only errors use).
template <class T>
inline constexpr std::string_view root_name_v = root_name<T>();

}  // namespace troupe::codec::detail

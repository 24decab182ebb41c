#pragma once
// Message descriptions: a stable name and the fields, written once next to the type. Every
// format (JSON, MessagePack, troupe::value, and so Lua) is driven by it; nobody writes
// per-format code for a type.
//
//   namespace kv {
//   struct SetValue {
//       std::string key;
//       std::int64_t value;
//   };
//   TROUPE_MESSAGE(SetValue, "kv.SetValue", key, value)
//
//   enum class color { red, green, blue };
//   BOOST_DESCRIBE_ENUM(color, red, green, blue)   // enums travel by name
//   }
//
// The fields come from Boost.Describe, so a nested type that never travels on its own only
// needs BOOST_DESCRIBE_STRUCT(point, (), (x, y)); a class with private members uses
// BOOST_DESCRIBE_CLASS inside the class, then TROUPE_MESSAGE_NAME(T, "name") next to it.
// Members inherited from described bases are included. The macros go in the type's own
// namespace, after the type.
//
// Field types: bool, integers, float, double, std::string, troupe::bytes, std::vector,
// std::map / std::unordered_map with std::string keys, std::optional, described enums,
// described structs, troupe::value and troupe::address.

#include <string_view>
#include <type_traits>

#include <boost/describe/class.hpp>
#include <boost/describe/enum.hpp>
#include <boost/describe/enumerators.hpp>
#include <boost/describe/members.hpp>
#include <boost/describe/modifiers.hpp>
#include <boost/mp11/algorithm.hpp>

#include <troupe/detail/type_id.hpp>

/// Gives type T the stable name `name` (a string literal), found by argument-dependent
/// lookup; use it beside BOOST_DESCRIBE_CLASS for a class with private members.
#define TROUPE_MESSAGE_NAME(T, name)                                                     \
    [[maybe_unused]] inline constexpr ::std::string_view troupe_message_name(const T*) { \
        return name;                                                                     \
    }

/// Describes struct T: its stable name (a string literal) and its public fields.
#define TROUPE_MESSAGE(T, name, ...)            \
    BOOST_DESCRIBE_STRUCT(T, (), (__VA_ARGS__)) \
    TROUPE_MESSAGE_NAME(T, name)

namespace troupe::codec {

/// A type with a stable name (TROUPE_MESSAGE or TROUPE_MESSAGE_NAME).
template <class T>
concept named_message = requires(const T* p) {
    { troupe_message_name(p) } -> std::convertible_to<std::string_view>;
};

/// A class or struct whose fields are described.
template <class T>
concept described_struct = std::is_class_v<T> && boost::describe::has_describe_members<T>::value;

/// An enum whose enumerators are described (BOOST_DESCRIBE_ENUM).
template <class T>
concept described_enum = std::is_enum_v<T> && boost::describe::has_describe_enumerators<T>::value;

/// The fields a codec reads and writes: public, protected and private, inherited ones too.
template <class T>
using fields_of = boost::describe::describe_members<T, boost::describe::mod_any_access |
                                                           boost::describe::mod_inherited>;

/// The stable name of a named message; for other types, the C++ name (used in errors).
template <class T>
constexpr std::string_view message_name() {
    if constexpr (named_message<T>)
        return troupe_message_name(static_cast<const T*>(nullptr));
    else
        return troupe::detail::type_name<T>();
}

}  // namespace troupe::codec

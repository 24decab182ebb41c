#pragma once
// Compile-time identity and readable names for message types.
//
// A type id is the address of a per-type constant, so comparing two ids is one pointer
// compare; names come from the compiler's pretty function and are used in logs and errors.

#include <string_view>

namespace troupe::detail {

template <class T>
constexpr std::string_view type_name() noexcept {
    std::string_view p = __PRETTY_FUNCTION__;  // "... type_name() [with T = foo; ...]"
    auto start = p.find("T = ");
    if (start == std::string_view::npos) return p;
    start += 4;
    auto end = p.find_first_of(";]", start);
    return p.substr(start, end - start);
}

struct type_info_t {
    std::string_view name;
    /// True for the runtime's own messages (see system_messages.hpp).
    bool internal = false;
};

/// Specialised to true for the runtime's own message types.
template <class T>
inline constexpr bool is_internal_message = false;

template <class T>
inline constexpr type_info_t type_info_for{type_name<T>(), is_internal_message<T>};

using type_id = const type_info_t*;

template <class T>
constexpr type_id type_id_of() noexcept {
    return &type_info_for<T>;
}

}  // namespace troupe::detail

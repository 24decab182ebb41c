#pragma once
// Lua values <-> troupe::value, exactly:
//
//   Lua                          value
//   nil                          nil
//   boolean                      bool
//   integer (1)                  int64
//   float (1.0)                  double      (1 and 1.0 stay apart both ways)
//   string, valid UTF-8          string
//   string, other bytes          bytes       (bytes come back as a Lua string)
//   table with keys 1..n         array       (an empty array comes back marked, see below)
//   table with string keys       map
//   ctx.array(t) / empty array   array       (a table marked as an array keeps its shape)
//   empty table                  map
//
// A table with other keys (a gap, a float, a boolean, a mix of numbers and strings), a
// cycle, nesting deeper than 64 levels, a function, a userdata or a thread cannot be
// converted: the error names the path, "msg.items[2]: a function cannot be sent".
//
// For set-up functions and hosts that bind their own C functions.

#include <cstddef>
#include <string_view>

#include <troupe/codec/value.hpp>
#include <troupe/error.hpp>

struct lua_State;

namespace troupe::lua {

/// Pushes `v` onto the stack. It allocates, so it may raise a Lua memory error: call it
/// where Lua errors are caught (a C function called by Lua, or under lua_pcall).
void push(lua_State* L, const value& v);

/// The Lua value at `index` as a value. Never raises a Lua error. `path` names the value in
/// errors ("msg", "reply"); errors are errc::bad_message.
result<value> to_value(lua_State* L, int index, std::string_view path = "value",
                       std::size_t max_depth = 64);

/// As above, within an output budget: the value may take at most `bytes_left` bytes of C++
/// memory (an estimate: strings, keys and a value's own size), and what it took is taken
/// from `bytes_left`. For C functions that send what a script gives them, so that a
/// script cannot make C++ copy more than it could hold itself.
result<value> to_value(lua_State* L, int index, std::size_t& bytes_left,
                       std::string_view path = "value", std::size_t max_depth = 64);

/// Marks the table at `index` as an array (what ctx.array does). Raises on memory errors.
void mark_array(lua_State* L, int index);

}  // namespace troupe::lua

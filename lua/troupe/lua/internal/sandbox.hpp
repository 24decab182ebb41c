#pragma once
// The sandbox every script VM starts in: basic functions without dofile and loadfile,
// load() restricted to text chunks (binary chunks bypass Lua's checks), print() into the
// actor's log, and the coroutine, string, table, math and utf8 libraries. os, io, debug and
// package only when the script grants them.

#include <troupe/lua/detail/script_data.hpp>

struct lua_State;

namespace troupe::lua::internal {

/// Opens the sandbox in L's globals. Raises Lua errors (memory): call under protection.
void open_sandbox(lua_State* L, const detail::script_data& settings);

}  // namespace troupe::lua::internal

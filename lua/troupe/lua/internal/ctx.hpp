#pragma once
// The ctx table a script sees (ctx.cpp).

#include <cstddef>

struct lua_State;

namespace troupe::lua::internal {

/// Creates the ctx table (functions, ctx.state, ctx.self), sets it as the global `ctx` and
/// leaves it on the stack. Raises Lua errors (memory): call under protection.
void open_ctx(lua_State* L);

/// Counts `bytes` of log text against what the run may send (see vm::output_left); raises
/// naming `fn` past it.
void charge_log(lua_State* L, std::size_t bytes, const char* fn);

}  // namespace troupe::lua::internal

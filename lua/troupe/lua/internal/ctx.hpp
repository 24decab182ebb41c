#pragma once
// The ctx table a script sees (ctx.cpp).

struct lua_State;

namespace troupe::lua::internal {

/// Creates the ctx table (functions, ctx.state, ctx.self), sets it as the global `ctx` and
/// leaves it on the stack. Raises Lua errors (memory): call under protection.
void open_ctx(lua_State* L);

}  // namespace troupe::lua::internal

#include <cstdint>
#include <string>
#include <string_view>

#include <lua.hpp>

#include <troupe/lua/internal/ctx.hpp>
#include <troupe/lua/internal/sandbox.hpp>
#include <troupe/lua/internal/vm.hpp>

namespace troupe::lua::internal {

namespace {

/// Calls the function this closure wraps (upvalue 1) with every argument on the stack, and
/// returns its results, `nresults` of them (LUA_MULTRET: all).
int call_wrapped(lua_State* L, int nresults) {
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, nresults);
    return lua_gettop(L);
}

/// load() failing as load does: nil and the message.
int refuse_binary(lua_State* L) {
    luaL_pushfail(L);
    lua_pushliteral(L,
                    "load: binary chunks are not allowed in the sandbox (they bypass Lua's "
                    "checks); load source text");
    return 2;
}

/// load() with mode forced to "t"; the original load is upvalue 1. A binary chunk, or a
/// mode that asks for one ("b", "bt"), fails as any load does: nil and a message.
int text_only_load(lua_State* L) {
    int n = lua_gettop(L);
    if (n >= 3 && !lua_isnil(L, 3)) {
        const char* mode = luaL_checkstring(L, 3);
        if (std::string_view{mode}.find('b') != std::string_view::npos) return refuse_binary(L);
    }
    if (lua_type(L, 1) == LUA_TSTRING) {
        std::size_t len = 0;
        const char* chunk = lua_tolstring(L, 1, &len);
        constexpr std::string_view signature{LUA_SIGNATURE};
        if (std::string_view{chunk, len}.starts_with(signature)) return refuse_binary(L);
    }
    bool has_env = n >= 4;  // load uses env only if the argument is present
    lua_settop(L, 4);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_pushvalue(L, 1);
    lua_pushvalue(L, 2);
    lua_pushliteral(L, "t");
    if (has_env) lua_pushvalue(L, 4);
    lua_call(L, has_env ? 4 : 3, LUA_MULTRET);
    return lua_gettop(L) - 4;
}

/// loadfile() with mode forced to "t" (granted with io); the original is upvalue 1.
int text_only_loadfile(lua_State* L) {
    int n = lua_gettop(L);
    if (n >= 2 && !lua_isnil(L, 2)) {
        const char* mode = luaL_checkstring(L, 2);
        if (std::string_view{mode}.find('b') != std::string_view::npos) return refuse_binary(L);
    }
    bool has_env = n >= 3;
    lua_settop(L, 3);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_pushvalue(L, 1);
    lua_pushliteral(L, "t");
    if (has_env) lua_pushvalue(L, 3);
    lua_call(L, has_env ? 3 : 2, LUA_MULTRET);
    return lua_gettop(L) - 3;
}

int dofile_done(lua_State* L, int, lua_KContext) {
    return lua_gettop(L) - 1;
}

/// dofile() of source text only (granted with io).
int text_only_dofile(lua_State* L) {
    const char* name = luaL_optstring(L, 1, nullptr);
    lua_settop(L, 1);
    if (luaL_loadfilex(L, name, "t") != LUA_OK) return lua_error(L);
    lua_callk(L, 0, LUA_MULTRET, 0, &dofile_done);
    return dofile_done(L, LUA_OK, 0);
}

// --- what runs outside the instruction limit --------------------------------------------
// Lua runs two kinds of script code with hooks off, where the count hook (vm.cpp) cannot
// stop a loop: a message handler called for an error the hook itself raised (the budget
// error; Lua calls the handler from inside the hook), and __gc finalizers. So xpcall skips
// the script's handler for that error, and setmetatable refuses __gc.

/// xpcall's message handler, around the script's (upvalue 1).
int guarded_handler(lua_State* L) {
    // Once the budget is spent the count hook fires at every instruction (count 1): this
    // error came from the hook, and the script's handler would run unhooked. Pass the
    // error on unchanged; the run fails anyway.
    if (lua_gethook(L) != nullptr && (lua_gethookmask(L) & LUA_MASKCOUNT) != 0 &&
        lua_gethookcount(L) == 1) {
        return 1;
    }
    return call_wrapped(L, 1);
}

int xpcall_done(lua_State* L, int, lua_KContext) {
    return lua_gettop(L);
}

/// xpcall(f, msgh, ...) with msgh guarded; the original xpcall is upvalue 1.
int guarded_xpcall(lua_State* L) {
    luaL_checktype(L, 2, LUA_TFUNCTION);
    lua_pushvalue(L, 2);
    lua_pushcclosure(L, &guarded_handler, 1);
    lua_replace(L, 2);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_callk(L, lua_gettop(L) - 1, LUA_MULTRET, 0, &xpcall_done);
    return xpcall_done(L, LUA_OK, 0);
}

/// setmetatable without finalizers; the original is upvalue 1.
int no_gc_setmetatable(lua_State* L) {
    if (lua_type(L, 2) == LUA_TTABLE) {
        lua_pushliteral(L, "__gc");
        if (lua_rawget(L, 2) != LUA_TNIL) {
            return luaL_error(L,
                              "setmetatable: __gc is not allowed in the sandbox (a finalizer "
                              "runs outside the instruction limit)");
        }
        lua_pop(L, 1);
    }
    lua_settop(L, 2);
    return call_wrapped(L, 1);
}

// The count hook raises its error from inside a hook, and Lua leaves hooks off in a
// coroutine that dies of it. Closing such a coroutine would run the __close metamethods of
// its to-be-closed variables with no instruction limit: coroutine.close and the functions
// coroutine.wrap makes leave them unclosed (the run fails anyway).

/// coroutine.close(co); the original is upvalue 1.
int guarded_close(lua_State* L) {
    luaL_checktype(L, 1, LUA_TTHREAD);
    lua_State* co = lua_tothread(L, 1);
    int status = lua_status(co);
    if (status != LUA_OK && status != LUA_YIELD && vm::stopped_by_budget(L, 1)) {
        lua_pushboolean(L, 0);  // as close answers for a coroutine that failed
        auto why = vm::of(L).budget_message() + " (its to-be-closed variables were not closed)";
        lua_pushlstring(L, why.data(), why.size());
        return 2;
    }
    return call_wrapped(L, LUA_MULTRET);
}

// A new coroutine starts its own instruction count: without a charge up front, coroutines
// that each run fewer instructions than the count hook's period would never be counted.

/// coroutine.create(f); the original is upvalue 1.
int charged_create(lua_State* L) {
    luaL_checktype(L, 1, LUA_TFUNCTION);
    vm::charge_thread(L);
    lua_settop(L, 1);
    return call_wrapped(L, 1);
}

/// What coroutine.wrap returns: upvalue 1 is the coroutine, 2 coroutine.resume.
int wrapped_call(lua_State* L) {
    lua_State* co = lua_tothread(L, lua_upvalueindex(1));
    lua_pushvalue(L, lua_upvalueindex(2));
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_rotate(L, 1, 2);
    lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
    if (lua_toboolean(L, 1)) return lua_gettop(L) - 1;  // its results, after the true
    lua_settop(L, 2);                                   // false, the error object
    int status = lua_status(co);
    if (status != LUA_OK && status != LUA_YIELD && !vm::stopped_by_budget(L, lua_upvalueindex(1))) {
        status = lua_resetthread(co);  // closes its to-be-closed variables
        lua_xmove(co, L, 1);           // the error, which a __close may have replaced
    }
    // As the error of a wrapped function reads in Lua: where it was called from, first.
    if (status != LUA_ERRMEM && lua_type(L, -1) == LUA_TSTRING) {
        luaL_where(L, 1);
        lua_insert(L, -2);
        lua_concat(L, 2);
    }
    return lua_error(L);
}

/// coroutine.wrap(f); coroutine.resume is upvalue 1.
int guarded_wrap(lua_State* L) {
    luaL_checktype(L, 1, LUA_TFUNCTION);
    vm::charge_thread(L);
    lua_State* co = lua_newthread(L);
    lua_pushvalue(L, 1);
    lua_xmove(L, co, 1);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_pushcclosure(L, &wrapped_call, 2);
    return 1;
}

/// string.rep(s, n [, sep]); the original is upvalue 1. Its buffer is taken without Lua's
/// collect-and-retry, so garbage could fail it under the memory limit: room is made first.
int roomy_rep(lua_State* L) {
    std::size_t len = 0, sep = 0;
    luaL_checklstring(L, 1, &len);
    lua_Integer n = luaL_checkinteger(L, 2);
    luaL_optlstring(L, 3, "", &sep);
    if (n > 0 && len + sep > 0) {
        auto count = static_cast<std::uint64_t>(n);
        auto per = static_cast<std::uint64_t>(len + sep);
        if (count <= UINT64_MAX / per)
            vm::of(L).make_room(L, static_cast<std::size_t>(count * per));
    }
    return call_wrapped(L, 1);
}

/// print(...) into the actor's log, at info level, tab-separated as Lua's print.
int log_print(lua_State* L) {
    int n = lua_gettop(L);
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    for (int i = 1; i <= n; ++i) {
        if (i > 1) luaL_addchar(&b, '\t');
        luaL_tolstring(L, i, nullptr);
        luaL_addvalue(&b);
    }
    luaL_pushresult(&b);
    std::size_t len = 0;
    const char* text = lua_tolstring(L, -1, &len);
    charge_log(L, len, "print");
    vm::of(L).log(log_level::info, std::string_view{text, len});
    return 0;
}

void require(lua_State* L, const char* name, lua_CFunction open) {
    luaL_requiref(L, name, open, 1);
    lua_pop(L, 1);
}

}  // namespace

void open_sandbox(lua_State* L, const detail::script_data& settings) {
    require(L, LUA_GNAME, luaopen_base);
    require(L, LUA_COLIBNAME, luaopen_coroutine);
    require(L, LUA_STRLIBNAME, luaopen_string);
    require(L, LUA_TABLIBNAME, luaopen_table);
    require(L, LUA_MATHLIBNAME, luaopen_math);
    require(L, LUA_UTF8LIBNAME, luaopen_utf8);
    if (settings.grants(library::os)) require(L, LUA_OSLIBNAME, luaopen_os);
    if (settings.grants(library::io)) require(L, LUA_IOLIBNAME, luaopen_io);
    if (settings.grants(library::debug)) require(L, LUA_DBLIBNAME, luaopen_debug);
    if (settings.grants(library::package)) require(L, LUA_LOADLIBNAME, luaopen_package);

    // dofile and loadfile read files: only with io, and only source text (a binary chunk
    // written with io.open would bypass Lua's checks as much as one given to load).
    if (settings.grants(library::io)) {
        lua_getglobal(L, "loadfile");
        lua_pushcclosure(L, &text_only_loadfile, 1);
        lua_setglobal(L, "loadfile");
        lua_pushcfunction(L, &text_only_dofile);
    } else {
        lua_pushnil(L);
        lua_setglobal(L, "loadfile");
        lua_pushnil(L);
    }
    lua_setglobal(L, "dofile");
    lua_getglobal(L, "load");
    lua_pushcclosure(L, &text_only_load, 1);
    lua_setglobal(L, "load");
    lua_getglobal(L, "xpcall");
    lua_pushcclosure(L, &guarded_xpcall, 1);
    lua_setglobal(L, "xpcall");
    lua_getglobal(L, "setmetatable");
    lua_pushcclosure(L, &no_gc_setmetatable, 1);
    lua_setglobal(L, "setmetatable");
    lua_pushcfunction(L, &log_print);
    lua_setglobal(L, "print");
    lua_getglobal(L, LUA_STRLIBNAME);
    lua_getfield(L, -1, "rep");
    lua_pushcclosure(L, &roomy_rep, 1);
    lua_setfield(L, -2, "rep");
    lua_pop(L, 1);
    lua_getglobal(L, LUA_COLIBNAME);
    lua_getfield(L, -1, "close");
    lua_pushcclosure(L, &guarded_close, 1);
    lua_setfield(L, -2, "close");
    lua_getfield(L, -1, "resume");
    lua_pushcclosure(L, &guarded_wrap, 1);
    lua_setfield(L, -2, "wrap");
    lua_getfield(L, -1, "create");
    lua_pushcclosure(L, &charged_create, 1);
    lua_setfield(L, -2, "create");
    lua_pop(L, 1);
}

}  // namespace troupe::lua::internal

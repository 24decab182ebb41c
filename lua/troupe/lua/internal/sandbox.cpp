#include <string>

#include <lua.hpp>

#include <troupe/lua/internal/sandbox.hpp>
#include <troupe/lua/internal/vm.hpp>

namespace troupe::lua::internal {

namespace {

/// load() with mode forced to "t"; the original load is upvalue 1.
int text_only_load(lua_State* L) {
    int n = lua_gettop(L);
    if (n >= 3 && !lua_isnil(L, 3)) {
        const char* mode = luaL_checkstring(L, 3);
        if (std::string_view{mode}.find('b') != std::string_view::npos) {
            return luaL_error(L,
                              "load: binary chunks are not allowed in the sandbox (mode '%s'); "
                              "load source text",
                              mode);
        }
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

    // dofile and loadfile read files: only with io.
    if (!settings.grants(library::io)) {
        lua_pushnil(L);
        lua_setglobal(L, "dofile");
        lua_pushnil(L);
        lua_setglobal(L, "loadfile");
    }
    lua_getglobal(L, "load");
    lua_pushcclosure(L, &text_only_load, 1);
    lua_setglobal(L, "load");
    lua_pushcfunction(L, &log_print);
    lua_setglobal(L, "print");
}

}  // namespace troupe::lua::internal

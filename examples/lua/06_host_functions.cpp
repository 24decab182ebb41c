// 06_host_functions: what a script may use. The sandbox opens the safe libraries only; a
// builder grants more (os, io, debug, package) and adds the host's own functions and
// values with setup(), which runs in each new VM before any script.
#include <chrono>
#include <iostream>

#include <lua.hpp>

#include <troupe/lua/convert.hpp>
#include <troupe/lua/script_actor.hpp>
#include <troupe/troupe.hpp>

namespace lua = troupe::lua;
using namespace std::chrono_literals;

// A host function, as Lua's C API has them: arguments on the stack, results pushed.
int fahrenheit(lua_State* L) {
    lua_Number celsius = luaL_checknumber(L, 1);  // a wrong argument raises a Lua error
    lua_pushnumber(L, celsius * 9 / 5 + 32);
    return 1;
}

void add_host_functions(lua_State* L) {
    lua_pushcfunction(L, &fahrenheit);
    lua_setglobal(L, "fahrenheit");
    // A value becomes a Lua table with lua::push (the same mapping as messages).
    lua::push(L, troupe::value::map{{"site", "greenhouse"}, {"alarm_above", 30}});
    lua_setglobal(L, "config");
}

int main() {
    troupe::node node;
    const char* handle = R"(
        local c = ctx.msg
        local verdict = c > config.alarm_above and "alarm" or "ok"
        return string.format("%s: %d C = %.1f F, %s", config.site, c, fahrenheit(c), verdict)
    )";
    lua::script sensor = lua::builder{}.on_handle(handle).setup(add_host_functions).build().value();
    auto a = node.spawn<lua::script_actor>(sensor).value();
    for (int c : {21, 35})
        std::cout << a.ask(troupe::value{c}, 1s).get().value().as_string() << "\n";

    // What the sandbox leaves out, and what a grant adds.
    const char* probe = "return type(os) .. ' ' .. type(io) .. ' ' .. type(dofile)";
    lua::script plain = lua::builder{}.on_handle(probe).build().value();
    lua::script with_os = lua::builder{}.on_handle(probe).grant(lua::library::os).build().value();
    for (const auto& [label, s] : {std::pair{"sandbox", plain}, std::pair{"grant(os)", with_os}}) {
        auto probe_actor = node.spawn<lua::script_actor>(s).value();
        std::cout << label << ": os io dofile = "
                  << probe_actor.ask(troupe::value{}, 1s).get().value().as_string() << "\n";
    }
}

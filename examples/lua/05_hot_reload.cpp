// 05_hot_reload: new scripts for a running Lua actor, without a restart. keep_state keeps
// ctx.state (and the globals); fresh_state starts over and runs the new started script.
// A reload that fails leaves the old scripts running.
#include <chrono>
#include <iostream>

#include <troupe/lua/script_actor.hpp>
#include <troupe/troupe.hpp>

namespace lua = troupe::lua;
using namespace std::chrono_literals;

int main() {
    troupe::node node;
    lua::builder base = lua::builder{}.on_started("ctx.state.total = 0");

    lua::script v1 = lua::builder{base}
                         .on_handle(
                             "ctx.state.total = ctx.state.total + ctx.msg\n"
                             "return ctx.state.total")
                         .build()
                         .value();
    auto sum = node.spawn<lua::script_actor>(v1).value();
    auto add = [&](int n) { return sum.ask(troupe::value{n}, 1s).get().value(); };
    std::cout << "v1: +5 -> " << add(5) << ", +10 -> " << add(10) << "\n";

    // v2 doubles what it adds; the total so far stays.
    lua::script v2 = lua::builder{base}
                         .on_handle(
                             "ctx.state.total = ctx.state.total + 2 * ctx.msg\n"
                             "return ctx.state.total")
                         .build()
                         .value();
    (void)sum.ask(lua::reload{v2, lua::reload_mode::keep_state}, 1s).get().value();
    std::cout << "v2, state kept: +5 -> " << add(5) << "\n";

    // fresh_state: a new ctx.state, and the new started runs.
    (void)sum.ask(lua::reload{v2, lua::reload_mode::fresh_state}, 1s).get().value();
    std::cout << "v2, fresh state: +5 -> " << add(5) << "\n";

    // A new started that fails: the reload fails, the running scripts and state stay.
    lua::script v3 = lua::builder{base}.on_started("error('no config')").build().value();
    auto failed = sum.ask(lua::reload{v3, lua::reload_mode::fresh_state}, 1s).get();
    std::cout << "v3: " << failed.error().message() << "\n";
    std::cout << "still v2: +1 -> " << add(1) << "\n";
}

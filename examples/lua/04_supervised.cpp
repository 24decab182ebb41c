// 04_supervised: a Lua actor under a supervisor, like any worker. One message sends the
// script into an endless loop; its instruction limit stops it, the actor fails with a
// clear reason, and the supervisor starts a new one from the same script.
#include <chrono>
#include <iostream>

#include <troupe/lua/script_actor.hpp>
#include <troupe/troupe.hpp>

namespace lua = troupe::lua;
using namespace std::chrono_literals;

int main() {
    troupe::node node;

    lua::script rules = lua::builder{}
                            .on_started("ctx.state.served = 0")
                            .on_handle(R"(
                                if ctx.msg == "spin" then
                                    while true do end  -- a runaway script
                                end
                                ctx.state.served = ctx.state.served + 1
                                return "served " .. ctx.state.served
                            )")
                            .limits({.memory = 1 << 20, .instructions = 100'000})
                            .build()
                            .value();

    troupe::spawn_options opts;
    opts.register_as = "rules";  // each restart registers the name again
    troupe::supervisor_spec spec{
        .max_restarts = 3,
        .period = 5s,
        .children = {troupe::child_spec::worker_with<lua::script_actor>("rules", opts, rules)}};
    auto sup = troupe::start_supervisor(node, spec).get().value();

    troupe::address first = node.whereis("rules").value();
    std::cout << "rules at " << first.to_string() << ": "
              << node.ask<troupe::value>(first, troupe::value{"hi"}, 1s).get().value() << "\n";

    auto crashed = node.wait(first);
    auto spun = node.ask<troupe::value>(first, troupe::value{"spin"}, 1s).get();
    std::cout << "spin: " << spun.error().message() << "\n";
    std::cout << "exit reason: " << std::move(crashed).get().value().to_string() << "\n";

    // The supervisor has started a new actor (a new VM: started ran again).
    troupe::address second = sup.which_children().get().value().at(0).addr;
    std::cout << "restarted at " << second.to_string() << ": "
              << node.ask<troupe::value>(second, troupe::value{"hi"}, 1s).get().value() << "\n";

    sup.stop();
    std::cout << "supervisor stopped: " << sup.wait().get().value().to_string() << "\n";
}

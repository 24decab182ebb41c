// 01_hello: a Lua actor in three lines, and a Lua actor that asks another actor and waits
// for its reply with ctx.send (the two classic actix-lua examples).
#include <chrono>
#include <iostream>
#include <string>

#include <troupe/lua/script_actor.hpp>
#include <troupe/troupe.hpp>

namespace lua = troupe::lua;
using namespace std::chrono_literals;

// A C++ actor that takes dynamic values: what a script's ctx.send reaches.
struct callback : troupe::actor<callback, troupe::value> {
    troupe::value handle(const troupe::value& msg) {
        std::cout << "callback got " << msg << "\n";
        return "hello back to " + msg.as_string();
    }
};

int main() {
    troupe::node node;

    // The handle script runs for each message: ctx.msg is the message, what it returns is
    // the reply.
    lua::script adder = lua::builder{}.on_handle("return ctx.msg + 42").build().value();
    auto a = node.spawn<lua::script_actor>(adder).value();
    std::cout << "100 + 42 = " << a.ask(troupe::value{100}, 1s).get().value() << "\n";

    // ctx.send asks a recipient and suspends the script until the reply comes.
    auto cb = node.spawn<callback>().value();
    lua::script caller = lua::builder{}
                             .on_handle(R"(
                                 local reply = ctx.send("callback", ctx.msg)
                                 return "the callback said: " .. reply
                             )")
                             .add_recipient("callback", cb.addr())
                             .build()
                             .value();
    auto b = node.spawn<lua::script_actor>(caller).value();
    std::cout << b.ask(troupe::value{"lua"}, 1s).get().value().as_string() << "\n";

    // A mistake in a script is an error value, not a crash: build() checks the syntax.
    auto broken = lua::builder{}.on_handle("return ctx.msg +").build();
    std::cout << "build: " << broken.error().message() << "\n";
}

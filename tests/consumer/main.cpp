// Uses only the installed public API: proves the package is self-contained.
#include <cstdio>

#include <troupe/codec/json.hpp>
#include <troupe/lua/script_actor.hpp>
#include <troupe/troupe.hpp>

struct add {
    int a, b;
};
TROUPE_MESSAGE(add, "consumer.Add", a, b)

struct adder : troupe::actor<adder, add> {
    int handle(const add& m) { return m.a + m.b; }
};

int main() {
    troupe::node node;
    auto a = node.spawn<adder>().value();
    auto r = a.ask(add{20, 22}, std::chrono::seconds(5)).get();
    auto text = troupe::codec::json::encode(add{20, 22}).value();
    auto back = troupe::codec::json::decode<add>(text).value();
    auto script = troupe::lua::builder{}.on_handle("return ctx.msg * 2").build().value();
    auto doubler = node.spawn<troupe::lua::script_actor>(script).value();
    auto twice = doubler.ask(troupe::value{21}, std::chrono::seconds(5)).get().value();
    std::printf("consumer: %d, %s, lua %s\n", r.value(), text.c_str(), twice.to_string().c_str());
    return r.value() == 42 && back.a == 20 && back.b == 22 && twice == troupe::value{42} ? 0 : 1;
}

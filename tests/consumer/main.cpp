// Uses only the installed public API: proves the package is self-contained.
#include <cstdio>

#include <troupe/codec/json.hpp>
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
    std::printf("consumer: %d, %s\n", r.value(), text.c_str());
    return r.value() == 42 && back.a == 20 && back.b == 22 ? 0 : 1;
}

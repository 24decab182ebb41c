// Uses only the installed public API: proves the package is self-contained.
#include <cstdio>

#include <troupe/troupe.hpp>

struct add {
    int a, b;
};

struct adder : troupe::actor<adder, add> {
    int handle(const add& m) { return m.a + m.b; }
};

int main() {
    troupe::node node;
    auto a = node.spawn<adder>().value();
    auto r = a.ask(add{20, 22}, std::chrono::seconds(5)).get();
    std::printf("consumer: %d\n", r.value());
    return r.value() == 42 ? 0 : 1;
}

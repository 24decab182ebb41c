// expect: has no handle\(\) member that takes it
// Listing a message type without a handler for it is caught when the actor is spawned.
#include <troupe/actor.hpp>

struct add {
    int a, b;
};
struct sub {
    int a, b;
};

struct adder : troupe::actor<adder, add, sub> {
    int handle(const add& m) { return m.a + m.b; }
};

void misuse(troupe::node& n) {
    (void)n.spawn<adder>();
}

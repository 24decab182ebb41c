// expect: troupe: this actor does not handle this message type
// A ref<A> only accepts the message types A lists: telling it anything else must not compile.
#include <troupe/actor.hpp>

struct add {
    int a, b;
};
struct unrelated {};

struct adder : troupe::actor<adder, add> {
    int handle(const add& m) { return m.a + m.b; }
};

void misuse(troupe::ref<adder> a) {
    a.tell(unrelated{});
}

// expect: a concurrent<T> handler must be const
// A concurrent handler runs beside other handlers, so it may only read the actor.
#include <troupe/actor.hpp>

struct fib {
    int n;
};

struct fibber : troupe::actor<fibber, fib> {
    int calls = 0;
    troupe::concurrent<int> handle(fib f) {
        ++calls;
        co_return f.n;
    }
};

void misuse(troupe::node& n) {
    (void)n.spawn<fibber>();
}

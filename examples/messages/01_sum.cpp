// 01_sum: the smallest troupe program. An actor with one handler that adds two numbers;
// the main thread asks it and blocks on the reply with .get().
#include <chrono>
#include <cstdio>

#include <troupe/troupe.hpp>

using namespace std::chrono_literals;

// A message is any movable type.
struct sum {
    int a, b;
};

// An actor lists the message types it handles and has one handle() per type. The return
// type is the reply: ask() on a `sum` gives an int.
struct calculator : troupe::actor<calculator, sum> {
    int handle(const sum& m) { return m.a + m.b; }
};

int main() {
    troupe::node node;  // worker threads, timers, the table of actors
    troupe::ref<calculator> calc = node.spawn<calculator>().value();

    // ask() starts the request and returns a pending<int>; .get() blocks this thread until
    // the reply (or an error: timeout, actor gone, handler failed) is there.
    troupe::result<int> reply = calc.ask(sum{22, 20}, 1s).get();
    if (!reply) {
        std::printf("ask failed: %s\n", reply.error().message().c_str());
        return 1;
    }
    std::printf("22 + 20 = %d\n", reply.value());
}

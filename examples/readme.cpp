#include <chrono>
#include <cstdio>

#include <troupe/troupe.hpp>

using namespace std::chrono_literals;

struct increment {};  // messages are plain movable types
struct get {};

struct counter : troupe::actor<counter, increment, get> {
    int n = 0;
    void handle(increment) { ++n; }  // returns void: send it with tell
    int handle(get) { return n; }    // returns int: ask it and get an int back
};

int main() {
    troupe::node node;  // worker threads, timers, names
    auto c = node.spawn<counter>().value();
    c.tell(increment{});
    c.tell(increment{});
    std::printf("count = %d\n", c.ask(get{}, 1s).get().value());  // count = 2
}

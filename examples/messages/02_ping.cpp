// 02_ping: an actor that echoes what it is sent. The message is a plain `int` (any movable
// type will do), and the program stops the actor and waits for its exit, as the `messages`
// crate's Ping example does with stop() and wait_for_stop().
#include <chrono>
#include <cstdio>

#include <troupe/troupe.hpp>

using namespace std::chrono_literals;

struct ping : troupe::actor<ping, int> {
    int handle(int n) { return n; }
};

int main() {
    troupe::node node;
    auto p = node.spawn<ping>().value();
    std::printf("ping %s replied %d\n", p.addr().to_string().c_str(), p.ask(42, 1s).get().value());

    // A graceful stop, then wait for the exit: the result is the exit reason.
    troupe::result<troupe::exit_reason> exit = p.stop_and_wait(1s).get();
    std::printf("ping exited: %s\n", exit.value().to_string().c_str());

    // The ref still names the actor, but it is gone: an ask now fails at once.
    auto late = p.ask(42, 1s).get();
    std::printf("ask after the exit: %s\n", late ? "replied?!" : late.error().message().c_str());
}

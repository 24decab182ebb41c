// 03_notify: a notify-only handler (it returns void, so `tell` is the way to send: no reply)
// and how to observe its effect: messages from one sender arrive in order, so an ask sent
// after the tells is answered after they were handled. Also the callback way to wait.
#include <chrono>
#include <cstdio>
#include <future>

#include <troupe/troupe.hpp>

using namespace std::chrono_literals;

struct increment {
    int by = 1;
};
struct get_count {};

struct counter : troupe::actor<counter, increment, get_count> {
    int count = 0;
    void handle(const increment& m) { count += m.by; }  // void: nothing to reply
    int handle(get_count) { return count; }
};

int main() {
    troupe::node node;
    auto c = node.spawn<counter>().value();

    // tell returns at once; the messages are handled later, in send order.
    c.tell(increment{});
    c.tell(increment{});
    c.tell(increment{5});
    std::printf("told 3 increments; count = %d\n", c.ask(get_count{}, 1s).get().value());

    // A void handler can still be asked: the reply is result<void>, ready once it has run.
    troupe::result<void> done = c.ask(increment{10}, 1s).get();
    std::printf("asked an increment: %s; count = %d\n", done ? "done" : "failed",
                c.ask(get_count{}, 1s).get().value());

    // The third way to wait (after .get() and co_await): a callback. Called from a plain
    // thread, it runs on the thread that completes the ask; called inside an actor, it runs
    // later inside that actor.
    std::promise<int> seen;
    c.ask(get_count{}, 1s).then([&seen](troupe::result<int> r) { seen.set_value(r.value()); });
    std::printf("a then() callback saw count = %d\n", seen.get_future().get());
}

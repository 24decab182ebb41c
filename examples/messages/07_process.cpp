// 07_process: a process-style actor (Erlang's receive). The actor is one coroutine that
// receives when it chooses to. receive<T>() takes the oldest T and keeps every other message,
// in order, for later (the stash); receive(timeout) gives nullopt when nothing came in time;
// troupe::visit() matches a message against handlers by their parameter type.
#include <chrono>
#include <cstdio>
#include <string>

#include <troupe/troupe.hpp>

using namespace std::chrono_literals;

struct configure {
    std::string shift;
};
struct job {
    int id;
};
struct urgent {};
struct get_done {};
struct quit {};

troupe::task<> worker(troupe::process& self) {
    // Selective receive: jobs that arrive before the configuration wait in the stash.
    configure cfg = co_await self.receive<configure>();
    std::printf("worker: configured for the %s shift; %zu messages wait in the stash\n",
                cfg.shift.c_str(), self.stashed());

    // Nobody sends `urgent`: after 20ms the receive gives nullopt, and the stash is intact.
    if (!(co_await self.receive<urgent>(20ms))) {
        std::printf("worker: nothing urgent within 20ms; the stash is untouched\n");
    }

    int done = 0;
    for (bool running = true; running;) {
        troupe::message m = co_await self.receive();  // the oldest message of any type
        troupe::visit(
            m,
            [&](const job& j) {
                std::printf("worker: job %d\n", j.id);
                ++done;
            },
            [&](const get_done&) { m.reply(done); },  // answers an ask
            [&](const quit&) { running = false; },
            [&](troupe::message& other) {
                std::printf("worker: ignored a message of type %s\n",
                            std::string{other.type_name()}.c_str());
            });
    }
    std::printf("worker: bye\n");
}  // returning ends the process normally; throwing would end it with error{what}

int main() {
    troupe::node node;
    troupe::ref<troupe::process> w = troupe::spawn_process(node, worker).value();

    w.tell(job{1});
    w.tell(job{2});
    w.tell(3.5);  // a process accepts messages of any type
    w.tell(configure{"night"});

    // A process has no typed handlers, so ask it by address and name the reply type.
    int done = node.ask<int>(w.addr(), get_done{}, 1s).get().value();
    std::printf("main: the worker did %d jobs\n", done);

    w.tell(quit{});
    std::printf("main: the worker exited: %s\n", w.wait().get().value().to_string().c_str());
}

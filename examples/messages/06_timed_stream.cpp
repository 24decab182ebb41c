// 06_timed_stream: a timed stream attached to an actor. troupe::interval() yields 0, 1, 2, ...
// one value every period; attach_stream() delivers each as a message, then stream_end. The
// main thread waits on the stream handle, then asks the actor: no sleeps.
#include <chrono>
#include <cstdint>
#include <cstdio>

#include <troupe/troupe.hpp>

using namespace std::chrono_literals;

struct tick_count {};

struct ticker : troupe::actor<ticker, std::uint64_t, troupe::stream_end, tick_count> {
    int ticks = 0;
    troupe::time_point started;

    // home() (the node) is set once the actor is spawned: use it in hooks, not constructors.
    void on_start() override { started = home().now(); }

    void handle(std::uint64_t tick) {
        ++ticks;
        std::printf("tick %llu\n", static_cast<unsigned long long>(tick));
    }
    void handle(troupe::stream_end end) {
        auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(home().now() - started);
        std::printf("stream %llu ended after %d ticks (%lld ms)\n",
                    static_cast<unsigned long long>(end.id), ticks,
                    static_cast<long long>(ms.count()));
    }
    int handle(tick_count) { return ticks; }
};

int main() {
    troupe::node node;
    auto t = node.spawn<ticker>().value();

    troupe::stream_handle stream = troupe::attach_stream(t, troupe::interval(node, 50ms, 5));

    // The stream's driver exits once it has handed stream_end over, so an ask sent after
    // wait() is handled after stream_end.
    troupe::result<troupe::exit_reason> driver = stream.wait().get();
    int ticks = t.ask(tick_count{}, 1s).get().value();
    std::printf("main: stream driver exited (%s); the ticker counted %d ticks\n",
                driver.value().to_string().c_str(), ticks);
}

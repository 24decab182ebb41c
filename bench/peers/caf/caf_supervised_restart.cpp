// supervised_restart: a supervisor restarts its one child N times, each time the child
// crashes.
//
// CAF 0.17 has no supervisors (no supervision trees, child specs or restart strategies), so
// this is the emulation an application writes: a supervisor actor that spawns its child
// linked (`spawn<linked>`) and traps exits (an exit handler), which is what an Erlang
// supervisor does. On an exit_msg from its current child with an abnormal reason it
// restarts it (one_for_one, one permanent child), after checking the restart intensity as
// Erlang's supervisor does: at most N+1 restarts in 3600 s, the times of the restarts in the
// period kept in a queue (a sliding window, O(1) per restart); past the intensity the
// supervisor would give up, which fails the program. An exit_msg from anyone else (the main
// actor's shutdown) ends it, and its child with it, through the link. Links rather than
// monitors so that, as in Erlang, the child cannot outlive its supervisor.
//
// On each start the child tells the driver (started, itself). The driver, an event-based
// actor, sends the current child `crash`; the child quits with an error (`bench_errc::crash`,
// an application error category); the supervisor restarts it; the driver waits for the next
// `started`, which must come from a new child, and so on N times. The clock starts as the
// main (scoped) actor tells the driver to go, the first child having started, and stops
// when the driver reports the N-th restarted child; the driver's count and the supervisor's
// restart count must both be N.
#include <chrono>
#include <cinttypes>
#include <cstdint>
#include <deque>

#include "caf_bench.hpp"

using namespace caf;
using namespace caf_bench;

namespace caf_bench {

/// The child's crash, an error of the application's own category.
enum class bench_errc : std::uint8_t { crash = 1 };

error make_error(bench_errc x) {
    return {static_cast<std::uint8_t>(x), atom("bench")};
}

}  // namespace caf_bench

namespace {

using started_atom = atom_constant<atom("started")>;
using crash_atom = atom_constant<atom("crash")>;
using ready_atom = atom_constant<atom("ready")>;

behavior child(event_based_actor* self, actor driver) {
    self->send(driver, started_atom::value, actor{self});
    return {
        [=](crash_atom) { self->quit(make_error(bench_errc::crash)); },
    };
}

// CAF 0.17 constructs a state as State(self) when it can, and C++20 lets an aggregate be
// initialised so: a first member of type actor would start as the actor itself. So the
// states' first members are counters.
struct supervisor_state {
    using clock = std::chrono::steady_clock;
    std::uint64_t restarts = 0;
    actor child;
    std::deque<clock::time_point> recent;  // the restarts in the last period
};

behavior supervisor(stateful_actor<supervisor_state>* self, actor driver, std::uint64_t intensity,
                    std::chrono::seconds period) {
    self->set_exit_handler([=](exit_msg& m) {
        auto& st = self->state;
        if (m.source != st.child.address()) {
            self->quit(std::move(m.reason));  // not the child's exit: the supervisor's end
        } else if (m.reason) {                // the child crashed: restart it
            const auto now = supervisor_state::clock::now();
            while (!st.recent.empty() && st.recent.front() < now - period) st.recent.pop_front();
            st.recent.push_back(now);
            if (st.recent.size() > intensity)
                fail("supervised_restart: the supervisor gave up after %" PRIu64 " restarts",
                     st.restarts);
            ++st.restarts;
            st.child = self->spawn<linked>(child, driver);
        }
    });
    self->state.child = self->spawn<linked>(child, driver);
    return {
        [=](count_atom) { return self->state.restarts; },
    };
}

struct driver_state {
    std::uint64_t left = 0;  // restarts still to wait for
    std::uint64_t restarts = 0;
    actor child;  // the current child
};

behavior driver(stateful_actor<driver_state>* self, actor main, std::uint64_t n) {
    self->state.left = n;
    return {
        [=](started_atom, actor& c) {
            auto& st = self->state;
            if (!st.child) {  // the first child: ready before the clock starts
                st.child = std::move(c);
                self->send(main, ready_atom::value);
                return;
            }
            if (c == st.child) fail("supervised_restart: a child said started twice");
            st.child = std::move(c);
            ++st.restarts;
            if (--st.left == 0)
                self->send(main, done_atom::value, st.restarts);
            else
                self->send(st.child, crash_atom::value);
        },
        [=](go_atom) { self->send(self->state.child, crash_atom::value); },
    };
}

}  // namespace

int main(int argc, char** argv) {
    const auto args =
        bench::parse(argc, argv, "caf_supervised_restart [N=10000] [workers=K]", {10000});
    const std::uint64_t n = args.values[0];

    actor_system_config cfg;
    set_workers(cfg, args.workers);
    actor_system sys{cfg};
    const std::size_t workers = sys.scheduler().num_workers();
    scoped_actor self{sys};
    auto d = sys.spawn(driver, actor{self}, n);
    auto sup = sys.spawn(supervisor, d, n + 1, std::chrono::seconds{3600});
    self->receive([](ready_atom) {});

    bench::stopwatch clock;
    clock.start();
    self->send(d, go_atom::value);
    std::uint64_t restarts = 0;
    self->receive([&](done_atom, std::uint64_t k) { restarts = k; });
    const double elapsed = clock.elapsed_s();

    std::uint64_t supervised = 0;
    self->request(sup, infinite, count_atom::value)
        .receive([&](std::uint64_t k) { supervised = k; },
                 [&](error& e) { fail("supervised_restart: %s", to_string(e).c_str()); });
    if (restarts != n || supervised != n)
        fail("supervised_restart: the driver saw %" PRIu64 " restarts, the supervisor made %" PRIu64
             "; expected %" PRIu64,
             restarts, supervised, n);
    self->send_exit(sup, exit_reason::user_shutdown);
    self->send_exit(d, exit_reason::user_shutdown);
    std::printf("caf supervised_restart n=%" PRIu64
                " workers=%zu elapsed_s=%.6g restarts_per_s=%.0f\n",
                n, workers, elapsed, static_cast<double>(n) / elapsed);
    return 0;
}

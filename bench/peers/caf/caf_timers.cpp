// timers: one actor schedules N one-shot timers with pseudo-random delays in [0, 1 s) and
// counts them as they fire.
//
// On `go`, the actor draws N delays (std::mt19937_64, fixed seed) and, for each, sends itself
// a delayed message carrying the timer's number; as each arrives it is counted and marked.
// The clock starts as the main (scoped) actor tells the actor to go and stops when the actor
// reports that all N have fired; every timer must have fired exactly once.
#include <chrono>
#include <cinttypes>
#include <cstdint>
#include <random>
#include <vector>

#include "caf_bench.hpp"

using namespace caf;
using namespace caf_bench;

namespace {

using fire_atom = atom_constant<atom("fire")>;

struct timers_state {
    std::vector<bool> seen;
    std::uint64_t fired = 0;
    bool twice = false;  // a timer fired more than once
};

behavior timers(stateful_actor<timers_state>* self, actor main, std::uint64_t n) {
    self->state.seen.resize(n);
    return {
        [=](go_atom) {
            std::mt19937_64 rng{42};
            for (std::uint64_t i = 0; i < n; ++i) {
                const std::chrono::nanoseconds delay{rng() % 1'000'000'000};
                self->delayed_send(self, delay, fire_atom::value, i);
            }
        },
        [=](fire_atom, std::uint64_t i) {
            auto& st = self->state;
            st.twice = st.twice || st.seen[i];
            st.seen[i] = true;
            if (++st.fired == n) {
                self->send(main, done_atom::value, st.fired, !st.twice);
                self->quit();
            }
        },
    };
}

}  // namespace

int main(int argc, char** argv) {
    const auto args = bench::parse(argc, argv, "caf_timers [N=1000000] [workers=K]", {1000000});
    const std::uint64_t n = args.values[0];

    actor_system_config cfg;
    set_workers(cfg, args.workers);
    actor_system sys{cfg};
    const std::size_t workers = sys.scheduler().num_workers();
    scoped_actor self{sys};
    auto t = sys.spawn(timers, actor{self}, n);

    bench::stopwatch clock;
    clock.start();
    self->send(t, go_atom::value);
    std::uint64_t fired = 0;
    bool once_each = false;
    self->receive([&](done_atom, std::uint64_t k, bool ok) { fired = k, once_each = ok; });
    const double elapsed = clock.elapsed_s();

    if (fired != n || !once_each)
        fail("timers: %" PRIu64 " fired (expected %" PRIu64 ")%s", fired, n,
             once_each ? "" : ", some more than once");
    std::printf("caf timers n=%" PRIu64 " workers=%zu fired=%" PRIu64
                " elapsed_s=%.6g timers_per_s=%.0f\n",
                n, workers, fired, elapsed, static_cast<double>(fired) / elapsed);
    return 0;
}

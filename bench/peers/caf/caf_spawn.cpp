// spawn: N event-based actors are spawned, each receives one message and ends.
//
// One spawner actor spawns the N workers and sends each its number; a worker handles it by
// sending it on to a counter actor and quitting. The spawner works in chunks of 100 and
// keeps at most two chunks outstanding: the counter asks it for the next chunk whenever a
// chunk's worth of workers has reported. (In CAF 0.17 an idle worker thread steals the
// oldest job of a busy one by walking that one's whole run queue: spawning all N in one
// handler makes that queue N long and the run quadratic.) The clock starts as the spawner is
// told to go and stops when the counter, having received all N numbers, tells the main
// (scoped) actor; the count must be N and the numbers must sum to N(N-1)/2.
#include <algorithm>
#include <cinttypes>
#include <cstdint>

#include "caf_bench.hpp"

using namespace caf;
using namespace caf_bench;

namespace {

constexpr std::uint64_t chunk = 100;

behavior worker(event_based_actor* self, actor counter) {
    return {
        [=](std::uint64_t i) {
            self->send(counter, i);
            self->quit();
        },
    };
}

struct spawner_state {
    std::uint64_t next = 0;  // the next worker's number
};

behavior spawner(stateful_actor<spawner_state>* self, actor counter, std::uint64_t n) {
    return {
        [=](go_atom) {
            std::uint64_t& next = self->state.next;
            for (const std::uint64_t end = std::min(n, next + chunk); next < end; ++next)
                self->send(self->spawn(worker, counter), next);
            if (next == n) self->quit();
        },
    };
}

struct counter_state {
    actor spawner;
    std::uint64_t count = 0;
    std::uint64_t sum = 0;
};

behavior counter(stateful_actor<counter_state>* self, actor main, std::uint64_t n) {
    return {
        [=](actor& spawner) { self->state.spawner = std::move(spawner); },
        [=](std::uint64_t i) {
            auto& st = self->state;
            st.sum += i;
            if (++st.count == n) {
                self->send(main, done_atom::value, st.count, st.sum);
                self->quit();
            } else if (st.count % chunk == 0) {
                self->send(st.spawner, go_atom::value);
            }
        },
    };
}

}  // namespace

int main(int argc, char** argv) {
    const auto args = bench::parse(argc, argv, "caf_spawn [N=1000000] [workers=K]", {1000000});
    const std::uint64_t n = args.values[0];

    actor_system_config cfg;
    set_workers(cfg, args.workers);
    actor_system sys{cfg};
    const std::size_t workers = sys.scheduler().num_workers();
    scoped_actor self{sys};
    auto c = sys.spawn(counter, actor{self}, n);
    auto s = sys.spawn(spawner, c, n);
    self->send(c, s);

    bench::stopwatch clock;
    clock.start();
    self->send(s, go_atom::value);  // two chunks outstanding
    self->send(s, go_atom::value);
    std::uint64_t count = 0, sum = 0;
    self->receive([&](done_atom, std::uint64_t k, std::uint64_t total) { count = k, sum = total; });
    const double elapsed = clock.elapsed_s();

    if (count != n || sum != n * (n - 1) / 2)
        fail("spawn: %" PRIu64 " workers reported, sum %" PRIu64 "; expected %" PRIu64
             ", sum %" PRIu64,
             count, sum, n, n * (n - 1) / 2);
    std::printf("caf spawn n=%" PRIu64 " workers=%zu elapsed_s=%.6g actors_per_s=%.0f\n", n,
                workers, elapsed, static_cast<double>(n) / elapsed);
    return 0;
}

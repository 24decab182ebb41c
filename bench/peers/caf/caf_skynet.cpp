// skynet: each actor spawns 10 children until the leaves; the leaves, numbered 0..L-1, reply
// with their number and every parent replies with the sum of its children's.
//
// An actor is spawned with its parent, the first number of its range and the range's size:
// a leaf (size 1) sends its number and ends; any other actor splits the range in 10 (so L
// needs not be a power of 10), spawns a child per non-empty part and sums their replies. The
// clock covers spawning the root until the main (scoped) actor has the root's sum, which must
// be L(L-1)/2.
#include <cinttypes>
#include <cstdint>

#include "caf_bench.hpp"

using namespace caf;
using namespace caf_bench;

namespace {

struct node_state {
    std::uint64_t sum = 0;
    std::uint64_t pending = 0;
};

behavior skynet(stateful_actor<node_state>* self, actor parent, std::uint64_t num,
                std::uint64_t size) {
    if (size == 1) {
        self->send(parent, num);
        return {};  // no behavior: the leaf ends here
    }
    const actor me = actor_cast<actor>(self);
    for (std::uint64_t i = 0; i < 10; ++i) {
        const std::uint64_t first = size * i / 10;
        const std::uint64_t part = size * (i + 1) / 10 - first;
        if (part == 0) continue;
        self->spawn(skynet, me, num + first, part);
        ++self->state.pending;
    }
    return {
        [=](std::uint64_t x) {
            self->state.sum += x;
            if (--self->state.pending == 0) {
                self->send(parent, self->state.sum);
                self->quit();
            }
        },
    };
}

}  // namespace

int main(int argc, char** argv) {
    const auto args = bench::parse(argc, argv, "caf_skynet [L=1000000] [workers=K]", {1000000});
    const std::uint64_t leaves = args.values[0];
    const std::uint64_t expected = leaves * (leaves - 1) / 2;

    actor_system_config cfg;
    set_workers(cfg, args.workers);
    actor_system sys{cfg};
    const std::size_t workers = sys.scheduler().num_workers();
    scoped_actor self{sys};

    bench::stopwatch clock;
    clock.start();
    self->spawn(skynet, actor{self}, std::uint64_t{0}, leaves);
    std::uint64_t sum = 0;
    self->receive([&](std::uint64_t s) { sum = s; });
    const double elapsed = clock.elapsed_s();

    if (sum != expected) fail("skynet: the sum is %" PRIu64 ", expected %" PRIu64, sum, expected);
    std::printf("caf skynet leaves=%" PRIu64 " workers=%zu sum=%" PRIu64 " elapsed_ms=%.1f\n",
                leaves, workers, sum, elapsed * 1e3);
    return 0;
}

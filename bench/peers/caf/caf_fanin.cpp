// fanin: P producer actors each send M messages to one consumer actor.
//
// The producers and the consumer are spawned before the clock starts. The clock starts as
// the main (scoped) actor tells every producer to go; each producer sends the numbers 0..M-1
// to the consumer and quits; the consumer counts and sums what it receives and, at P x M
// messages, tells the main actor, which stops the clock. The sum must be P x M(M-1)/2.
#include <cinttypes>
#include <cstdint>
#include <vector>

#include "caf_bench.hpp"

using namespace caf;
using namespace caf_bench;

namespace {

behavior producer(event_based_actor* self, actor consumer, std::uint64_t m) {
    return {
        [=](go_atom) {
            for (std::uint64_t i = 0; i < m; ++i) self->send(consumer, i);
            self->quit();
        },
    };
}

struct consumer_state {
    std::uint64_t count = 0;
    std::uint64_t sum = 0;
};

behavior consumer(stateful_actor<consumer_state>* self, actor main, std::uint64_t total) {
    return {
        [=](std::uint64_t i) {
            auto& st = self->state;
            st.sum += i;
            if (++st.count == total) {
                self->send(main, done_atom::value, st.count, st.sum);
                self->quit();
            }
        },
    };
}

}  // namespace

int main(int argc, char** argv) {
    const auto args =
        bench::parse(argc, argv, "caf_fanin [P=8] [M=1000000] [workers=K]", {8, 1000000});
    const std::uint64_t p = args.values[0];
    const std::uint64_t m = args.values[1];
    const std::uint64_t msgs = p * m;

    actor_system_config cfg;
    set_workers(cfg, args.workers);
    actor_system sys{cfg};
    const std::size_t workers = sys.scheduler().num_workers();
    scoped_actor self{sys};
    auto c = sys.spawn(consumer, actor{self}, msgs);
    std::vector<actor> producers;
    producers.reserve(p);
    for (std::uint64_t i = 0; i < p; ++i) producers.push_back(sys.spawn(producer, c, m));

    bench::stopwatch clock;
    clock.start();
    for (auto& x : producers) self->send(x, go_atom::value);
    std::uint64_t count = 0, sum = 0;
    self->receive([&](done_atom, std::uint64_t k, std::uint64_t s) { count = k, sum = s; });
    const double elapsed = clock.elapsed_s();

    const std::uint64_t expected = p * (m * (m - 1) / 2);
    if (count != msgs || sum != expected)
        fail("fanin: counted %" PRIu64 " messages summing to %" PRIu64 "; expected %" PRIu64
             ", sum %" PRIu64,
             count, sum, msgs, expected);
    std::printf("caf fanin p=%" PRIu64 " m=%" PRIu64 " msgs=%" PRIu64
                " workers=%zu elapsed_s=%.6g msgs_per_s=%.0f\n",
                p, m, msgs, workers, elapsed, static_cast<double>(msgs) / elapsed);
    return 0;
}

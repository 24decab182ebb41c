// ring: N event-based actors in a ring, a token travels M rounds: N x M hops.
//
// Every member learns its successor (a `next` message, before the clock starts; each member
// answers a `count` request afterwards, so the ring is built when the clock starts). The
// clock starts as the token, carrying its hop count, is sent to member 0; each member
// forwards it with its count plus one until it has made N x M hops, and the member receiving
// the last one tells the main (scoped) actor, which stops the clock. Then the token must have
// counted N x M hops and every member must have seen it exactly M times.
#include <cinttypes>
#include <cstdint>
#include <vector>

#include "caf_bench.hpp"

using namespace caf;
using namespace caf_bench;

namespace {

using next_atom = atom_constant<atom("next")>;
using token_atom = atom_constant<atom("token")>;

struct member_state {
    actor next;
    std::uint64_t received = 0;
};

behavior member(stateful_actor<member_state>* self, actor main, std::uint64_t total_hops) {
    return {
        [=](next_atom, actor& next) { self->state.next = std::move(next); },
        [=](token_atom, std::uint64_t hops) {
            ++self->state.received;
            if (hops == total_hops)
                self->send(main, done_atom::value, hops);
            else
                self->send(self->state.next, token_atom::value, hops + 1);
        },
        [=](count_atom) { return self->state.received; },
    };
}

}  // namespace

int main(int argc, char** argv) {
    const auto args =
        bench::parse(argc, argv, "caf_ring [N=1000] [M=1000] [workers=K]", {1000, 1000});
    const std::uint64_t n = args.values[0];
    const std::uint64_t m = args.values[1];
    const std::uint64_t hops = n * m;

    actor_system_config cfg;
    set_workers(cfg, args.workers);
    actor_system sys{cfg};
    const std::size_t workers = sys.scheduler().num_workers();
    scoped_actor self{sys};

    // Asks every member for its count; returns false on a wrong count (or an error).
    auto counts_are = [&](const std::vector<actor>& ring, std::uint64_t expected) {
        bool ok = true;
        for (std::uint64_t i = 0; i < ring.size(); ++i) {
            self->request(ring[i], infinite, count_atom::value)
                .receive(
                    [&](std::uint64_t c) {
                        if (c != expected && ok) {
                            std::fprintf(stderr,
                                         "ring: member %" PRIu64 " saw the token %" PRIu64
                                         " times, expected %" PRIu64 "\n",
                                         i, c, expected);
                            ok = false;
                        }
                    },
                    [&](error& e) { fail("ring: %s", to_string(e).c_str()); });
        }
        return ok;
    };

    std::vector<actor> ring;
    ring.reserve(n);
    for (std::uint64_t i = 0; i < n; ++i) ring.push_back(sys.spawn(member, actor{self}, hops));
    for (std::uint64_t i = 0; i < n; ++i) self->send(ring[i], next_atom::value, ring[(i + 1) % n]);
    if (!counts_are(ring, 0)) fail("ring: setup failed");

    bench::stopwatch clock;
    clock.start();
    self->send(ring[0], token_atom::value, std::uint64_t{1});
    std::uint64_t counted = 0;
    self->receive([&](done_atom, std::uint64_t h) { counted = h; });
    const double elapsed = clock.elapsed_s();

    if (counted != hops)
        fail("ring: the token counted %" PRIu64 " hops, expected %" PRIu64, counted, hops);
    if (!counts_are(ring, m)) fail("ring: wrong counts");
    for (auto& r : ring) self->send_exit(r, exit_reason::user_shutdown);
    std::printf("caf ring n=%" PRIu64 " m=%" PRIu64 " hops=%" PRIu64
                " workers=%zu elapsed_s=%.6g hops_per_s=%.0f\n",
                n, m, hops, workers, elapsed, static_cast<double>(hops) / elapsed);
    return 0;
}

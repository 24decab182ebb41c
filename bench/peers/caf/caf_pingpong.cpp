// pingpong: two event-based actors bounce one message until N messages have been delivered.
//
// Each player learns its peer (a `meet` request, answered before the clock starts). The
// clock starts as the first ball is sent; the ball carries how many messages are still to be
// sent after it, and the player receiving the last one tells the main (scoped) actor, which
// stops the clock. Then the players' counts must be ceil(N/2) and floor(N/2).
#include <cinttypes>
#include <cstdint>

#include "caf_bench.hpp"

using namespace caf;
using namespace caf_bench;

namespace {

using meet_atom = atom_constant<atom("meet")>;
using ball_atom = atom_constant<atom("ball")>;

struct player_state {
    actor peer;
    std::uint64_t received = 0;
};

behavior player(stateful_actor<player_state>* self, actor main) {
    return {
        [=](meet_atom, actor& peer) { self->state.peer = std::move(peer); },
        [=](ball_atom, std::uint64_t left) {
            ++self->state.received;
            if (left == 0)
                self->send(main, done_atom::value);
            else
                self->send(self->state.peer, ball_atom::value, left - 1);
        },
        [=](count_atom) {
            self->quit();
            return self->state.received;
        },
    };
}

}  // namespace

int main(int argc, char** argv) {
    const auto args = bench::parse(argc, argv, "caf_pingpong [N=2000000] [workers=K]", {2000000});
    const std::uint64_t n = args.values[0];

    actor_system_config cfg;
    set_workers(cfg, args.workers);
    actor_system sys{cfg};
    const std::size_t workers = sys.scheduler().num_workers();
    scoped_actor self{sys};

    auto a = sys.spawn(player, actor{self});
    auto b = sys.spawn(player, actor{self});
    auto on_error = [](error& e) { fail("pingpong: %s", to_string(e).c_str()); };
    self->request(a, infinite, meet_atom::value, b).receive([] {}, on_error);
    self->request(b, infinite, meet_atom::value, a).receive([] {}, on_error);

    bench::stopwatch clock;
    clock.start();
    self->send(a, ball_atom::value, n - 1);
    self->receive([](done_atom) {});
    const double elapsed = clock.elapsed_s();

    std::uint64_t got[2] = {0, 0};
    for (int i = 0; i < 2; ++i) {
        self->request(i == 0 ? a : b, infinite, count_atom::value)
            .receive([&](std::uint64_t c) { got[i] = c; }, on_error);
    }
    if (got[0] != (n + 1) / 2 || got[1] != n / 2)
        fail("pingpong: wrong counts (a=%" PRIu64 ", b=%" PRIu64 ", n=%" PRIu64 ")", got[0], got[1],
             n);
    std::printf("caf pingpong n=%" PRIu64 " workers=%zu elapsed_s=%.6g msgs_per_s=%.0f\n", n,
                workers, elapsed, static_cast<double>(n) / elapsed);
    return 0;
}

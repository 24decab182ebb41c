// ask: one client actor asks a server N times in sequence, waiting for each reply.
//
// The client sends `request(server, infinite, i)` and, in the response handler (`then`),
// checks the reply (i + 1) and sends the next request; after the N-th reply it tells the
// main (scoped) actor how many correct replies it got. The clock covers telling the client
// to go until that report; the report must be N. mean_rtt_us = elapsed / N.
#include <cinttypes>
#include <cstdint>

#include "caf_bench.hpp"

using namespace caf;
using namespace caf_bench;

namespace {

behavior server() {
    return {
        [](std::uint64_t i) { return i + 1; },
    };
}

struct client_state {
    actor server;
    actor main;
    std::uint64_t n = 0;
    std::uint64_t correct = 0;
};

// Asks for i + 1, then for the next until n replies have come back.
void ask(stateful_actor<client_state>* self, std::uint64_t i) {
    self->request(self->state.server, infinite, i).then([=](std::uint64_t reply) {
        auto& st = self->state;
        if (reply == i + 1) ++st.correct;
        if (i + 1 < st.n) {
            ask(self, i + 1);
        } else {
            self->send(st.main, done_atom::value, st.correct);
            self->quit();
        }
    });
}

behavior client(stateful_actor<client_state>* self, actor server, actor main, std::uint64_t n) {
    self->state.server = std::move(server);
    self->state.main = std::move(main);
    self->state.n = n;
    return {
        [=](go_atom) { ask(self, 0); },
    };
}

}  // namespace

int main(int argc, char** argv) {
    const auto args = bench::parse(argc, argv, "caf_ask [N=200000] [workers=K]", {200000});
    const std::uint64_t n = args.values[0];

    actor_system_config cfg;
    set_workers(cfg, args.workers);
    actor_system sys{cfg};
    const std::size_t workers = sys.scheduler().num_workers();
    scoped_actor self{sys};
    auto srv = sys.spawn(server);
    auto cl = sys.spawn(client, srv, actor{self}, n);

    bench::stopwatch clock;
    clock.start();
    self->send(cl, go_atom::value);
    std::uint64_t correct = 0;
    self->receive([&](done_atom, std::uint64_t k) { correct = k; });
    const double elapsed = clock.elapsed_s();

    if (correct != n) fail("ask: %" PRIu64 " correct replies, expected %" PRIu64, correct, n);
    self->send_exit(srv, exit_reason::user_shutdown);
    std::printf("caf ask n=%" PRIu64 " workers=%zu elapsed_s=%.6g mean_rtt_us=%.4g\n", n, workers,
                elapsed, elapsed * 1e6 / static_cast<double>(n));
    return 0;
}

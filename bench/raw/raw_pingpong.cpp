// raw pingpong: the floor of `pingpong` (bench/README.md): two threads bounce one message N
// times, no runtime.
//
// Each player is a thread that busy-polls its own inbox, an intrusive MPSC queue (raw.hpp:
// the queue an actor mailbox is; MPSC because a mailbox must take any sender), and pushes
// the ball into the other's inbox. The ball is one preallocated node, so a delivery is one
// push, one pop and the cache lines they move between the two cores: the hardware's round
// trip, nothing else. Player a starts the clock when both threads run and pushes the ball
// (carrying N-1, the messages still to send after it) into its own inbox; whoever receives
// the ball with 0 stops the clock. Counts must be ceil(N/2) for a and floor(N/2) for b.
//
// workers=1 runs both players on one thread, taking turns (what a one-worker runtime does):
// the floor of a hand-off through the same queue without crossing cores. workers=K > 2 still
// uses two threads: the workload has only two.
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <thread>

#include "../bench_cli.hpp"
#include "raw.hpp"

namespace {

/// The ball; `left` is how many messages are still to be sent after this one.
struct ball : raw::mpsc_node {
    std::uint64_t left = 0;
};

struct alignas(raw::cache_line) player {
    raw::mpsc_queue inbox;
    player* peer = nullptr;
    std::uint64_t received = 0;
    bool finished = false;  // received the last ball, or sent it

    /// Only this player's thread may call this. Handles the ball if it is in the inbox;
    /// returns false if the inbox was empty.
    bool step(const bench::stopwatch& clock, double& elapsed) {
        auto* b = static_cast<ball*>(inbox.pop());
        if (b == nullptr) return false;
        ++received;
        if (b->left == 0) {
            elapsed = clock.elapsed_s();
            finished = true;
            return true;
        }
        finished = --b->left == 0;  // decide before the push: then the ball is the peer's
        peer->inbox.push(b);
        return true;
    }
};

}  // namespace

int main(int argc, char** argv) {
    const auto args = bench::parse(argc, argv, "raw_pingpong [N=2000000] [workers=K]", {2000000});
    const std::uint64_t n = args.values[0];
    const std::size_t workers = raw::worker_count(args.workers);

    player a, b;
    a.peer = &b;
    b.peer = &a;
    b.finished = n == 1;  // a's first ball is the last: b gets none
    ball the_ball;
    the_ball.left = n - 1;
    bench::stopwatch clock;
    double elapsed = 0;

    if (workers == 1) {
        clock.start();
        a.inbox.push(&the_ball);
        while (!a.finished || !b.finished) {
            a.step(clock, elapsed);
            b.step(clock, elapsed);
        }
    } else {
        raw::start_gate gate{2};
        std::thread tb{[&] {
            gate.arrive_and_wait();
            raw::spinner spin;
            while (!b.finished) {
                if (b.step(clock, elapsed)) {
                    spin.reset();
                } else {
                    spin.wait();
                }
            }
        }};
        gate.open(clock);
        a.inbox.push(&the_ball);
        raw::spinner spin;
        while (!a.finished) {
            if (a.step(clock, elapsed)) {
                spin.reset();
            } else {
                spin.wait();
            }
        }
        tb.join();
    }

    if (a.received != (n + 1) / 2 || b.received != n / 2) {
        std::fprintf(stderr,
                     "pingpong: wrong counts (a=%" PRIu64 ", b=%" PRIu64 ", n=%" PRIu64 ")\n",
                     a.received, b.received, n);
        return 1;
    }
    std::printf("raw pingpong n=%" PRIu64 " workers=%zu elapsed_s=%.6g msgs_per_s=%.0f\n", n,
                workers, elapsed, static_cast<double>(n) / elapsed);
    return 0;
}

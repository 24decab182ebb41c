// pingpong: two actors bounce one message N times (bench/README.md).
//
// Two `player`s know each other (a `meet` message, before the clock starts). The clock
// starts as the first ball is told; each player counts what it receives and tells the ball
// back until N messages have been delivered; the player receiving the last one fulfils a
// promise, which stops the clock. Then both players are asked for their counts: they must
// add up to N (ceil(N/2) for the first, floor(N/2) for the second), else the program fails
// without printing its result line.
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <future>

#include <troupe/troupe.hpp>

#include "bench_cli.hpp"

using namespace std::chrono_literals;

namespace {

struct player;

struct meet {
    troupe::ref<player> peer;
};
/// The ball; `left` is how many messages are still to be sent after this one.
struct ball {
    std::uint64_t left;
};
struct count {};

struct player : troupe::actor<player, meet, ball, count> {
    explicit player(std::promise<void>* done) : done_(done) {}

    void handle(meet m) { peer_ = std::move(m.peer); }
    void handle(ball b) {
        ++received_;
        if (b.left == 0) {
            done_->set_value();
            return;
        }
        peer_.tell(ball{b.left - 1});
    }
    std::uint64_t handle(count) { return received_; }

protected:
    // The two players hold refs to each other: drop them, or neither is ever freed.
    void on_stopped(const troupe::exit_reason&) override { peer_ = {}; }

private:
    std::promise<void>* done_;
    troupe::ref<player> peer_;
    std::uint64_t received_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
    const auto args = bench::parse(argc, argv, "core_pingpong [N=2000000] [workers=K]", {2000000});
    const std::uint64_t n = args.values[0];

    troupe::node_config cfg;
    cfg.workers = args.workers;
    troupe::node node{std::move(cfg)};
    const std::size_t workers = node.executor().concurrency();

    std::promise<void> done;
    auto a = node.spawn<player>(&done).value();
    auto b = node.spawn<player>(&done).value();
    a.tell(meet{b});
    b.tell(meet{a});
    // Both have handled `meet` once they answer (FIFO per sender): setup is over.
    if (!a.ask(count{}, 10s).get() || !b.ask(count{}, 10s).get()) {
        std::fprintf(stderr, "pingpong: setup failed\n");
        return 1;
    }

    bench::stopwatch clock;
    clock.start();
    a.tell(ball{n - 1});
    done.get_future().wait();
    const double elapsed = clock.elapsed_s();

    const std::uint64_t got_a = a.ask(count{}, 10s).get().value_or(0);
    const std::uint64_t got_b = b.ask(count{}, 10s).get().value_or(0);
    if (got_a != (n + 1) / 2 || got_b != n / 2) {
        std::fprintf(stderr,
                     "pingpong: wrong counts (a=%" PRIu64 ", b=%" PRIu64 ", n=%" PRIu64 ")\n",
                     got_a, got_b, n);
        return 1;
    }
    std::printf("troupe pingpong n=%" PRIu64 " workers=%zu elapsed_s=%.6g msgs_per_s=%.0f\n", n,
                workers, elapsed, static_cast<double>(n) / elapsed);
    return 0;
}

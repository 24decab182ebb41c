// ring: N actors in a ring, a token travels M rounds: N x M hops (bench/README.md; the
// actix / `messages` ring).
//
// Every `member` learns its successor (a `next_is` message, before the clock starts). The clock
// starts as the token is told to member 0; each member counts the tokens it receives and
// forwards the token with its hop count plus one, until the token has made N x M hops; the
// member receiving the last one fulfils a promise with the token's count, which stops the
// clock. Then the token must have counted N x M hops and every member must have seen it
// exactly M times, else the program fails without printing its result line.
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <future>
#include <vector>

#include <troupe/troupe.hpp>

#include "bench_cli.hpp"

using namespace std::chrono_literals;

namespace {

struct member;

struct next_is {
    troupe::ref<member> next;
};
/// The token; `hops` counts its deliveries so far, this one included.
struct token {
    std::uint64_t hops;
};
struct count {};

struct member : troupe::actor<member, next_is, token, count> {
    member(std::uint64_t total_hops, std::promise<std::uint64_t>* done)
        : total_(total_hops), done_(done) {}

    void handle(next_is l) { next_ = std::move(l.next); }
    void handle(token t) {
        ++received_;
        if (t.hops == total_) {
            done_->set_value(t.hops);
            return;
        }
        next_.tell(token{t.hops + 1});
    }
    std::uint64_t handle(count) { return received_; }

protected:
    // The ring of refs is a cycle: drop ours, or no member is ever freed.
    void on_stopped(const troupe::exit_reason&) override { next_ = {}; }

private:
    std::uint64_t total_;
    std::promise<std::uint64_t>* done_;
    troupe::ref<member> next_;
    std::uint64_t received_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
    const auto args =
        bench::parse(argc, argv, "core_ring [N=1000] [M=1000] [workers=K]", {1000, 1000});
    const std::uint64_t n = args.values[0];
    const std::uint64_t m = args.values[1];
    const std::uint64_t hops = n * m;

    troupe::node_config cfg;
    cfg.workers = args.workers;
    troupe::node node{std::move(cfg)};
    const std::size_t workers = node.executor().concurrency();

    std::promise<std::uint64_t> done;
    std::vector<troupe::ref<member>> ring;
    ring.reserve(n);
    for (std::uint64_t i = 0; i < n; ++i) ring.push_back(node.spawn<member>(hops, &done).value());
    for (std::uint64_t i = 0; i < n; ++i) ring[i].tell(next_is{ring[(i + 1) % n]});
    // Every member has handled `next_is` once it answers (FIFO per sender): setup is over.
    for (auto& r : ring) {
        if (!r.ask(count{}, 10s).get()) {
            std::fprintf(stderr, "ring: setup failed\n");
            return 1;
        }
    }

    bench::stopwatch clock;
    clock.start();
    ring[0].tell(token{1});
    const std::uint64_t counted = done.get_future().get();
    const double elapsed = clock.elapsed_s();

    if (counted != hops) {
        std::fprintf(stderr, "ring: the token counted %" PRIu64 " hops, expected %" PRIu64 "\n",
                     counted, hops);
        return 1;
    }
    for (std::uint64_t i = 0; i < n; ++i) {
        const std::uint64_t got = ring[i].ask(count{}, 10s).get().value_or(0);
        if (got != m) {
            std::fprintf(stderr,
                         "ring: member %" PRIu64 " saw the token %" PRIu64
                         " times, expected %" PRIu64 "\n",
                         i, got, m);
            return 1;
        }
    }
    std::printf("troupe ring n=%" PRIu64 " m=%" PRIu64 " hops=%" PRIu64
                " workers=%zu elapsed_s=%.6g hops_per_s=%.0f\n",
                n, m, hops, workers, elapsed, static_cast<double>(hops) / elapsed);
    return 0;
}

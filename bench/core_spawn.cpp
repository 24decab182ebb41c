// spawn: spawn N actors that each receive one message and exit (bench/README.md).
//
// The main thread spawns the actors one after another and tells each a `hello`; each
// handles it, counts itself on a shared counter and quits. The clock runs from the first
// spawn until the N-th actor has handled its message; then every actor must have counted
// itself exactly once (the counter equals N) and the node must hold no live actor, else the
// program fails without printing its result line.
#include <atomic>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <future>

#include <troupe/troupe.hpp>

#include "bench_cli.hpp"

namespace {

struct hello {};

struct tally {
    explicit tally(std::uint64_t n) : expected(n) {}
    const std::uint64_t expected;
    std::atomic<std::uint64_t> handled{0};
    std::promise<void> all_handled;
};

struct greeter : troupe::actor<greeter, hello> {
    explicit greeter(tally* t) : tally_(t) {}

    void handle(hello) {
        if (tally_->handled.fetch_add(1, std::memory_order_acq_rel) + 1 == tally_->expected) {
            tally_->all_handled.set_value();
        }
        quit();
    }

private:
    tally* tally_;
};

}  // namespace

int main(int argc, char** argv) {
    const auto args = bench::parse(argc, argv, "core_spawn [N=1000000] [workers=K]", {1000000});
    const std::uint64_t n = args.values[0];

    troupe::node_config cfg;
    cfg.workers = args.workers;
    troupe::node node{std::move(cfg)};
    const std::size_t workers = node.executor().concurrency();

    tally t{n};
    bench::stopwatch clock;
    clock.start();
    for (std::uint64_t i = 0; i < n; ++i) node.spawn<greeter>(&t).value().tell(hello{});
    t.all_handled.get_future().get();
    const double elapsed = clock.elapsed_s();

    const std::uint64_t handled = t.handled.load();
    if (handled != n) {
        std::fprintf(stderr,
                     "spawn: %" PRIu64 " actors handled their message, expected %" PRIu64 "\n",
                     handled, n);
        return 1;
    }
    std::printf("troupe spawn n=%" PRIu64 " workers=%zu elapsed_s=%.6g actors_per_s=%.0f\n", n,
                workers, elapsed, static_cast<double>(n) / elapsed);
    return 0;
}

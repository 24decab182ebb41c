// idle: the resident memory of N idle actors, and the CPU an idle node burns
// (bench/README.md).
//
// Spawns N actors that wait for a message that never comes and reports how much the
// process's resident memory (from /proc/self/statm) grew, divided by N. The node and its
// workers exist before the first reading, so only the actors are counted: their state,
// their mailbox and their entry in the node's table of live actors. Then, with nothing to
// do, the node is left alone for one second and its CPU time (user + system, all threads)
// is measured over the next second: idle_cpu_pct is that time over the wall time, in %.
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <thread>

#include <troupe/troupe.hpp>

#include "bench_cli.hpp"

namespace {

struct poke {};

struct sleeper : troupe::actor<sleeper, poke> {
    void handle(poke) {}
};

}  // namespace

int main(int argc, char** argv) {
    const auto args = bench::parse(argc, argv, "core_idle [N=1000000] [workers=K]", {1000000});
    const std::uint64_t n = args.values[0];

    troupe::node_config cfg;
    cfg.workers = args.workers;
    troupe::node node{std::move(cfg)};
    const std::size_t workers = node.executor().concurrency();

    const std::uint64_t before = bench::resident_bytes();
    for (std::uint64_t i = 0; i < n; ++i) {
        if (!node.spawn<sleeper>()) {
            std::fprintf(stderr, "idle: spawn %" PRIu64 " failed\n", i);
            return 1;
        }
    }
    const std::uint64_t after = bench::resident_bytes();
    if (before == 0 || after == 0) {
        std::fprintf(stderr, "idle: cannot read /proc/self/statm\n");
        return 1;
    }
    const std::uint64_t grown = after > before ? after - before : 0;

    std::this_thread::sleep_for(std::chrono::seconds(1));
    const double cpu0 = bench::cpu_seconds();
    bench::stopwatch wall;
    wall.start();
    std::this_thread::sleep_for(std::chrono::seconds(1));
    const double idle_cpu_pct = 100 * (bench::cpu_seconds() - cpu0) / wall.elapsed_s();

    std::printf("troupe idle n=%" PRIu64 " workers=%zu rss_bytes=%" PRIu64
                " idle_cpu_pct=%.2f bytes_per_actor=%.1f\n",
                n, workers, grown, idle_cpu_pct,
                static_cast<double>(grown) / static_cast<double>(n));
    return 0;
}

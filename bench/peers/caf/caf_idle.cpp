// idle: the resident memory of N event-based actors waiting for a message, and the CPU an
// idle actor system burns.
//
// The resident set (/proc/self/statm) is read once the actor system runs and the vector of
// N handles is allocated and touched, then again once N actors have been spawned and have
// all run their initialisation (each counts itself in an atomic counter; the last one
// fulfils a promise). The growth divided by N is the memory per idle actor. Then, with
// nothing to do, the system is left alone for one second and its CPU time (user + system,
// all threads) is measured over the next second: idle_cpu_pct is that time over the wall
// time, in %. Finally every actor is sent `stop` and quits.
#include <atomic>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <future>
#include <thread>
#include <vector>

#include "caf_bench.hpp"

using namespace caf;
using namespace caf_bench;

namespace {

using stop_atom = atom_constant<atom("stop")>;

struct ready_count {
    explicit ready_count(std::uint64_t count) : n(count) {}
    const std::uint64_t n;
    std::atomic<std::uint64_t> started{0};
    std::promise<void> all_started;
};

behavior idle(event_based_actor* self, ready_count* ready) {
    if (ready->started.fetch_add(1, std::memory_order_acq_rel) + 1 == ready->n)
        ready->all_started.set_value();
    return {
        [=](stop_atom) { self->quit(); },
    };
}

}  // namespace

int main(int argc, char** argv) {
    const auto args = bench::parse(argc, argv, "caf_idle [N=1000000] [workers=K]", {1000000});
    const std::uint64_t n = args.values[0];

    actor_system_config cfg;
    set_workers(cfg, args.workers);
    actor_system sys{cfg};
    const std::size_t workers = sys.scheduler().num_workers();

    ready_count ready{n};
    std::vector<actor> actors(n);  // allocated and touched before the first reading
    const std::uint64_t before = bench::resident_bytes();
    for (auto& a : actors) a = sys.spawn(idle, &ready);
    ready.all_started.get_future().wait();
    const std::uint64_t after = bench::resident_bytes();
    if (before == 0 || after == 0) fail("idle: cannot read /proc/self/statm");

    std::this_thread::sleep_for(std::chrono::seconds(1));
    const double cpu0 = bench::cpu_seconds();
    bench::stopwatch wall;
    wall.start();
    std::this_thread::sleep_for(std::chrono::seconds(1));
    const double idle_cpu_pct = 100 * (bench::cpu_seconds() - cpu0) / wall.elapsed_s();

    for (auto& a : actors) anon_send(a, stop_atom::value);
    actors.clear();
    if (ready.started.load() != n)
        fail("idle: %" PRIu64 " actors started, expected %" PRIu64, ready.started.load(), n);
    const std::uint64_t growth = after > before ? after - before : 0;
    std::printf("caf idle n=%" PRIu64 " workers=%zu rss_bytes=%" PRIu64
                " idle_cpu_pct=%.2f bytes_per_actor=%.1f\n",
                n, workers, growth, idle_cpu_pct,
                static_cast<double>(growth) / static_cast<double>(n));
    return 0;
}

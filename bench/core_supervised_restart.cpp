// supervised_restart: restarts per second of a crashing child (bench/README.md).
//
// A one_for_one supervisor with one permanent child, allowed N+1 restarts in an hour, is
// up before the clock starts. On each start the child tells the driver "started" with its
// address; from `go` on, the driver tells the current child to crash (its handler throws, so it
// exits with error{...}); the supervisor restarts it; N times in sequence. The clock covers the N
// crash -> restart round trips; then the driver must have seen N+1 starts, each a new address, and
// the supervisor must still be up with one running child, else the program fails without its result
// line. Logging is off, as for the peers: each crash would otherwise log two lines.
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <future>
#include <stdexcept>
#include <string>

#include <troupe/supervisor.hpp>
#include <troupe/troupe.hpp>

#include "bench_cli.hpp"

using namespace std::chrono_literals;

namespace {

struct started {
    troupe::address child;
};
struct crash {};
struct go {};

struct driver : troupe::actor<driver, started, go> {
    driver(std::uint64_t n, std::promise<std::string>* d) : crashes_left(n), done(d) {}

    void handle(const started& s) {
        if (s.child == last) {
            done->set_value("a restart reused the address " + s.child.to_string());
            return;
        }
        last = s.child;
        ++starts;
        if (going) next();
    }
    void handle(go) {
        going = true;
        if (last) next();
    }
    void next() {
        if (crashes_left == 0) {
            done->set_value({});
            return;
        }
        --crashes_left;
        tell(last, crash{});
    }

    std::uint64_t crashes_left;
    std::promise<std::string>* done;
    troupe::address last;
    std::uint64_t starts = 0;
    bool going = false;
};

struct child : troupe::actor<child, crash> {
    explicit child(troupe::address d) : driver(d) {}
    void on_start() override { tell(driver, started{addr()}); }
    void handle(crash) { throw std::runtime_error("crash on request"); }
    troupe::address driver;
};

}  // namespace

int main(int argc, char** argv) {
    const auto args =
        bench::parse(argc, argv, "core_supervised_restart [N=10000] [workers=K]", {10000});
    const std::uint64_t n = args.values[0];

    troupe::node_config cfg;
    cfg.workers = args.workers;
    cfg.level = troupe::log_level::off;
    troupe::node node{std::move(cfg)};
    const std::size_t workers = node.executor().concurrency();

    std::promise<std::string> done;
    auto d = node.spawn<driver>(n, &done).value();
    troupe::supervisor_spec spec;
    spec.strategy = troupe::restart_strategy::one_for_one;
    spec.max_restarts = static_cast<int>(n + 1);
    spec.period = std::chrono::hours(1);
    spec.children.push_back(troupe::child_spec::worker<child>("child", d.addr()));

    auto sup = troupe::start_supervisor(node, spec).get();
    if (!sup) {
        std::fprintf(stderr, "supervised_restart: %s\n", sup.error().message().c_str());
        return 1;
    }
    // The first child has started (start_supervisor waits for that); the driver starts
    // crashing it on `go`.
    bench::stopwatch clock;
    clock.start();
    d.tell(go{});
    const std::string failure = done.get_future().get();
    const double elapsed = clock.elapsed_s();

    if (!failure.empty()) {
        std::fprintf(stderr, "supervised_restart: %s\n", failure.c_str());
        return 1;
    }
    auto counts = sup->count_children(10s).get();
    if (d.get()->starts != n + 1 || !counts || counts->active != 1) {
        std::fprintf(stderr,
                     "supervised_restart: %" PRIu64 " starts (expected %" PRIu64
                     "), %s running children (expected 1)\n",
                     d.get()->starts, n + 1,
                     counts ? std::to_string(counts->active).c_str() : "no answer on");
        return 1;
    }
    std::printf("troupe supervised_restart n=%" PRIu64
                " workers=%zu elapsed_s=%.6g restarts_per_s=%.0f\n",
                n, workers, elapsed, static_cast<double>(n) / elapsed);
    return 0;
}

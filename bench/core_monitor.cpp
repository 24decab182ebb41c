// monitor: monitor + down round trips (bench/README.md).
//
// N idle targets are spawned before the clock starts. One watcher then, for each target in
// turn, monitors it, tells it to finish and waits for its down, which must name that
// target with reason normal. The clock covers the N round trips; then the watcher must have
// seen exactly N downs, else the program fails without printing its result line.
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <future>
#include <string>
#include <vector>

#include <troupe/troupe.hpp>

#include "bench_cli.hpp"

namespace {

struct finish {};
struct go {};

struct target : troupe::actor<target, finish> {
    void handle(finish) { quit(); }
};

struct watcher : troupe::actor<watcher, go, troupe::down> {
    watcher(const std::vector<troupe::address>* t, std::promise<std::string>* d)
        : targets(t), done(d) {}

    void handle(go) { next(); }
    void handle(const troupe::down& d) {
        if (d.who != (*targets)[seen] || d.reason != troupe::exit_reason::normal()) {
            done->set_value("down " + std::to_string(seen) + " named " + d.who.to_string() +
                            " with " + d.reason.to_string());
            return;
        }
        if (++seen == targets->size()) {
            done->set_value({});
        } else {
            next();
        }
    }
    void next() {
        auto t = (*targets)[seen];
        monitor(t);
        tell(t, finish{});
    }

    const std::vector<troupe::address>* targets;
    std::promise<std::string>* done;
    std::size_t seen = 0;
};

}  // namespace

int main(int argc, char** argv) {
    const auto args = bench::parse(argc, argv, "core_monitor [N=200000] [workers=K]", {200000});
    const std::uint64_t n = args.values[0];

    troupe::node_config cfg;
    cfg.workers = args.workers;
    troupe::node node{std::move(cfg)};
    const std::size_t workers = node.executor().concurrency();

    std::vector<troupe::address> targets;
    targets.reserve(n);
    for (std::uint64_t i = 0; i < n; ++i) targets.push_back(node.spawn<target>().value());
    std::promise<std::string> done;
    auto w = node.spawn<watcher>(&targets, &done).value();

    bench::stopwatch clock;
    clock.start();
    w.tell(go{});
    const std::string failure = done.get_future().get();
    const double elapsed = clock.elapsed_s();

    if (!failure.empty()) {
        std::fprintf(stderr, "monitor: %s, expected normal exits in order\n", failure.c_str());
        return 1;
    }
    std::printf("troupe monitor n=%" PRIu64 " workers=%zu elapsed_s=%.6g downs_per_s=%.0f\n", n,
                workers, elapsed, static_cast<double>(n) / elapsed);
    return 0;
}

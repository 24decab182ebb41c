// timers: N one-shot timers with pseudo-random delays in [0, 1 s), all fired
// (bench/README.md). timers_per_s = N / elapsed, so at most about N per second.
//
// One actor arms the N timers, each sending it a numbered `ring` after its delay, and counts
// the rings; the clock runs from telling it to start until the N-th ring. Every timer must
// have rung exactly once, else the program fails without printing its result line.
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <future>
#include <vector>

#include <troupe/troupe.hpp>

#include "bench_cli.hpp"

using namespace std::chrono_literals;

namespace {

struct start {};
struct ring {
    std::uint32_t id;
};

struct alarm_clock : troupe::actor<alarm_clock, start, ring> {
    alarm_clock(std::uint32_t n, std::promise<bool>* done) : rung_(n, false), done_(done) {}

    void handle(start) {
        std::uint64_t x = 0x9E3779B97F4A7C15ull;  // xorshift64: the same delays every run
        for (std::uint32_t i = 0; i < rung_.size(); ++i) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            notify_later(std::chrono::microseconds(x % 1'000'000), ring{i});
        }
    }
    void handle(ring r) {
        once_ = once_ && !rung_[r.id];
        rung_[r.id] = true;
        if (++count_ == rung_.size()) done_->set_value(once_);
    }

private:
    std::vector<bool> rung_;
    std::promise<bool>* done_;
    std::uint64_t count_ = 0;
    bool once_ = true;
};

}  // namespace

int main(int argc, char** argv) {
    const auto args = bench::parse(argc, argv, "core_timers [N=1000000] [workers=K]", {1000000});
    const std::uint64_t n = args.values[0];
    if (n > UINT32_MAX) {
        std::fprintf(stderr, "timers: N must fit in 32 bits\n");
        return 2;
    }

    troupe::node_config cfg;
    cfg.workers = args.workers;
    troupe::node node{std::move(cfg)};
    const std::size_t workers = node.executor().concurrency();

    std::promise<bool> done;
    auto clock_actor = node.spawn<alarm_clock>(static_cast<std::uint32_t>(n), &done).value();

    bench::stopwatch clock;
    clock.start();
    clock_actor.tell(start{});
    const bool each_once = done.get_future().get();
    const double elapsed = clock.elapsed_s();

    if (!each_once) {
        std::fprintf(stderr, "timers: a timer rang twice\n");
        return 1;
    }
    std::printf("troupe timers n=%" PRIu64 " workers=%zu fired=%" PRIu64
                " elapsed_s=%.6g timers_per_s=%.0f\n",
                n, workers, n, elapsed, static_cast<double>(n) / elapsed);
    return 0;
}

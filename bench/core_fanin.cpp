// fanin: P producer actors each send M messages to one consumer (bench/README.md).
//
// The producers and the consumer exist before the clock starts. The clock starts as every
// producer is told to `produce`; each then sends its M numbered `item`s to the consumer from
// one handler. The consumer checks that each producer's items arrive in order (FIFO per
// sender) and fulfils a promise when it has counted P x M; that stops the clock. A gap or
// reordering fails the program without printing its result line.
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <future>
#include <vector>

#include <troupe/troupe.hpp>

#include "bench_cli.hpp"

using namespace std::chrono_literals;

namespace {

struct item {
    std::uint32_t producer;
    std::uint32_t seq;  // 0, 1, ... per producer
};

struct consumer : troupe::actor<consumer, item> {
    consumer(std::uint64_t producers, std::uint64_t total, std::promise<bool>* done)
        : next_(producers, 0), left_(total), done_(done) {}

    void handle(item i) {
        in_order_ = in_order_ && next_[i.producer]++ == i.seq;
        if (--left_ == 0) done_->set_value(in_order_);
    }

private:
    std::vector<std::uint32_t> next_;  // the seq expected next from each producer
    std::uint64_t left_;
    std::promise<bool>* done_;
    bool in_order_ = true;
};

struct produce {};

struct producer : troupe::actor<producer, produce> {
    producer(std::uint32_t id, std::uint32_t count, troupe::ref<consumer> to)
        : id_(id), count_(count), to_(std::move(to)) {}

    void handle(produce) {
        for (std::uint32_t seq = 0; seq < count_; ++seq) to_.tell(item{id_, seq});
    }

private:
    std::uint32_t id_;
    std::uint32_t count_;
    troupe::ref<consumer> to_;
};

}  // namespace

int main(int argc, char** argv) {
    const auto args =
        bench::parse(argc, argv, "core_fanin [P=8] [M=1000000] [workers=K]", {8, 1000000});
    const std::uint64_t p = args.values[0];
    const std::uint64_t m = args.values[1];
    if (p > UINT32_MAX || m > UINT32_MAX) {
        std::fprintf(stderr, "fanin: P and M must each fit in 32 bits\n");
        return 2;
    }
    const std::uint64_t total = p * m;

    troupe::node_config cfg;
    cfg.workers = args.workers;
    troupe::node node{std::move(cfg)};
    const std::size_t workers = node.executor().concurrency();

    std::promise<bool> done;
    auto sink = node.spawn<consumer>(p, total, &done).value();
    std::vector<troupe::ref<producer>> producers;
    for (std::uint64_t i = 0; i < p; ++i) {
        producers.push_back(
            node.spawn<producer>(static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(m), sink)
                .value());
    }

    bench::stopwatch clock;
    clock.start();
    for (auto& r : producers) r.tell(produce{});
    const bool in_order = done.get_future().get();
    const double elapsed = clock.elapsed_s();

    if (!in_order) {
        std::fprintf(stderr, "fanin: a producer's items arrived out of order\n");
        return 1;
    }
    std::printf("troupe fanin p=%" PRIu64 " m=%" PRIu64 " msgs=%" PRIu64
                " workers=%zu elapsed_s=%.6g msgs_per_s=%.0f\n",
                p, m, total, workers, elapsed, static_cast<double>(total) / elapsed);
    return 0;
}

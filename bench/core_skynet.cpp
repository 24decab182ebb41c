// skynet: a tree of actors, 10 children per parent, down to L leaves numbered 0..L-1
// (bench/README.md). Each leaf reports its number to its parent; each parent sums its
// children's reports and reports the sum to its own parent; the root's sum must be
// L(L-1)/2, else the program fails without printing its result line.
//
// The clock covers everything: from spawning the root to its answer, so it measures
// spawning, first messages and exits of about 1.11 L actors.
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <future>

#include <troupe/troupe.hpp>

#include "bench_cli.hpp"

namespace {

struct sky;

/// Builds the subtree: spawn the children, or report at once if a leaf.
struct go {};
/// A child's subtree sum.
struct partial {
    std::uint64_t sum;
};

struct sky : troupe::actor<sky, go, partial> {
    /// Covers leaf numbers [first, first + size). A null parent is the root: it fulfils `done`.
    sky(troupe::ref<sky> parent, std::uint64_t first, std::uint64_t size,
        std::promise<std::uint64_t>* done)
        : parent_(std::move(parent)), first_(first), size_(size), done_(done) {}

    void handle(go) {
        if (size_ == 1) return report(first_);
        // Ten children (fewer if size_ < 10), sizes differing by at most one.
        const std::uint64_t children = size_ < 10 ? size_ : 10;
        std::uint64_t first = first_;
        for (std::uint64_t i = 0; i < children; ++i) {
            const std::uint64_t size = size_ / children + (i < size_ % children ? 1 : 0);
            spawn<sky>(self(), first, size, nullptr).value().tell(go{});
            first += size;
        }
        waiting_ = children;
    }
    void handle(partial p) {
        sum_ += p.sum;
        if (--waiting_ == 0) report(sum_);
    }

private:
    void report(std::uint64_t sum) {
        if (parent_) {
            parent_.tell(partial{sum});
        } else {
            done_->set_value(sum);
        }
        quit();
    }

    troupe::ref<sky> parent_;
    std::uint64_t first_;
    std::uint64_t size_;
    std::promise<std::uint64_t>* done_;
    std::uint64_t waiting_ = 0;
    std::uint64_t sum_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
    const auto args = bench::parse(argc, argv, "core_skynet [L=1000000] [workers=K]", {1000000});
    const std::uint64_t leaves = args.values[0];
    const std::uint64_t expected = leaves * (leaves - 1) / 2;

    troupe::node_config cfg;
    cfg.workers = args.workers;
    troupe::node node{std::move(cfg)};
    const std::size_t workers = node.executor().concurrency();

    std::promise<std::uint64_t> done;
    bench::stopwatch clock;
    clock.start();
    node.spawn<sky>(troupe::ref<sky>{}, 0, leaves, &done).value().tell(go{});
    const std::uint64_t sum = done.get_future().get();
    const double elapsed = clock.elapsed_s();

    if (sum != expected) {
        std::fprintf(stderr, "skynet: the sum is %" PRIu64 ", expected %" PRIu64 "\n", sum,
                     expected);
        return 1;
    }
    std::printf("troupe skynet leaves=%" PRIu64 " workers=%zu sum=%" PRIu64 " elapsed_ms=%.1f\n",
                leaves, workers, sum, elapsed * 1e3);
    return 0;
}

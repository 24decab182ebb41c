// ask: one actor asks a server N times in sequence, each time waiting for the reply before
// the next request (bench/README.md). mean_rtt_us = elapsed / N.
//
// The client is a coroutine handler (`task<T>`): `co_await server.ask(...)` suspends it
// until the reply, as a user would write it. Every ask has a timeout, as a user's would.
// The server doubles the number it is given; the client adds up the replies, and the sum
// must be N(N-1), else the program fails without printing its result line.
#include <cinttypes>
#include <cstdint>
#include <cstdio>

#include <troupe/troupe.hpp>

#include "bench_cli.hpp"

using namespace std::chrono_literals;

namespace {

struct twice {
    std::uint64_t value;
};

struct server : troupe::actor<server, twice> {
    std::uint64_t handle(twice t) { return 2 * t.value; }
};

struct run {
    std::uint64_t requests;
};

struct client : troupe::actor<client, run> {
    explicit client(troupe::ref<server> s) : server_(std::move(s)) {}

    troupe::task<std::uint64_t> handle(run r) {
        std::uint64_t sum = 0;
        for (std::uint64_t i = 0; i < r.requests; ++i) {
            twice request{i};  // named: GCC 12 miscompiles a braced temporary in co_await
            troupe::result<std::uint64_t> reply = co_await server_.ask(std::move(request), 10s);
            if (!reply) co_return 0;
            sum += *reply;
        }
        co_return sum;
    }

private:
    troupe::ref<server> server_;
};

}  // namespace

int main(int argc, char** argv) {
    const auto args = bench::parse(argc, argv, "core_ask [N=200000] [workers=K]", {200000});
    const std::uint64_t n = args.values[0];

    troupe::node_config cfg;
    cfg.workers = args.workers;
    troupe::node node{std::move(cfg)};
    const std::size_t workers = node.executor().concurrency();

    auto asker = node.spawn<client>(node.spawn<server>().value()).value();

    bench::stopwatch clock;
    clock.start();
    const troupe::result<std::uint64_t> sum = asker.ask(run{n}, troupe::duration::max()).get();
    const double elapsed = clock.elapsed_s();

    const std::uint64_t expected = n * (n - 1);
    if (!sum || *sum != expected) {
        std::fprintf(stderr, "ask: the replies add up to %" PRIu64 ", expected %" PRIu64 "\n",
                     sum.value_or(0), expected);
        return 1;
    }
    std::printf("troupe ask n=%" PRIu64 " workers=%zu elapsed_s=%.6g mean_rtt_us=%.4g\n", n,
                workers, elapsed, elapsed * 1e6 / static_cast<double>(n));
    return 0;
}

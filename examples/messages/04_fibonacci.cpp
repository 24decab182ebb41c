// 04_fibonacci: a concurrent handler. A `const` handler returning troupe::concurrent<T> runs
// beside the actor, many at once (like the `messages` crate's Coroutine handlers): four asks
// are all in flight together and are computed in parallel on the node's worker threads.
// A concurrent handler may only read the actor (it is const); here it updates two atomic
// counters, to show how many ran at the same time.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <vector>

#include <troupe/troupe.hpp>

using namespace std::chrono_literals;

struct fib_request {
    unsigned n;
};

std::uint64_t fib(unsigned n) {
    return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

struct fibonacci : troupe::actor<fibonacci, fib_request> {
    mutable std::atomic<int> running{0};
    mutable std::atomic<int> most_at_once{0};

    troupe::concurrent<std::uint64_t> handle(fib_request r) const {
        int now = running.fetch_add(1) + 1;
        int seen = most_at_once.load();
        while (now > seen && !most_at_once.compare_exchange_weak(seen, now)) {
        }
        std::uint64_t value = fib(r.n);
        running.fetch_sub(1);
        co_return value;
    }
};

int main() {
    troupe::node node;
    auto f = node.spawn<fibonacci>().value();

    // Send every request first, then gather the replies: all four are in flight at once.
    std::vector<unsigned> ns{30, 31, 32, 33};
    std::vector<troupe::pending<std::uint64_t>> replies;
    auto start = std::chrono::steady_clock::now();
    for (unsigned n : ns) replies.push_back(f.ask(fib_request{n}, 10s));
    for (std::size_t i = 0; i < ns.size(); ++i) {
        std::printf("fib(%u) = %llu\n", ns[i],
                    static_cast<unsigned long long>(std::move(replies[i]).get().value()));
    }
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                  std::chrono::steady_clock::now() - start)
                  .count();
    std::printf(
        "%zu asks in flight together, answered in %lld ms; up to %d handlers ran at once "
        "on %zu worker threads\n",
        ns.size(), static_cast<long long>(ms), f.get()->most_at_once.load(),
        node.executor().concurrency());
}

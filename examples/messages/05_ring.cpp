// 05_ring: the ring benchmark. N actors in a ring pass a token M times around it (N*M hops),
// then the last one replies to the main thread. The token carries the reply handle of the
// first ask (a deferred reply travelling with the message).
//   Usage: 05_ring [actors=100] [rounds=100]
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include <troupe/troupe.hpp>

using namespace std::chrono_literals;

struct relay;

struct set_next {
    troupe::ref<relay> next;
};
struct start {
    std::uint64_t hops;
};
struct token {
    std::uint64_t hops_left;
    std::uint64_t hops;
    troupe::reply_handle<std::uint64_t> done;  // move-only: the token is moved hop to hop
};

struct relay : troupe::actor<relay, set_next, start, token> {
    troupe::ref<relay> next;

    void handle(set_next m) { next = std::move(m.next); }

    // Reply later: the ask is answered by whichever relay sees the last hop.
    troupe::deferred<std::uint64_t> handle(start m) {
        next.tell(token{m.hops - 1, m.hops, reply_later<std::uint64_t>()});
        return {};
    }

    void handle(token t) {
        if (t.hops_left == 0) {
            t.done.send(t.hops);
            return;
        }
        --t.hops_left;
        next.tell(std::move(t));
    }
};

int main(int argc, char** argv) {
    std::uint64_t actors = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 100;
    std::uint64_t rounds = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 100;
    if (actors == 0 || rounds == 0) {
        std::fprintf(stderr, "Usage: %s [actors=100] [rounds=100] (both > 0)\n", argv[0]);
        return 2;
    }

    troupe::node node;
    std::vector<troupe::ref<relay>> ring;
    for (std::uint64_t i = 0; i < actors; ++i) ring.push_back(node.spawn<relay>().value());
    for (std::uint64_t i = 0; i < actors; ++i) ring[i].tell(set_next{ring[(i + 1) % actors]});

    auto t0 = std::chrono::steady_clock::now();
    auto hops = ring[0].ask(start{actors * rounds}, 60s).get();
    std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - t0;
    if (!hops) {
        std::printf("ring failed: %s\n", hops.error().message().c_str());
        return 1;
    }
    std::printf("ring: %llu actors, %llu rounds: %llu hops in %.2f ms (%.2f M hops/s)\n",
                static_cast<unsigned long long>(actors), static_cast<unsigned long long>(rounds),
                static_cast<unsigned long long>(hops.value()), elapsed.count() * 1e3,
                static_cast<double>(hops.value()) / elapsed.count() / 1e6);
}

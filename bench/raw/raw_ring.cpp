// raw ring: the floor of `ring` (bench/README.md): a token makes M rounds of a ring of N
// members (N x M hops), no runtime.
//
// W = `workers` threads each own a contiguous block of members (thread t: members
// [t*N/W, (t+1)*N/W)), as a scheduler that keeps neighbours together would place them. The
// token is one node naming the member it is for and counting its hops. A thread takes the
// token from its local queue, else from its inbox; counts a visit for the member; then passes
// the token on:
//  - to a member of its own block: a push to its local queue (a plain FIFO, no atomics);
//  - to the first member of the next block: a push to that thread's inbox, an intrusive MPSC
//    queue (raw.hpp), while every thread busy-polls its own.
// So a round costs N-W local hops (a plain push, pop and counter increment each) and W hops
// across cores (an MPSC push and pop plus the cache lines they move): this measures the ring
// when the scheduler places it well, and is bound by the W cross-core hand-offs per round
// once N/W is small. Only one thread works at a time: the token is the only work.
// The clock starts when every thread runs (thread 0 then takes the token) and stops at hop
// N x M. Then the token must have counted N x M hops and every member seen it M times.
// workers=1 is one thread: every hop is local.
#include <atomic>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <thread>
#include <vector>

#include "../bench_cli.hpp"
#include "raw.hpp"

namespace {

/// The token; `hops` counts its deliveries so far, this one included.
struct token : raw::mpsc_node {
    std::uint64_t member = 0;  // whom it is for
    std::uint64_t hops = 1;
};

/// A thread's own queue: a FIFO linked through `next`, no atomic RMW. Only its thread.
class local_queue {
public:
    void push(token* t) noexcept {
        t->next.store(nullptr, std::memory_order_relaxed);
        if (back_ == nullptr) {
            front_ = t;
        } else {
            back_->next.store(t, std::memory_order_relaxed);
        }
        back_ = t;
    }
    token* pop() noexcept {
        token* t = front_;
        if (t == nullptr) return nullptr;
        front_ = static_cast<token*>(t->next.load(std::memory_order_relaxed));
        if (front_ == nullptr) back_ = nullptr;
        return t;
    }

private:
    token* front_ = nullptr;
    token* back_ = nullptr;
};

struct alignas(raw::cache_line) worker {
    raw::mpsc_queue inbox;             // tokens from the previous block's thread
    std::uint64_t begin = 0, end = 0;  // its members
    std::size_t successor = 0;         // the thread owning member `end` (mod N)
    std::vector<std::uint64_t> seen;   // visits per member of [begin, end); only its thread
};

struct ring {
    std::uint64_t n = 0, total = 0;
    std::vector<worker> workers;
    raw::start_gate gate;
    bench::stopwatch clock;
    token the_token;
    alignas(raw::cache_line) std::atomic<bool> done{false};
    double elapsed = 0;         // written by the thread that takes the last hop
    std::uint64_t counted = 0;  // likewise

    ring(std::uint64_t n, std::uint64_t m, std::size_t threads)
        : n(n), total(n * m), workers(threads), gate(threads) {
        for (std::size_t t = 0; t < threads; ++t) {
            worker& w = workers[t];
            w.begin = t * n / threads;
            w.end = (t + 1) * n / threads;
            w.successor = owner(w.end % n);
            w.seen.assign(w.end - w.begin, 0);
        }
    }

    /// The last thread whose block starts at or before member i.
    std::size_t owner(std::uint64_t i) const noexcept { return ((i + 1) * workers.size() - 1) / n; }

    /// The body of thread `me`.
    void run(std::size_t me) {
        worker& w = workers[me];
        local_queue local;
        if (me == 0) {
            gate.open(clock);
            if (w.begin < w.end) {
                local.push(&the_token);
            } else {  // more threads than members: member 0 is another's
                workers[owner(0)].inbox.push(&the_token);
            }
        } else {
            gate.arrive_and_wait();
        }
        raw::spinner spin;
        for (;;) {
            token* t = local.pop();
            if (t == nullptr) t = static_cast<token*>(w.inbox.pop());
            if (t == nullptr) {
                if (done.load(std::memory_order_acquire)) return;
                spin.wait();
                continue;
            }
            spin.reset();
            ++w.seen[t->member - w.begin];
            if (t->hops == total) {
                elapsed = clock.elapsed_s();
                counted = t->hops;
                done.store(true, std::memory_order_release);
                return;
            }
            ++t->hops;
            t->member = t->member + 1 == n ? 0 : t->member + 1;
            if (t->member >= w.begin && t->member < w.end) {
                local.push(t);
            } else {
                workers[w.successor].inbox.push(t);
            }
        }
    }
};

}  // namespace

int main(int argc, char** argv) {
    const auto args =
        bench::parse(argc, argv, "raw_ring [N=1000] [M=1000] [workers=K]", {1000, 1000});
    const std::uint64_t n = args.values[0];
    const std::uint64_t m = args.values[1];
    const std::size_t workers = raw::worker_count(args.workers);

    ring r{n, m, workers};
    std::vector<std::thread> others;
    for (std::size_t t = 1; t < workers; ++t) others.emplace_back([&r, t] { r.run(t); });
    r.run(0);
    for (auto& t : others) t.join();

    if (r.counted != r.total) {
        std::fprintf(stderr, "ring: the token counted %" PRIu64 " hops, expected %" PRIu64 "\n",
                     r.counted, r.total);
        return 1;
    }
    for (const worker& w : r.workers) {
        for (std::uint64_t i = w.begin; i < w.end; ++i) {
            if (w.seen[i - w.begin] != m) {
                std::fprintf(stderr,
                             "ring: member %" PRIu64 " saw the token %" PRIu64
                             " times, expected %" PRIu64 "\n",
                             i, w.seen[i - w.begin], m);
                return 1;
            }
        }
    }
    std::printf("raw ring n=%" PRIu64 " m=%" PRIu64 " hops=%" PRIu64
                " workers=%zu elapsed_s=%.6g hops_per_s=%.0f\n",
                n, m, r.total, workers, r.elapsed, static_cast<double>(r.total) / r.elapsed);
    return 0;
}

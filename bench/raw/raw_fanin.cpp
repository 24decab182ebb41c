// raw fanin: the floor of `fanin` (bench/README.md): P producers send M messages each to one
// consumer, no runtime.
//
// The honest floor on a `workers`-thread machine is not P spinning threads: with more of them
// than cores they would mostly wait for the scheduler, not for the queue. A runtime with W
// workers runs the P producer actors on its W threads; so does the floor:
//  - one consumer thread (the main thread) and T = min(P, W-1) producer threads, W threads at
//    most; producer thread t plays the logical producers t, t+T, t+2T, ..., sending their
//    messages round-robin (one of each, then the next of each, ...), P x M in all;
//  - all push into one intrusive MPSC queue (raw.hpp: the queue a mailbox is). Each message is
//    a node from its producer thread's preallocated pool: the consumer hands nodes back in
//    chains of `return_batch` through a lock-free stack the producer empties with one
//    exchange. A mailbox needs its nodes from somewhere too; a pool is the cheapest source,
//    so no allocation happens while timed;
//  - the consumer pops, checks that every logical producer's messages arrive in order (its
//    sequence numbers 0..M-1) and counts; the clock runs from the start of the producers to
//    the consumer's P x M-th message.
// workers=1 is one thread that lets the producers push up to `turn` messages, then the
// consumer drain the queue, in turns (what a one-worker runtime does): the floor of the same
// hand-off without crossing cores. `workers=` reports W, even when P < W-1 leaves some unused.
#include <algorithm>
#include <atomic>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <deque>
#include <limits>
#include <memory>
#include <thread>
#include <vector>

#include "../bench_cli.hpp"
#include "raw.hpp"

namespace {

constexpr std::size_t pool_size = 8192;    // nodes per producer thread
constexpr std::size_t return_batch = 256;  // nodes the consumer hands back at once
constexpr std::uint64_t turn = 1024;       // workers=1: messages pushed per producer turn
static_assert(pool_size >= return_batch, "else a producer could wait forever for nodes");

struct message : raw::mpsc_node {
    std::uint64_t producer = 0;  // logical producer, 0..P-1
    std::uint64_t seq = 0;       // its message number, 0..M-1
    std::size_t pool = 0;        // the producer thread whose node this is
};

/// A producer thread's nodes. take: only the producer thread; give_back: only the consumer.
class alignas(raw::cache_line) pool {
public:
    explicit pool(std::size_t thread) : nodes_(new message[pool_size]) {
        for (std::size_t i = 0; i < pool_size; ++i) {
            nodes_[i].pool = thread;
            nodes_[i].next.store(free_, std::memory_order_relaxed);
            free_ = &nodes_[i];
        }
    }

    /// A free node, or nullptr if all are in flight.
    message* take() noexcept {
        if (free_ == nullptr) free_ = returned_.exchange(nullptr, std::memory_order_acquire);
        if (free_ == nullptr) return nullptr;
        auto* m = static_cast<message*>(free_);
        free_ = m->next.load(std::memory_order_relaxed);
        return m;
    }

    /// Returns the chain first..last (linked through `next`).
    void give_back(message* first, message* last) noexcept {
        raw::mpsc_node* top = returned_.load(std::memory_order_relaxed);
        do {
            last->next.store(top, std::memory_order_relaxed);
        } while (!returned_.compare_exchange_weak(top, first, std::memory_order_release,
                                                  std::memory_order_relaxed));
    }

private:
    std::unique_ptr<message[]> nodes_;
    raw::mpsc_node* free_ = nullptr;  // the producer's own list
    alignas(raw::cache_line) std::atomic<raw::mpsc_node*> returned_{nullptr};
};

/// One producer thread's share: logical producers first, first+stride, ... below p.
struct producer {
    producer(std::uint64_t first, std::uint64_t stride, std::uint64_t p, std::uint64_t m)
        : nodes(first), first(first), stride(stride), p(p), m(m), id(first) {}

    /// Pushes up to `budget` messages; returns how many (fewer when done or out of nodes).
    std::uint64_t run(raw::mpsc_queue& q, std::uint64_t budget) {
        std::uint64_t sent = 0;
        for (; sent < budget && seq < m; ++sent) {
            message* msg = nodes.take();
            if (msg == nullptr) break;
            msg->producer = id;
            msg->seq = seq;
            q.push(msg);
            id += stride;
            if (id >= p) {
                id = first;
                ++seq;
            }
        }
        return sent;
    }
    bool done() const noexcept { return seq == m; }

    pool nodes;
    const std::uint64_t first, stride, p, m;
    std::uint64_t id, seq = 0;  // the next message to send
};

class consumer {
public:
    consumer(std::deque<producer>& producers, std::uint64_t p)
        : next_seq(p, 0), producers_(producers), chains_(producers.size()) {}

    /// Only the consumer thread. Pops until the queue is empty; returns how many it popped.
    std::uint64_t run(raw::mpsc_queue& q) {
        std::uint64_t popped = 0;
        while (auto* msg = static_cast<message*>(q.pop())) {
            ++popped;
            if (msg->seq != next_seq[msg->producer]++ && !out_of_order) {
                out_of_order = true;
                bad_producer = msg->producer;
                bad_seq = msg->seq;
            }
            recycle(msg);
        }
        received += popped;
        return popped;
    }

    std::vector<std::uint64_t> next_seq;  // per logical producer: its messages so far
    std::uint64_t received = 0;
    bool out_of_order = false;
    std::uint64_t bad_producer = 0, bad_seq = 0;  // the first message out of order

private:
    struct chain {
        message* first = nullptr;
        message* last = nullptr;
        std::size_t size = 0;
    };

    void recycle(message* msg) noexcept {
        const std::size_t owner = msg->pool;
        chain& c = chains_[owner];
        msg->next.store(c.first, std::memory_order_relaxed);
        c.first = msg;
        if (c.last == nullptr) c.last = msg;
        if (++c.size == return_batch) {
            producers_[owner].nodes.give_back(c.first, c.last);
            c = chain{};
        }
    }

    std::deque<producer>& producers_;
    std::vector<chain> chains_;  // per producer thread: nodes to hand back
};

}  // namespace

int main(int argc, char** argv) {
    const auto args =
        bench::parse(argc, argv, "raw_fanin [P=8] [M=1000000] [workers=K]", {8, 1000000});
    const std::uint64_t p = args.values[0];
    const std::uint64_t m = args.values[1];
    const std::uint64_t total = p * m;
    const std::size_t workers = raw::worker_count(args.workers);

    const std::size_t threads = workers == 1 ? 1 : std::min<std::uint64_t>(p, workers - 1);
    std::deque<producer> producers;
    for (std::size_t t = 0; t < threads; ++t) producers.emplace_back(t, threads, p, m);
    consumer cons{producers, p};
    raw::mpsc_queue queue;
    bench::stopwatch clock;
    double elapsed = 0;

    if (workers == 1) {
        clock.start();
        while (cons.received < total) {
            producers[0].run(queue, turn);
            cons.run(queue);
        }
        elapsed = clock.elapsed_s();
    } else {
        raw::start_gate gate{threads + 1};
        std::vector<std::thread> running;
        for (auto& prod : producers) {
            running.emplace_back([&queue, &gate, &prod] {
                gate.arrive_and_wait();
                raw::spinner spin;
                while (!prod.done()) {
                    if (prod.run(queue, std::numeric_limits<std::uint64_t>::max()) > 0) {
                        spin.reset();
                    } else {
                        spin.wait();  // every node in flight: wait for the consumer
                    }
                }
            });
        }
        gate.open(clock);
        raw::spinner spin;
        while (cons.received < total) {
            if (cons.run(queue) > 0) {
                spin.reset();
            } else {
                spin.wait();
            }
        }
        elapsed = clock.elapsed_s();
        for (auto& t : running) t.join();
    }

    if (cons.out_of_order) {
        std::fprintf(stderr,
                     "fanin: producer %" PRIu64 "'s message %" PRIu64 " arrived out of order\n",
                     cons.bad_producer, cons.bad_seq);
        return 1;
    }
    for (std::uint64_t i = 0; i < p; ++i) {
        if (cons.next_seq[i] != m) {
            std::fprintf(stderr,
                         "fanin: producer %" PRIu64 " delivered %" PRIu64
                         " messages, expected %" PRIu64 "\n",
                         i, cons.next_seq[i], m);
            return 1;
        }
    }
    std::printf("raw fanin p=%" PRIu64 " m=%" PRIu64 " msgs=%" PRIu64
                " workers=%zu elapsed_s=%.6g msgs_per_s=%.0f\n",
                p, m, total, workers, elapsed, static_cast<double>(total) / elapsed);
    return 0;
}

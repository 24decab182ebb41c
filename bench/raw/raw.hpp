#pragma once
// What the raw floor programs share: an intrusive lock-free MPSC queue (the kind of queue an
// actor mailbox is), spinning, and a start gate. No runtime: plain threads that busy-poll.
//
// The queue is Vyukov's intrusive MPSC queue:
//  1. push exchanges `back_` with the new node (one atomic RMW, wait-free), then links the
//     previous back node to it. Between those two steps the chain is broken: pop sees the
//     queue as empty until the link lands, which only delays the consumer.
//  2. The queue always holds at least one node, so that push never touches the consumer's
//     end; `sentinel_` is that node when the queue is drained. pop never returns the last node
//     while it is still `back_` (a producer may be linking to it): it re-pushes the sentinel
//     behind it first.
// Messages derive from `mpsc_node`; the queue never allocates.

#include <atomic>
#include <cstddef>
#include <thread>

#include "../bench_cli.hpp"

namespace raw {

inline constexpr std::size_t cache_line = 64;

/// One pause instruction: tells the core we are spinning (saves power, frees the sibling
/// hyper-thread, avoids the memory-order mis-speculation when the awaited line changes).
inline void cpu_relax() noexcept {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    asm volatile("yield");
#endif
}

/// Busy-waiting with pause. After a long wait (1024 pauses in a row) it yields the core,
/// never sleeps: with more spinning threads than cores, the thread we wait for still runs.
class spinner {
public:
    void wait() noexcept {
        cpu_relax();
        if (++spins_ % 1024 == 0) std::this_thread::yield();
    }
    /// The wait is over: the next one starts from zero.
    void reset() noexcept { spins_ = 0; }

private:
    unsigned spins_ = 0;
};

struct mpsc_node {
    std::atomic<mpsc_node*> next{nullptr};
};

class mpsc_queue {
public:
    mpsc_queue() = default;
    mpsc_queue(const mpsc_queue&) = delete;
    mpsc_queue& operator=(const mpsc_queue&) = delete;

    /// Thread-safe: any thread may push. `n` must not be in any queue.
    void push(mpsc_node* n) noexcept {
        n->next.store(nullptr, std::memory_order_relaxed);
        // acq_rel: release publishes `n` (and its payload) to the consumer; acquire orders our
        // link below after the previous pusher's reset of prev->next.
        mpsc_node* prev = back_.exchange(n, std::memory_order_acq_rel);
        prev->next.store(n, std::memory_order_release);
    }

    /// Only the consumer thread may call this. Returns nullptr if the queue is empty (or a
    /// push is halfway: try again).
    mpsc_node* pop() noexcept {
        mpsc_node* front = front_;
        mpsc_node* next = front->next.load(std::memory_order_acquire);
        if (front == &sentinel_) {
            if (next == nullptr) return nullptr;
            front_ = front = next;
            next = next->next.load(std::memory_order_acquire);
        }
        if (next != nullptr) {
            front_ = next;
            return front;
        }
        if (front != back_.load(std::memory_order_acquire)) return nullptr;  // push halfway
        push(&sentinel_);  // `front` is the last node: put the sentinel behind it, then take it
        next = front->next.load(std::memory_order_acquire);
        if (next == nullptr) return nullptr;  // another push came between: its link is pending
        front_ = next;
        return front;
    }

private:
    alignas(cache_line) std::atomic<mpsc_node*> back_{&sentinel_};  // producers' end
    alignas(cache_line) mpsc_node* front_ = &sentinel_;             // consumer's end
    mpsc_node sentinel_;
};

/// Starts the threads of a run together, so that no thread's start-up is timed.
class start_gate {
public:
    explicit start_gate(std::size_t threads) : others_(threads - 1) {}

    /// Every thread but the leader: announces it runs, then spins until the gate opens.
    void arrive_and_wait() noexcept {
        arrived_.fetch_add(1, std::memory_order_release);
        spinner spin;
        while (!open_.load(std::memory_order_acquire)) spin.wait();
    }

    /// The leader: waits for all the others to arrive, starts `clock`, opens the gate.
    void open(bench::stopwatch& clock) noexcept {
        spinner spin;
        while (arrived_.load(std::memory_order_acquire) < others_) spin.wait();
        clock.start();
        open_.store(true, std::memory_order_release);
    }

private:
    std::size_t others_;
    alignas(cache_line) std::atomic<std::size_t> arrived_{0};
    alignas(cache_line) std::atomic<bool> open_{false};
};

/// `workers=K`, or one per hardware thread when absent.
inline std::size_t worker_count(std::size_t requested) {
    if (requested != 0) return requested;
    const unsigned hw = std::thread::hardware_concurrency();
    return hw == 0 ? 1 : hw;
}

}  // namespace raw

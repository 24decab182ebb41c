#pragma once
// A scheduled timer as the timer service sees it.
//
// Protocol (the state word is the only synchronisation between the service and cancel()):
//  1. The owner creates the node (refs = 1, state = pending) and hands the service a
//     reference with executor::schedule_timer().
//  2. At the deadline the service CASes pending -> firing. If that fails the timer was
//     cancelled: the service drops its reference and forgets it.
//  3. The service calls fire(). A one-shot timer then stores `fired` and calls drop().
//     A periodic one CASes firing -> pending, advances the deadline by `period` and
//     re-inserts itself; if that CAS fails, cancel() ran meanwhile: it calls drop().
//  4. cancel() CASes pending -> cancelled (then drops the payload itself: fire() can no
//     longer run) or, for a periodic timer that is firing, firing -> cancelled (the service
//     drops it after fire() returns). It returns true iff it prevented a future firing.
// drop() releases the payload (a message, a reference to an actor) at once, so that a
// cancelled timer keeps no actor alive even while its node waits in the service's heap.

#include <atomic>
#include <cstddef>
#include <cstdint>

#include <troupe/clock.hpp>
#include <troupe/detail/pool.hpp>

namespace troupe::detail {

class timer_node {
public:
    enum state : std::uint8_t { pending, firing, fired, cancelled };

    timer_node(time_point deadline, duration period) noexcept
        : deadline_(deadline.time_since_epoch().count()), period_(period) {}

    // Every ask with a time-out makes one: from the per-thread pool, not the heap. The
    // destructor is virtual, so delete passes the most derived type's size.
    static void* operator new(std::size_t size) { return pool_allocate(size); }
    static void operator delete(void* p, std::size_t size) noexcept { pool_free(p, size); }

    /// Thread-safe: a periodic timer's deadline moves on as it fires.
    time_point deadline() const noexcept {
        return time_point{duration{deadline_.load(std::memory_order_relaxed)}};
    }
    duration period() const noexcept { return period_; }
    bool periodic() const noexcept { return period_ > duration::zero(); }

    // --- called by the timer service only ------------------------------------------------
    /// Steps 2-3. Returns true if the (periodic) timer must be re-inserted; the deadline
    /// has then been advanced to the first multiple of the period after `now`: a timer that
    /// fell behind (a stalled machine) skips the firings it missed instead of bursting.
    bool run(time_point now = time_point::min()) noexcept {
        std::uint8_t expected = pending;
        if (!state_.compare_exchange_strong(expected, firing, std::memory_order_acq_rel)) {
            return false;
        }
        fire();
        if (!periodic()) {
            state_.store(fired, std::memory_order_release);
            drop();
            return false;
        }
        expected = firing;
        if (state_.compare_exchange_strong(expected, pending, std::memory_order_acq_rel)) {
            auto next = deadline_.load(std::memory_order_relaxed) + period_.count();
            auto current = now.time_since_epoch().count();
            if (next <= current) next += ((current - next) / period_.count() + 1) * period_.count();
            deadline_.store(next, std::memory_order_relaxed);
            return true;
        }
        drop();
        return false;
    }

    // --- thread-safe ---------------------------------------------------------------------
    /// Step 4. True iff this call prevented a future firing.
    bool cancel() noexcept {
        std::uint8_t s = state_.load(std::memory_order_acquire);
        for (;;) {
            if (s == pending) {
                if (state_.compare_exchange_weak(s, cancelled, std::memory_order_acq_rel)) {
                    drop();
                    return true;
                }
            } else if (s == firing && periodic()) {
                if (state_.compare_exchange_weak(s, cancelled, std::memory_order_acq_rel)) {
                    return true;
                }
            } else {
                return false;
            }
        }
    }
    bool is_pending() const noexcept { return state_.load(std::memory_order_acquire) == pending; }
    bool has_fired() const noexcept { return state_.load(std::memory_order_acquire) == fired; }

    /// The timer service's link for timers scheduled but not yet filed (its own use only).
    timer_node* next_scheduled = nullptr;

    void add_ref() noexcept { refs_.fetch_add(1, std::memory_order_relaxed); }
    void release() noexcept {
        if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) delete this;
    }

protected:
    virtual ~timer_node() = default;
    /// Delivers the timer's effect (enqueue a message, complete a time-out...).
    virtual void fire() noexcept = 0;
    /// Releases the payload. Called exactly once, after the last fire() or on cancel.
    virtual void drop() noexcept = 0;

private:
    std::atomic<std::uint32_t> refs_{1};
    std::atomic<std::uint8_t> state_{pending};
    std::atomic<duration::rep> deadline_;
    duration period_;
};

}  // namespace troupe::detail

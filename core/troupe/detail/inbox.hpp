#pragma once
// The mailbox's shared half: an intrusive lock-free MPSC stack whose head word also says
// whether the actor is idle or dead. This is the mailbox/scheduling handshake:
//
//  1. The head is a node pointer or one of two marks. `nullptr` means "no new messages and
//     the actor is scheduled or running"; `blocked` means "idle: not scheduled"; `closed`
//     means "dead: accepts nothing".
//  2. push() CASes the new node onto the head. If the head was `blocked`, the pusher is the
//     one producer that woke the actor and must schedule it (push returns `unblocked`);
//     exactly one producer can see `blocked`, so an actor is never scheduled twice.
//  3. If the head was `closed`, push fails and the sender reports the error: a message is
//     never silently lost.
//  4. The consumer takes everything with one exchange(nullptr) and reverses the chain into
//     arrival order (each producer's messages stay in send order: FIFO per pair).
//  5. When it runs out of work, the consumer CASes nullptr -> blocked. If that fails a push
//     arrived in between: it goes on handling messages instead of sleeping.
//  6. close() exchanges in `closed` and returns what was left, for the caller to fail.
// A push costs one CAS; a batch of messages costs the consumer one exchange.

#include <atomic>
#include <cstdint>

#include <troupe/detail/envelope.hpp>

namespace troupe::detail {

/// Reverses an intrusive chain of envelopes (newest-first <-> oldest-first).
inline envelope* reverse_chain(envelope* e) noexcept {
    envelope* out = nullptr;
    while (e) {
        auto* next = e->next;
        e->next = out;
        out = e;
        e = next;
    }
    return out;
}

class inbox {
public:
    enum class push_result : std::uint8_t { ok, unblocked, closed };

    /// Starts neither idle nor dead: the creator decides when the actor first runs.
    inbox() noexcept = default;

    // --- thread-safe ---------------------------------------------------------------------
    push_result push(envelope* e) noexcept {
        void* head = head_.load(std::memory_order_relaxed);
        for (;;) {
            if (head == closed_mark()) return push_result::closed;
            e->next = head == blocked_mark() ? nullptr : static_cast<envelope*>(head);
            if (head_.compare_exchange_weak(head, e, std::memory_order_release,
                                            std::memory_order_relaxed)) {
                return head == blocked_mark() ? push_result::unblocked : push_result::ok;
            }
        }
    }
    bool is_closed() const noexcept {
        return head_.load(std::memory_order_acquire) == closed_mark();
    }

    // --- only the owning actor (the consumer) ----------------------------------------------
    /// Step 4: all new messages, oldest first (nullptr if none).
    envelope* take_all() noexcept {
        void* head = head_.load(std::memory_order_relaxed);
        if (head == nullptr || head == blocked_mark() || head == closed_mark()) return nullptr;
        head = head_.exchange(nullptr, std::memory_order_acquire);
        return reverse_chain(static_cast<envelope*>(head));
    }
    bool has_new() const noexcept {
        void* head = head_.load(std::memory_order_relaxed);
        return head != nullptr && head != blocked_mark() && head != closed_mark();
    }
    /// Step 5. True if the actor is now idle.
    bool try_block() noexcept {
        void* expected = nullptr;
        return head_.compare_exchange_strong(expected, blocked_mark(), std::memory_order_acq_rel,
                                             std::memory_order_relaxed);
    }
    /// Step 6: closes and returns the remaining messages, oldest first.
    envelope* close() noexcept {
        void* head = head_.exchange(closed_mark(), std::memory_order_acq_rel);
        if (head == nullptr || head == blocked_mark() || head == closed_mark()) return nullptr;
        return reverse_chain(static_cast<envelope*>(head));
    }

private:
    static void* blocked_mark() noexcept { return reinterpret_cast<void*>(std::uintptr_t{1}); }
    static void* closed_mark() noexcept { return reinterpret_cast<void*>(std::uintptr_t{2}); }

    std::atomic<void*> head_{nullptr};
};

/// The mailbox's private half: messages taken from the inbox, by lane. User messages keep
/// arrival order in a FIFO; the rare priority messages are kept sorted (highest first,
/// arrival order within a priority). Only the owning actor touches it.
class lanes {
public:
    void add(envelope* e) noexcept {
        e->next = nullptr;
        if (e->prio == priority::user) {
            if (user_tail_) {
                user_tail_->next = e;
            } else {
                user_head_ = e;
            }
            user_tail_ = e;
            return;
        }
        envelope** pos = &urgent_;
        while (*pos && (*pos)->prio >= e->prio) pos = &(*pos)->next;
        e->next = *pos;
        *pos = e;
    }
    void add_all(envelope* chain) noexcept {
        while (chain) {
            auto* next = chain->next;
            add(chain);
            chain = next;
        }
    }
    /// Puts a user message back at the front (it could not be handled yet).
    void push_front_user(envelope* e) noexcept {
        e->next = user_head_;
        user_head_ = e;
        if (!user_tail_) user_tail_ = e;
    }

    /// Puts messages taken out of the urgent lane back, ahead of later ones of the same
    /// priority (`chain` is oldest first).
    void requeue_urgent(envelope* chain) noexcept {
        envelope* reversed = reverse_chain(chain);
        while (reversed) {  // newest first, each to the front of its priority
            auto* next = reversed->next;
            envelope** pos = &urgent_;
            while (*pos && (*pos)->prio > reversed->prio) pos = &(*pos)->next;
            reversed->next = *pos;
            *pos = reversed;
            reversed = next;
        }
    }

    envelope* pop_urgent() noexcept {
        auto* e = urgent_;
        if (e) urgent_ = e->next;
        return e;
    }
    envelope* pop_user() noexcept {
        auto* e = user_head_;
        if (e) {
            user_head_ = e->next;
            if (!user_head_) user_tail_ = nullptr;
        }
        return e;
    }
    bool has_urgent() const noexcept { return urgent_ != nullptr; }
    bool has_user() const noexcept { return user_head_ != nullptr; }

    /// Removes everything, oldest urgent first, for disposal.
    envelope* take_all() noexcept {
        envelope* chain = urgent_;
        envelope** tail = &chain;
        while (*tail) tail = &(*tail)->next;
        *tail = user_head_;
        urgent_ = user_head_ = user_tail_ = nullptr;
        return chain;
    }

private:
    envelope* urgent_ = nullptr;
    envelope* user_head_ = nullptr;
    envelope* user_tail_ = nullptr;
};

}  // namespace troupe::detail

#pragma once
// The parts of an actor that most actors never use, allocated on first use so that an idle
// actor stays small. Only the owning actor touches actor_extras; bounded_state is shared.

#include <atomic>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include <troupe/detail/actor_cell.hpp>
#include <troupe/detail/async_state.hpp>
#include <troupe/detail/envelope.hpp>
#include <troupe/detail/intrusive_ptr.hpp>
#include <troupe/detail/timer_node.hpp>
#include <troupe/exit_reason.hpp>

namespace troupe::detail {

struct actor_extras {
    std::string name;
    /// Timers this actor armed; cancelled when it exits.
    std::vector<intrusive_ptr<timer_node>> timers;
    /// Suspended handler coroutines (one exclusive at most, any number of reentrant).
    std::vector<std::unique_ptr<running_handler>> handlers;
    /// Why the actor exited; written once, before the exit listeners are closed (not at all
    /// for a normal exit of an actor that had no extras: a missing record means normal).
    exit_reason final_reason;
    /// The reason given to quit(), applied after the current handler.
    exit_reason quit_reason;
    /// Runtime messages held while concurrent handlers read the actor (oldest first).
    envelope* held_head = nullptr;
    envelope* held_tail = nullptr;
    /// Trapped exit signals, handled before user messages (oldest first).
    envelope* signals_head = nullptr;
    envelope* signals_tail = nullptr;
    /// Monitors this actor holds, by id: the target and the listener attached to it.
    struct monitor_record {
        intrusive_ptr<actor_cell> target;
        exit_listener* end;
    };
    std::unordered_map<std::uint64_t, monitor_record> monitors;
    /// The actor that spawned this one linked (spawn_options::link), if any.
    address parent;

    /// Remembers a timer this actor armed. Fired one-shot timers are forgotten in sweeps
    /// that run when the list has doubled since the last one, so adding stays amortised
    /// O(1) however many timers are pending.
    void add_timer(timer_node* t);

private:
    std::size_t next_timer_sweep_ = 16;
};

/// A sender waiting for room in a bounded mailbox.
struct blocked_sender {
    envelope* message;
    intrusive_ptr<async_state<void>> done;
};

/// Capacity accounting of a bounded mailbox. Thread-safe.
struct bounded_state {
    explicit bounded_state(std::size_t cap) : capacity(cap) {}
    const std::size_t capacity;
    std::atomic<std::size_t> queued{0};  // user messages in the mailbox
    std::atomic<bool> has_waiters{false};
    std::mutex mutex;  // guards waiters
    std::deque<blocked_sender> waiters;
};

}  // namespace troupe::detail

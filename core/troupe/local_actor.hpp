#pragma once
// local_actor: what every actor running in this process is. It owns the mailbox, runs
// handlers one at a time on the node's executor, and carries the lifecycle.
//
// Running an actor (resume, on a worker thread; the inbox handshake is in detail/inbox.hpp):
//  1. Move new messages from the inbox to the lanes; take the highest-priority one. User
//     messages are taken only when no exclusive coroutine handler is suspended and no
//     concurrent handler must drain first.
//  2. Dispatch it. A handler that throws ends the actor with error{what}.
//  3. Repeat up to the executor's budget, then yield (`again`), so that one busy actor
//     cannot starve the others; or, with nothing to do, mark the inbox blocked (`done`).
// Exiting (terminate): the state becomes `dead`; suspended handler frames are destroyed;
// owned timers are cancelled; on_stopped runs; the inbox is closed and what it still held
// is failed back to its senders (askers get no_such_actor); the actor leaves the node's
// table and registry; only then do exit listeners (wait, monitors) learn the reason.

#include <atomic>
#include <coroutine>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include <troupe/address.hpp>
#include <troupe/detail/envelope.hpp>
#include <troupe/detail/inbox.hpp>
#include <troupe/detail/intrusive_ptr.hpp>
#include <troupe/exit_reason.hpp>
#include <troupe/resumable.hpp>
#include <troupe/spawn_options.hpp>

namespace troupe {

class node;
class executor;

namespace detail {
struct actor_extras;
struct bounded_state;
struct actor_access;
class exit_listener;
class running_handler;
}  // namespace detail

/// A message as seen by the `unhandled` hook and by process-style actors.
class message_view {
public:
    explicit message_view(detail::envelope& e) noexcept : e_(&e) {}
    std::string_view type_name() const noexcept { return e_->type()->name; }
    address sender() const noexcept { return e_->sender; }
    template <class T>
    bool is() const noexcept {
        return e_->type() == detail::type_id_of<T>();
    }
    /// The payload; nullptr if it is not a T.
    template <class T>
    T* get_if() const noexcept {
        return is<T>() ? &static_cast<detail::envelope_of<T>*>(e_)->value : nullptr;
    }
    detail::envelope& envelope() const noexcept { return *e_; }

private:
    detail::envelope* e_;
};

class local_actor : public resumable {
public:
    local_actor(const local_actor&) = delete;
    local_actor& operator=(const local_actor&) = delete;

    // --- thread-safe ---------------------------------------------------------------------
    address addr() const noexcept { return addr_; }
    node& home() const noexcept { return *node_; }
    /// The spawn name, else the actor's type name.
    std::string_view name() const noexcept;

    void add_ref() noexcept final { refs_.fetch_add(1, std::memory_order_relaxed); }
    void release() noexcept final {
        if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) delete this;
    }

    /// Puts an envelope in the mailbox. On failure (no_such_actor, mailbox_full) the
    /// envelope is NOT consumed: the caller disposes of it and reports the error.
    /// Returns errc{} (value 0) on success.
    errc enqueue(detail::envelope* e) noexcept;

    /// True once the actor has exited.
    bool is_dead() const noexcept { return inbox_.is_closed(); }

    /// Calls `listener->notify(reason)` when the actor exits (at once if it has).
    void attach(detail::exit_listener* listener) noexcept;

    /// The capacity of a bounded mailbox, 0 if unbounded.
    std::size_t capacity() const noexcept;

    // --- only from inside the actor (its handlers and hooks) ------------------------------
    /// Ends the actor after the current handler returns.
    void quit(exit_reason reason = exit_reason::normal());

protected:
    local_actor();
    virtual ~local_actor();

    /// Start hook. Throw to fail the spawn: spawn() returns errc::start_failed with the
    /// exception's message and the actor never exists.
    virtual void on_start() {}
    /// A graceful stop was requested. Return false to veto it and keep running.
    virtual bool on_stopping() { return true; }
    /// The actor has exited, for any reason (normal, stop, kill, error).
    virtual void on_stopped(const exit_reason& reason) { (void)reason; }
    /// A message that no handler takes. The default logs a warning and drops it.
    virtual void on_unhandled(message_view msg);

    enum class dispatch_result : std::uint8_t {
        handled,
        /// A mutating handler must wait for concurrent ones: keep the message for later.
        wait_for_concurrent,
        /// The actor kept the envelope (process-style actors stash or hand it over).
        kept,
    };
    /// Handles one user message (or a system message the runtime does not know).
    virtual dispatch_result dispatch(detail::envelope& e) = 0;
    /// The C++ type name, for logs.
    virtual std::string_view type_name() const noexcept = 0;

    // --- for actor kinds built on local_actor (typed actors, processes) ------------------
    /// Starts a handler coroutine inside the actor; `reply` receives its result.
    /// Exclusive ones stop user messages until they finish.
    void start_handler(std::unique_ptr<detail::running_handler> h);
    /// Starts a concurrent handler beside the actor.
    void start_concurrent(std::coroutine_handle<> driver);
    bool concurrent_in_flight() const noexcept { return concurrent_in_flight_ > 0; }
    /// The envelope being dispatched (valid during dispatch only).
    detail::envelope* current_envelope() const noexcept { return current_; }
    /// Takes ownership of the envelope being dispatched (then dispatch returns `kept`).
    detail::envelope* take_current() noexcept { return std::exchange(current_, nullptr); }
    void enqueue_self(detail::envelope* e) noexcept;
    detail::actor_extras& extras();
    /// Finishes handler coroutines that have run to their end.
    void reap_handlers();

private:
    friend class node;
    friend struct detail::actor_access;

    resume_result resume(std::size_t budget) final;
    void handle_system(detail::envelope& e);
    void handle_stop(bool forced, exit_reason reason);
    void run_envelope(detail::envelope* e);
    void terminate(exit_reason reason) noexcept;
    void schedule_self() noexcept;
    void release_slot() noexcept;
    void fail_blocked_senders() noexcept;
    void close_listeners(const exit_reason& reason) noexcept;

    std::atomic<std::uint32_t> refs_{1};
    enum class life : std::uint8_t { starting, running, dead };
    life life_ = life::starting;
    bool exclusive_busy_ = false;  // an exclusive handler coroutine is suspended
    bool draining_ = false;        // a mutating handler waits for concurrent ones
    bool quit_requested_ = false;
    std::uint32_t concurrent_in_flight_ = 0;
    address addr_;
    node* node_ = nullptr;
    executor* exec_ = nullptr;
    detail::bounded_state* bounded_ = nullptr;  // set before the actor is shared
    detail::inbox inbox_;
    detail::lanes lanes_;
    std::atomic<void*> listeners_{nullptr};
    detail::envelope* current_ = nullptr;
    std::unique_ptr<const std::string> name_;  // set before the actor is shared
    std::unique_ptr<detail::actor_extras> extras_;
};

namespace detail {

/// Something that wants to know when an actor exits (wait(), monitors, links).
class exit_listener {
public:
    virtual void notify(address who, const exit_reason& reason) noexcept = 0;
    exit_listener* next_listener = nullptr;

protected:
    ~exit_listener() = default;
};

/// A handler coroutine the actor keeps while it is suspended.
class running_handler {
public:
    virtual ~running_handler() = default;
    virtual std::coroutine_handle<> handle() const noexcept = 0;
    /// Delivers the finished coroutine's reply; rethrows its exception.
    virtual void finish() = 0;
    /// The actor exits while the handler is suspended: fail its asker.
    virtual void abandon(const exit_reason& reason) noexcept = 0;
    virtual bool exclusive() const noexcept = 0;
};

}  // namespace detail
}  // namespace troupe

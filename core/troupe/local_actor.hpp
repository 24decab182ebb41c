#pragma once
// local_actor: the user's half of an actor running in this process, the base of every actor
// class (through troupe::actor<Self, Messages...>). It holds the lifecycle hooks and the
// state; the runtime's half, the cell with the mailbox, runs it (detail/actor_cell.hpp).
// The behaviour is destroyed when the actor exits, so its members (refs to other actors,
// files, sockets) are released then, not when the last ref to the actor goes away.

#include <cstdint>
#include <memory>
#include <string_view>
#include <utility>

#include <troupe/address.hpp>
#include <troupe/detail/actor_cell.hpp>
#include <troupe/detail/envelope.hpp>
#include <troupe/exit_reason.hpp>
#include <troupe/signals.hpp>

namespace troupe {

class node;

namespace detail {
struct actor_extras;
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

class local_actor {
public:
    local_actor(const local_actor&) = delete;
    local_actor& operator=(const local_actor&) = delete;
    virtual ~local_actor() = default;

    // --- thread-safe; valid from on_start on (not in the constructor) ---------------------
    address addr() const noexcept { return cell_->addr(); }
    node& home() const noexcept { return cell_->home(); }
    /// The spawn name, else the actor's type name.
    std::string_view name() const noexcept { return cell_->name(); }
    /// The capacity of a bounded mailbox, 0 if unbounded.
    std::size_t capacity() const noexcept { return cell_->capacity(); }
    detail::actor_cell& cell() const noexcept { return *cell_; }

    // --- only from inside the actor (its handlers and hooks) ------------------------------
    /// Ends the actor after the current handler returns.
    void quit(exit_reason reason = exit_reason::normal()) { cell_->quit(std::move(reason)); }

    // --- links, monitors, exit signals (only from inside the actor) ----------------------
    /// Links this actor and `other` (both ways; idempotent). When one exits with a reason
    /// other than normal, the other exits with the same reason, or receives exit_signal if
    /// it traps exits. If `other` does not exist, this actor gets the signal at once, with
    /// reason noproc.
    void link(address other);
    /// Removes the link, if any; no exit signal of it arrives after this returns.
    void unlink(address other) noexcept;
    /// Watches `target`: exactly one down{ref, target, reason} comes when it exits, at once
    /// with noproc if it does not exist.
    monitor_ref monitor(address target);
    /// Ends a monitor; no down for it arrives after this returns. False if it had already
    /// delivered its down (or never existed). `flush` also drops a down already received
    /// but not yet consumed (a process's stash).
    bool demonitor(monitor_ref ref, demonitor_option opt = demonitor_option::none) noexcept;
    /// With `on`, exit signals arrive as exit_signal messages instead of ending the actor
    /// (exit(addr, kill) still kills).
    void trap_exit(bool on) noexcept { cell_->set_trap_exit(on); }
    bool traps_exits() const noexcept { return cell_->traps_exits(); }
    /// The actor that spawned this one with spawn_options::link (a supervisor), or null.
    address parent() const noexcept;
    /// Tells the parent that this actor is ready (start with acknowledgement: a supervisor
    /// waits for it, up to the child's start timeout). Does nothing without a parent.
    void init_done();
    /// Sends `to` an exit signal (node::exit): from this actor, with `reason`.
    void exit(address to, exit_reason reason) const;

protected:
    local_actor() = default;

    /// Start hook. Throw to fail the spawn: spawn() returns errc::start_failed with the
    /// exception's message and the actor never exists.
    virtual void on_start() {}
    /// A graceful stop was requested. Return false to veto it and keep running.
    virtual bool on_stopping() { return true; }
    /// The actor has exited, for any reason (normal, stop, kill, error). The behaviour is
    /// destroyed right after.
    virtual void on_stopped(const exit_reason& reason) { (void)reason; }
    /// A child spawned with spawn_options::link called init_done() (supervisors use it).
    virtual void on_init_done(address child) { (void)child; }
    /// demonitor(ref, flush): drop a down for `ref` this actor keeps outside its mailbox.
    virtual void flush_down(monitor_ref ref) { (void)ref; }
    /// A message that no handler takes. The default logs a warning and drops it (an asker
    /// gets errc::handler_failed naming the type).
    virtual void on_unhandled(message_view msg);

    enum class dispatch_result : std::uint8_t {
        handled,
        /// A mutating handler must wait for concurrent ones: keep the message for later.
        wait_for_concurrent,
        /// The actor kept the envelope (coroutine handlers, processes' stash).
        kept,
    };
    /// Handles one user message (or a system message the runtime does not know).
    virtual dispatch_result dispatch(detail::envelope& e) = 0;
    /// The C++ type name, for logs.
    virtual std::string_view type_name() const noexcept = 0;

    // --- for actor kinds built on local_actor (typed actors, processes) ------------------
    detail::running_handler* start_handler(std::unique_ptr<detail::running_handler> h) {
        return cell_->start_handler(std::move(h));
    }
    template <class Driver>
    void start_concurrent(Driver d) {
        cell_->start_concurrent(d.handle, d.handle.promise().list);
    }
    bool concurrent_in_flight() const noexcept { return cell_->concurrent_in_flight(); }
    /// The envelope being dispatched (valid during dispatch only).
    detail::envelope* current_envelope() const noexcept { return cell_->current_envelope(); }
    /// Takes ownership of the envelope being dispatched (then dispatch returns `kept`).
    detail::envelope* take_current() noexcept { return cell_->take_current(); }
    void enqueue_self(detail::envelope* e) noexcept { cell_->enqueue_or_drop(e); }
    detail::actor_extras& extras() { return cell_->extras(); }
    /// Finishes handler coroutines that have run to their end.
    void reap_handlers() { cell_->reap_handlers(); }

private:
    friend class detail::actor_cell;
    detail::actor_cell* cell_ = nullptr;  // set before on_start; the cell outlives us
};

}  // namespace troupe

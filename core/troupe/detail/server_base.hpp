#pragma once
// server_base: the part of a server actor (server.hpp) that does not depend on the user's
// type: the terminate rule, OTP's exit-signal rules, the inactivity timer. server_actor<S>
// adds the typed dispatch and holds the user's state.
//
// The protocol, step by step:
//  1. Start (on_start, inside spawn): the actor traps exits at the runtime level for good,
//     so that every exit signal reaches dispatch as an exit_signal message; the server's
//     own flag (server_context::trap_exit, off by default as in OTP) decides what happens
//     to it (step 4). Then init runs; a throw or stop(reason) fails the spawn with
//     start_failed (no terminate: OTP calls none for a failed init). After an ok init the
//     parent, if any, is told (init_done, OTP's init_ack) and the inactivity timer armed.
//  2. Each message is one callback (handle_call, handle_cast, handle_info). After it
//     returns, the time is noted and, if an inactivity timeout is set, the timer armed if
//     it is not. The timer is lazy: when it fires it checks the time of the last callback
//     and re-arms itself for the rest of the timeout, instead of being cancelled and armed
//     again for every message. Its tick is a runtime message on the user lane, behind
//     any message already queued (so a queued message always wins over the timeout, as
//     in OTP's receive-after), never counted against a bounded mailbox.
//  3. A callback that returns stop(reason): terminate(reason) runs, then (a call) the
//     caller gets its reply, then the actor quits with the reason. A callback that throws:
//     terminate(error{what}) runs, then the exception goes on to the runtime, which fails
//     the caller with handler_failed and ends the actor with error{what}.
//  4. An exit signal, not trapping: a normal one is ignored (unless the server sent it to
//     itself), any other ends the server with that reason and no terminate (OTP: the
//     process just dies). Trapping: from the parent, terminate(reason) runs and the server
//     exits with the reason (gen_server's rule: a supervisor's shutdown); from anyone
//     else, it goes to handle_info. Why trap at the runtime level and decide here: an
//     actor that does not trap ends inside the runtime, where nothing tells an exit
//     signal's end from a stop request's, and OTP runs terminate for one but not the
//     other. The price: a non-trapping server ends when the signal's turn comes on the
//     supervision lane (before user messages, after system messages such as then()
//     callbacks already queued) rather than on the exit lane. exit(addr, kill) still
//     kills at once: the runtime never lets it be trapped.
//  5. Any other exit (node.stop, stop_and_wait, the node shutting down, a throwing then()
//     callback) reaches on_stopped: terminate(reason) runs there if it has not yet. A
//     kill (reason killed) never runs terminate: the actor is gone at once.

#include <cstdint>
#include <exception>
#include <optional>

#include <troupe/clock.hpp>
#include <troupe/detail/envelope.hpp>
#include <troupe/exit_reason.hpp>
#include <troupe/local_actor.hpp>
#include <troupe/server_result.hpp>
#include <troupe/timer.hpp>

namespace troupe::detail {

/// The inactivity timer's tick (a runtime message to the server itself).
struct server_idle_tick {
    std::uint64_t generation;
};

class server_base : public local_actor {
public:
    // --- only from inside the server (its callbacks) ---------------------------------------
    /// See server_context::set_inactivity_timeout.
    void set_inactivity_timeout(std::optional<duration> timeout);
    std::optional<duration> inactivity_timeout() const noexcept { return idle_; }
    void set_trapping(bool on) noexcept { trapping_ = on; }
    bool trapping() const noexcept { return trapping_; }
    /// The reply slot of the call being handled (null outside handle_call, or for a cast).
    reply_sink* take_reply_sink() noexcept;
    /// The sender of the message being handled.
    address current_sender() const noexcept;
    /// Arms a timer that belongs to the server (cancelled when it exits).
    timer own_timer(timer_node* t);

protected:
    server_base() = default;

    /// The typed half: calls the user's init and terminate.
    virtual init_result run_user_init() = 0;
    virtual void run_user_terminate(const exit_reason& reason) = 0;

    // For server_actor<S>::dispatch.
    enum class signal_action : std::uint8_t { consumed, to_info };
    /// Step 4. `to_info`: hand the signal to handle_info.
    signal_action on_exit_signal(const exit_signal& sig);
    /// Step 2: true if the tick is a real timeout (then call handle_info(server_timeout)).
    bool on_idle_tick(const server_idle_tick& tick);
    /// Step 2, after a callback returned.
    void callback_done();
    /// Step 3, from inside a catch block: runs terminate(error{what}); the caller rethrows.
    void callback_failed() noexcept;
    /// Step 3: terminate(reason), then quit. Returns the exit reason (error{what} if
    /// terminate threw).
    exit_reason stop_now(exit_reason reason);
    /// Fails the call being handled, if it is still unanswered: the server stopped.
    void fail_unanswered(const exit_reason& reason) noexcept;
    /// Runs terminate once; error{what} if it threw, else `reason`.
    exit_reason run_terminate(exit_reason reason);
    /// A message for handle_info when the server has none: logged and dropped (an ask
    /// among them fails with handler_failed, as an actor's unhandled message).
    void unhandled_info(envelope& e);

private:
    void on_start() final;
    void on_stopped(const exit_reason& reason) final;
    void arm_idle(time_point at);

    enum class term_state : std::uint8_t { pending, done, skipped };
    term_state term_ = term_state::pending;
    bool trapping_ = false;  // the server's own flag (step 4)
    bool stopping_ = false;
    bool idle_armed_ = false;
    std::optional<duration> idle_;
    time_point last_activity_{};
    std::uint64_t idle_generation_ = 0;
    timer idle_timer_;
};

}  // namespace troupe::detail

#pragma once
// server_context<S>: what a server's callbacks get instead of an actor's members (see
// server.hpp): the address, the node, links and monitors, exit trapping, timers, the
// inactivity timeout, and reply_later<R>() for a call answered later.
//
//   troupe::call_result<int> handle_call(const next_job&, troupe::server_context<pool>& ctx) {
//       if (jobs_.empty()) {
//           idle_workers_.push_back(ctx.reply_later<int>());  // answered by a later add_job
//           return troupe::noreply;
//       }
//       return take_job();
//   }
//
// Thread contract: only from inside the server (its callbacks, and then() callbacks, which
// run inside it too).

#include <optional>
#include <string_view>
#include <type_traits>
#include <utility>

#include <troupe/address.hpp>
#include <troupe/clock.hpp>
#include <troupe/detail/server_base.hpp>
#include <troupe/exit_reason.hpp>
#include <troupe/log.hpp>
#include <troupe/node.hpp>
#include <troupe/pending.hpp>
#include <troupe/reply_handle.hpp>
#include <troupe/signals.hpp>
#include <troupe/timer.hpp>

namespace troupe {

template <class S>
class server_ref;
template <class S>
class server_actor;

/// What a server's callbacks use instead of an actor's members. Only from inside the
/// server (its callbacks and then() callbacks).
class server_context_base {
public:
    server_context_base(const server_context_base&) = delete;
    server_context_base& operator=(const server_context_base&) = delete;

    address addr() const noexcept;
    node& home() const noexcept;
    time_point now() const noexcept;
    /// The spawn name, else the server's type name.
    std::string_view name() const noexcept;
    /// Who sent the message being handled (OTP's From): null for a plain thread.
    address from() const noexcept;
    /// The actor that started this server with start_server_link (a supervisor), or null.
    address parent() const noexcept;
    actor_log log() const noexcept;

    // --- links, monitors, exits (local_actor's, with OTP's rules) ----------------------------
    void link(address other);
    void unlink(address other) noexcept;
    monitor_ref monitor(address target);
    bool demonitor(monitor_ref ref, demonitor_option opt = demonitor_option::none) noexcept;
    /// Off by default. On: exit signals go to handle_info as exit_signal, except one from
    /// the parent, which runs terminate and ends the server (a supervisor's shutdown).
    void trap_exit(bool on) noexcept;
    bool traps_exits() const noexcept;
    /// Sends `to` an exit signal (node::exit). To stop this server, return stop(reason).
    void exit(address to, exit_reason reason) const;

    // --- the inactivity timeout ----------------------------------------------------------
    /// When no message arrives for `timeout` after a callback, handle_info gets
    /// server_timeout (and again after each further `timeout` of silence). Counts from now.
    /// Throws std::invalid_argument for a negative timeout.
    void set_inactivity_timeout(duration timeout);
    void clear_inactivity_timeout();
    std::optional<duration> inactivity_timeout() const noexcept;

    // --- messages and timers -------------------------------------------------------------
    template <class M>
    void tell(address to, M&& msg) const {
        home().tell(to, std::forward<M>(msg));
    }
    /// Inside a callback, wait with then() (it runs inside the server), never get().
    template <class R, class M>
    pending<R> ask(address to, M&& msg, duration timeout) const {
        return home().template ask<R>(to, std::forward<M>(msg), timeout);
    }
    /// Sends `msg` to this server (handle_info, or handle_cast/call if listed) after `delay`.
    /// Timers armed here belong to the server: cancelled when it exits.
    template <class M>
    timer notify_later(duration delay, M msg) {
        return own(detail::make_send_timer(detail::intrusive_ptr<detail::actor_cell>(&cell()),
                                           addr(), now() + delay, duration::zero(), std::move(msg),
                                           &home(), addr()));
    }
    template <class M>
    timer send_after(address to, duration delay, M msg) {
        return own(detail::make_send_timer(home().lookup(to), to, now() + delay, duration::zero(),
                                           std::move(msg), &home(), addr()));
    }
    template <class M>
    timer send_interval(address to, duration period, M msg) {
        static_assert(std::is_copy_constructible_v<M>,
                      "troupe: send_interval copies the message for each firing; make it copyable");
        detail::check_interval_period(period);
        return own(detail::make_send_timer(home().lookup(to), to, now() + period, period,
                                           std::move(msg), &home(), addr()));
    }

    /// In handle_call: takes the call's reply slot, to answer later (return noreply). R must
    /// be the handler's reply type. Empty (wants_reply() false) if the request was told.
    template <class R>
    reply_handle<R> reply_later() {
        return reply_handle<R>{take_reply_sink()};
    }

protected:
    explicit server_context_base(detail::server_base& s) noexcept : s_(s) {}
    detail::server_base& server() const noexcept { return s_; }

private:
    detail::actor_cell& cell() const noexcept;
    detail::reply_sink* take_reply_sink() noexcept;
    timer own(detail::timer_node* t);

    detail::server_base& s_;
};

/// The context of a server of type S: server_context_base, plus its typed handle.
template <class S>
class server_context final : public server_context_base {
public:
    server_ref<S> self() const noexcept;

private:
    friend class server_actor<S>;
    explicit server_context(detail::server_base& s) noexcept : server_context_base(s) {}
};

}  // namespace troupe

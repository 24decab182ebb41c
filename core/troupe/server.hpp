#pragma once
// The server behaviour (OTP's gen_server): a plain class with callbacks, run as an actor.
//
//   struct get {};
//   struct add { int n; };
//   struct reset {};
//
//   struct counter {
//       using calls = troupe::type_list<get, add>;   // requests with a reply: call()
//       using casts = troupe::type_list<reset>;      // requests without one: cast()
//       int n = 0;
//
//       troupe::init_result init(troupe::server_context<counter>& ctx) {
//           ctx.trap_exit(true);                     // terminate() on a supervisor's shutdown
//           return troupe::init_result::ok(30s);     // handle_info(server_timeout) when idle
//       }
//       int handle_call(const get&) { return n; }   // reply now
//       troupe::call_result<int> handle_call(const add& a) {
//           if (a.n < 0) return troupe::stop(troupe::exit_reason::error("negative"), n);
//           return n += a.n;
//       }
//       void handle_cast(const reset&) { n = 0; }
//       troupe::info_result handle_info(troupe::message&) { return {}; }  // the rest
//       void terminate(const troupe::exit_reason&) { /* flush, close */ }
//   };
//
//   auto c = troupe::start_server<counter>(node).value();
//   troupe::cast(c, reset{});
//   int v = troupe::call(c, add{2}, 1s).get().value();
//
// The callbacks (only those in `calls` / `casts` are required; each may take the context,
// a server_context<S>&, as its last parameter, or not):
//  - init(ctx) -> init_result (or void: ok). Runs inside start_server, on the server's
//    actor, after S's constructor (which gets start_server's arguments). ok, optionally
//    with an inactivity timeout; stop(reason) or a throw: start_server fails with
//    errc::start_failed naming the reason, and terminate is not called (OTP).
//  - handle_call(const Req&, ctx) -> a reply value, or call_result<Reply> (server_result.hpp):
//    reply now, noreply (reply later through ctx.reply_later<Reply>()), stop(reason,
//    reply) or stop(reason). The reply type of call(server, Req{}) is the handler's.
//  - handle_cast(const Msg&, ctx) -> void or cast_result: carry on, or stop(reason).
//  - handle_info(message&, ctx) -> void or info_result: every other message: exit_signal
//    (when trapping), down (monitors), server_timeout (the inactivity timeout), timer
//    messages (ctx.send_after / notify_later), messages of unlisted types. Optional: without
//    it such messages are logged and dropped (an ask among them fails, handler_failed).
//  - terminate(const exit_reason&, ctx): called once on every orderly exit: a stop from a
//    callback, a stop request (node.stop, stop_and_wait, the node shutting down), an exit
//    signal from the parent while trapping (a supervisor's shutdown), a callback that
//    throws (with error{what}; the actor then exits with it). Not on kill (the actor is
//    gone at once), and not on an exit signal that ends a server that does not trap exits
//    (as in OTP: trap exits in init to get terminate on a supervisor's shutdown).
//
// Servers are real actors: addressable (server_ref converts to address), linkable,
// monitorable, registrable (start_server_with and spawn_options::register_as), supervisable
// (start_server_link inside a supervisor: linked to it, parent() is the supervisor, and the
// server acknowledges its start with init_done() once init returned ok).
//
// Calls (OTP's call semantics): call() to a dead server fails with no_such_actor; a
// timeout gives errc::timeout; a callback that throws gives handler_failed; a server that
// exits while a deferred reply is pending: its reply handles die with its state and the
// caller gets errc::no_reply, never a hang (unless the handle was handed to another actor,
// which may still answer: the call's timeout bounds that wait).
//
// Design choices:
//  - The callbacks are synchronous (no task<T>): a server that must wait for something
//    returns noreply and answers from a later message or a then() callback, as a
//    gen_server does. Nothing else can then hold the server while a reply is pending.
//  - The request types are listed (`calls`, `casts`): dispatch needs the list, and a
//    call() of a type the server does not list fails to compile with a message saying so.
//    A call is an ask and a cast a tell underneath: any actor may ask or tell a server by
//    address (call<Reply>(node, addr, req, timeout)), a call type told gets no reply.
//  - The inactivity timeout persists (set in init or with ctx.set_inactivity_timeout)
//    until changed, instead of OTP's per-return value: after each callback it counts
//    again from zero; while idle, handle_info(server_timeout) comes once per period.
//  - stop(reason, reply) runs terminate before the reply, as OTP does: when the caller has
//    the reply, the server's cleanup is done (a file it closed can be reopened).
//  - Servers do not trap exits by default (OTP); ctx.trap_exit(true) in init.
//
// Thread contract: callbacks run one at a time inside the server's actor; the context is
// only for them (and for then() callbacks, which also run inside the actor).

#include <type_traits>
#include <utility>

#include <troupe/clock.hpp>
#include <troupe/detail/running_handlers.hpp>
#include <troupe/detail/server_base.hpp>
#include <troupe/detail/server_traits.hpp>
#include <troupe/error.hpp>
#include <troupe/exit_reason.hpp>
#include <troupe/message.hpp>
#include <troupe/node.hpp>
#include <troupe/pending.hpp>
#include <troupe/server_context.hpp>
#include <troupe/server_result.hpp>
#include <troupe/spawn_options.hpp>
#include <troupe/supervisor_spec.hpp>

namespace troupe {

/// type_list<A, B>: the request types of a server (`using calls = troupe::type_list<...>`).
using detail::type_list;

/// A server type: a class whose `calls` and `casts` (type_lists, both optional) each have a
/// handle_call / handle_cast, listing no type twice, with well-formed optional callbacks.
/// start_server checks each rule with its own readable static_assert.
template <class S>
concept server_behavior = std::is_class_v<S> && detail::server_ok<S>();

/// The actor that runs a server of type S (start_server spawns it).
template <class S>
class server_actor final : public detail::server_base {
    static_assert(std::is_class_v<S>, "troupe: a server is a class with callbacks");
    static_assert(detail::is_type_list_v<detail::calls_of<S>>,
                  "troupe: a server's `calls` must be a troupe::type_list<...>");
    static_assert(detail::is_type_list_v<detail::casts_of<S>>,
                  "troupe: a server's `casts` must be a troupe::type_list<...>");
    static_assert(detail::check_calls<S>(static_cast<detail::calls_of<S>*>(nullptr)));
    static_assert(detail::check_casts<S>(static_cast<detail::casts_of<S>*>(nullptr)));
    static_assert(
        detail::none_listed<detail::casts_of<S>>(static_cast<detail::calls_of<S>*>(nullptr)),
        "troupe: a type is listed both in `calls` and in `casts`; a request is either "
        "a call (with a reply) or a cast");
    static_assert(!detail::names_init<S> || detail::has_init<S>,
                  "troupe: a server's init takes (troupe::server_context<S>&) or nothing");
    static_assert(!detail::names_info<S> || detail::handles_info<S>,
                  "troupe: a server's handle_info takes (troupe::message&, "
                  "troupe::server_context<S>&) or (troupe::message&)");
    static_assert(detail::init_return_ok<S>(),
                  "troupe: a server's init returns void or troupe::init_result "
                  "(init_result::ok(), troupe::stop(reason))");
    static_assert(detail::info_return_ok<S>(),
                  "troupe: a server's handle_info returns void or troupe::info_result "
                  "(troupe::noreply, troupe::stop(reason))");
    static_assert(!detail::names_terminate<S> || detail::has_terminate<S>,
                  "troupe: a server's terminate takes (const troupe::exit_reason&, "
                  "troupe::server_context<S>&) or (const troupe::exit_reason&)");

public:
    template <class... Args>
    explicit server_actor(Args&&... args) : state_(std::forward<Args>(args)...), ctx_(*this) {}

    /// The user's state. Only from inside the server (tests read it through server_ref::get).
    S& state() noexcept { return state_; }

private:
    using calls = detail::calls_of<S>;
    using casts = detail::casts_of<S>;

    std::string_view type_name() const noexcept override {
        static constexpr std::string_view name = detail::type_name<S>();
        return name;
    }

    init_result run_user_init() override {
        if constexpr (!detail::has_init<S>) {
            return {};
        } else if constexpr (std::is_void_v<decltype(detail::invoke_init(state_, ctx_))>) {
            detail::invoke_init(state_, ctx_);
            return {};
        } else {
            return init_result{detail::invoke_init(state_, ctx_)};
        }
    }

    void run_user_terminate(const exit_reason& reason) override {
        if constexpr (detail::terminate_takes_ctx<S>) {
            state_.terminate(reason, ctx_);
        } else if constexpr (detail::has_terminate<S>) {
            state_.terminate(reason);
        }
    }

    dispatch_result dispatch(detail::envelope& e) override {
        if (e.type() == detail::type_id_of<detail::server_idle_tick>()) {
            if (!on_idle_tick(payload<detail::server_idle_tick>(e)))
                return dispatch_result::handled;
            return guarded([&] {
                message timeout{detail::make_envelope<server_timeout>(priority::user, address{})};
                return info(e, &timeout);
            });
        }
        if (e.runtime && e.type() == detail::type_id_of<exit_signal>() &&
            on_exit_signal(payload<exit_signal>(e)) == signal_action::consumed) {
            return dispatch_result::handled;
        }
        return guarded([&] {
            if (dispatch_calls(e, static_cast<calls*>(nullptr)) ||
                dispatch_casts(e, static_cast<casts*>(nullptr))) {
                return dispatch_result::handled;
            }
            return info(e, nullptr);
        });
    }

    template <class M>
    static M& payload(detail::envelope& e) noexcept {
        return static_cast<detail::envelope_of<M>&>(e).value;
    }

    // Steps 2 and 3 of the protocol (server_base.hpp) around one callback.
    template <class F>
    dispatch_result guarded(F&& f) {
        dispatch_result r;
        try {
            r = f();
        } catch (...) {
            callback_failed();
            throw;
        }
        callback_done();
        return r;
    }

    template <class... Ms>
    bool dispatch_calls(detail::envelope& e, type_list<Ms...>*) {
        return ((e.type() == detail::type_id_of<Ms>() && (handle_call_of<Ms>(e), true)) || ...);
    }
    template <class... Ms>
    bool dispatch_casts(detail::envelope& e, type_list<Ms...>*) {
        return ((e.type() == detail::type_id_of<Ms>() && (handle_cast_of<Ms>(e), true)) || ...);
    }

    template <class M>
    void handle_call_of(detail::envelope& e) {
        using Ret = detail::call_return_t<S, M>;
        M& m = payload<M>(e);
        if constexpr (std::is_void_v<Ret>) {
            detail::invoke_call(state_, m, ctx_);
            detail::reply_void(e);
        } else if constexpr (!detail::is_call_result_v<std::remove_cvref_t<Ret>>) {
            detail::server_reply_t<S, M> value(detail::invoke_call(state_, m, ctx_));
            detail::reply_value(e, value);
        } else {
            auto r = detail::invoke_call(state_, m, ctx_);
            using kind = typename decltype(r)::kind;
            switch (r.what()) {
                case kind::reply:
                    reply(e, r);
                    break;
                case kind::noreply:
                    break;  // a reply handle has the slot, or the runtime fails it (no_reply)
                case kind::stop:
                    fail_unanswered(stop_now(r.reason()));
                    break;
                case kind::stop_reply:
                    stop_now(r.reason());  // terminate first, then the reply (OTP)
                    reply(e, r);
                    break;
            }
        }
    }

    template <class R>
    static void reply(detail::envelope& e, call_result<R>& r) {
        if constexpr (std::is_void_v<R>) {
            detail::reply_void(e);
        } else {
            detail::reply_value(e, r.value());
        }
    }

    template <class M>
    void handle_cast_of(detail::envelope& e) {
        using Ret = detail::cast_return_t<S, M>;
        M& m = payload<M>(e);
        if constexpr (std::is_void_v<Ret>) {
            detail::invoke_cast(state_, m, ctx_);
        } else {
            finish(cast_result{detail::invoke_cast(state_, m, ctx_)});
        }
    }

    // handle_info for the message being dispatched, or for `made` (server_timeout).
    dispatch_result info(detail::envelope& e, message* made) {
        if constexpr (detail::handles_info<S>) {
            message taken;
            if (!made) taken = message{take_current()};
            message& m = made ? *made : taken;
            if constexpr (std::is_void_v<decltype(detail::invoke_info(state_, m, ctx_))>) {
                detail::invoke_info(state_, m, ctx_);
            } else {
                finish(cast_result{detail::invoke_info(state_, m, ctx_)});
            }
            return made ? dispatch_result::handled : dispatch_result::kept;
        } else {
            unhandled_info(made ? *made->envelope() : e);
            return dispatch_result::handled;
        }
    }

    void finish(const cast_result& r) {
        if (r.stops()) stop_now(*r.stop_reason());
    }

    S state_;
    server_context<S> ctx_;
};

/// A typed handle to a running server. Like ref<A>, it keeps the actor's memory, not the
/// actor, alive: after the server exits, calls fail with no_such_actor.
template <class S>
class server_ref : public actor_handle {
public:
    server_ref() = default;
    explicit server_ref(detail::intrusive_ptr<detail::actor_cell> p) noexcept
        : actor_handle(std::move(p)) {}

    // addr(), cell(), stop() (terminate(normal) runs), kill() (terminate does not run),
    // wait() and stop_and_wait() come from actor_handle.
    /// The server's state while it lives, null after. Reading it races with the server's
    /// own thread: for tests and debugging.
    S* get() const noexcept {
        auto* b = p_ ? p_->behavior() : nullptr;
        return b ? &static_cast<server_actor<S>*>(b)->state() : nullptr;
    }

    friend bool operator==(const server_ref& a, const server_ref& b) noexcept {
        return a.p_ == b.p_;
    }
};

template <class S>
server_ref<S> server_context<S>::self() const noexcept {
    return server_ref<S>{detail::intrusive_ptr<detail::actor_cell>(&server().cell())};
}

// --- starting ---------------------------------------------------------------------------------

/// Starts a server: S(args...), then init, inside this call. Fails with start_failed (init
/// threw or returned stop; the reason names why), shutting_down, or, with
/// opts.register_as, duplicate_name.
template <class S, class... Args>
result<server_ref<S>> start_server_with(node& n, const spawn_options& opts, Args&&... args) {
    auto r = n.template spawn_with<server_actor<S>>(opts, std::forward<Args>(args)...);
    if (!r) return r.error();
    return server_ref<S>{detail::intrusive_ptr<detail::actor_cell>(r->cell())};
}
template <class S, class... Args>
result<server_ref<S>> start_server(node& n, Args&&... args) {
    return start_server_with<S>(n, spawn_options{}, std::forward<Args>(args)...);
}
/// From inside an actor (a supervisor): the server is linked to it and its parent() is it.
template <class S, class... Args>
result<server_ref<S>> start_server_link(node& n, Args&&... args) {
    spawn_options opts;
    opts.link = true;
    return start_server_with<S>(n, opts, std::forward<Args>(args)...);
}

/// A child spec for a supervisor (supervisor_spec.hpp): the server S(args...), started
/// linked to the supervisor, named `id`, with `opts` (e.g. register_as). The arguments are
/// copied for each (re)start.
template <class S, class... Args>
child_spec server_child(std::string id, spawn_options opts, Args... args) {
    return child_spec::worker_with<server_actor<S>>(std::move(id), std::move(opts),
                                                    std::move(args)...);
}

// --- calling ------------------------------------------------------------------------------------

/// OTP's gen_server:call. The reply type is that of S's handle_call for the request. Fails
/// with no_such_actor (the server is dead), timeout, handler_failed (the callback threw),
/// no_reply (the server stopped without replying).
template <class S, class Req>
auto call(const server_ref<S>& server, Req&& req, duration timeout) {
    using M = std::decay_t<Req>;
    constexpr bool listed = detail::calls_of<S>::template contains<M>;
    static_assert(listed,
                  "troupe: call(server, request, timeout): the server does not list this request "
                  "type in `using calls = troupe::type_list<...>`; add it there with a "
                  "handle_call for it (or cast() it if it has no reply)");
    if constexpr (listed) {
        using R = detail::server_reply_t<S, M>;
        if (!server)
            return pending<R>::ready(error{errc::no_such_actor, "the server_ref is empty"});
        auto& n = server.cell()->home();
        return n.template ask_envelope<R>(server.cell(), server.addr(),
                                          n.make_user_envelope(std::forward<Req>(req)), timeout);
    } else {
        return pending<void>::ready(error{errc::invalid_argument});
    }
}

/// OTP's gen_server:cast: fire and forget (undeliverable: the node's dead-letter hook).
template <class S, class Msg>
void cast(const server_ref<S>& server, Msg&& msg) {
    static_assert(detail::casts_of<S>::template contains<std::decay_t<Msg>>,
                  "troupe: cast(server, message): the server does not list this message type in "
                  "`using casts = troupe::type_list<...>`; add it there with a handle_cast for "
                  "it (or call() it if it has a reply)");
    if (!server) return;
    auto& n = server.cell()->home();
    n.deliver(server.cell(), n.make_user_envelope(std::forward<Msg>(msg)));
}

/// Untyped, by address (a registered name, a server of unknown type): checked at run time
/// only (a reply of another type than R gives bad_reply_type).
template <class R, class Req>
pending<R> call(node& n, address server, Req&& req, duration timeout) {
    return n.template ask<R>(server, std::forward<Req>(req), timeout);
}
template <class Msg>
void cast(node& n, address server, Msg&& msg) {
    n.tell(server, std::forward<Msg>(msg));
}

}  // namespace troupe

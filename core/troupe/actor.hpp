#pragma once
// actor<Self, Messages...>: a typed actor. List the message types it handles and give it one
// handle() per type; the return type is the reply (void: no reply):
//
//   struct add { int a, b; };
//   struct adder : troupe::actor<adder, add> {
//       int handle(const add& m) { return m.a + m.b; }
//   };
//
// A handler may also return task<T> (a coroutine: co_await asks, timers, tasks),
// reentrant_task<T>, concurrent<T> (from a const handler) or deferred<T> (reply later
// through reply_later<T>()). Everything a handler needs (self(), sender(), tell/ask by
// address, timers, spawn, log) is a member.

#include <memory>
#include <stdexcept>
#include <string_view>
#include <type_traits>
#include <utility>

#include <troupe/detail/actor_hooks.hpp>
#include <troupe/detail/handler_traits.hpp>
#include <troupe/detail/running_handlers.hpp>
#include <troupe/local_actor.hpp>
#include <troupe/log.hpp>
#include <troupe/node.hpp>
#include <troupe/ref.hpp>
#include <troupe/reply_handle.hpp>
#include <troupe/task.hpp>
#include <troupe/timer.hpp>

namespace troupe {

template <class Self, class... Msgs>
class actor : public local_actor {
public:
    using message_list = detail::type_list<Msgs...>;

    /// A typed handle to this actor.
    ref<Self> self() const noexcept {
        return ref<Self>{detail::intrusive_ptr<detail::actor_cell>(&cell())};
    }

protected:
    actor() = default;

    // --- the context API, for handlers and hooks ----------------------------------------
    /// Who sent the message being handled: null outside handlers, for external senders, and
    /// in concurrent handlers (they run beside the actor; read it from the message instead).
    address sender() const noexcept {
        if (detail::current_actor() != &cell()) return address{};
        auto* e = current_envelope();
        return e ? e->sender : address{};
    }
    // These do not change the actor, so const (concurrent) handlers may use them too.
    template <class M>
    void tell(address to, M&& msg) const {
        home().tell(to, std::forward<M>(msg));
    }
    template <class R, class M>
    pending<R> ask(address to, M&& msg, duration timeout) const {
        return home().template ask<R>(to, std::forward<M>(msg), timeout);
    }
    template <class A, class... Args>
    result<ref<A>> spawn(Args&&... args) const {
        return home().template spawn<A>(std::forward<Args>(args)...);
    }
    /// Spawns A linked to this actor (spawn_options::link).
    template <class A, class... Args>
    result<ref<A>> spawn_link(Args&&... args) const {
        spawn_options opts;
        opts.link = true;
        return home().template spawn_with<A>(opts, std::forward<Args>(args)...);
    }

    /// Sends `msg` to this actor after `delay`. Cancelled if the actor exits first.
    template <class M>
    timer notify_later(duration delay, M msg) {
        // To itself: no need to look itself up in the node's table.
        return own(detail::make_send_timer(detail::intrusive_ptr<detail::actor_cell>(&cell()),
                                           addr(), home().now() + delay, duration::zero(),
                                           std::move(msg), &home(), addr()));
    }
    /// Timers armed by an actor belong to it: they are cancelled when it exits.
    template <class M>
    timer send_after(address to, duration delay, M msg) {
        return own(detail::make_send_timer(home().lookup(to), to, home().now() + delay,
                                           duration::zero(), std::move(msg), &home(), addr()));
    }
    template <class M>
    timer send_interval(address to, duration period, M msg) {
        static_assert(std::is_copy_constructible_v<M>,
                      "troupe: send_interval copies the message for each firing; make it copyable");
        detail::check_interval_period(period);
        return own(detail::make_send_timer(home().lookup(to), to, home().now() + period, period,
                                           std::move(msg), &home(), addr()));
    }
    /// co_await sleep(100ms) inside a coroutine handler.
    pending<void> sleep(duration delay) const { return home().sleep(delay); }

    /// Takes the current ask's reply slot; return deferred<T>{} from the handler.
    template <class T>
    reply_handle<T> reply_later() {
        auto* e = current_envelope();
        return reply_handle<T>{e ? e->take_reply() : nullptr};
    }

    actor_log log() const noexcept { return actor_log{home().logger(), addr(), name()}; }

    std::string_view type_name() const noexcept final {
        static constexpr std::string_view name = detail::type_name<Self>();
        return name;
    }

    dispatch_result dispatch(detail::envelope& e) final {
        dispatch_result r = dispatch_result::handled;
        bool found =
            ((e.type() == detail::type_id_of<Msgs>() && (r = invoke<Msgs>(e), true)) || ...);
        if (!found) on_unhandled(message_view{e});
        return r;
    }

private:
    timer own(detail::timer_node* t) {
        timer handle = home().arm(t);
        extras().add_timer(t);
        return handle;
    }

    template <class M>
    dispatch_result invoke(detail::envelope& e) {
        static_assert(detail::has_handler<Self, M>,
                      "troupe: an actor lists a message type in troupe::actor<Self, "
                      "Messages...> but has no handle() member that takes it");
        Self& s = static_cast<Self&>(*this);
        M& m = static_cast<detail::envelope_of<M>&>(e).value;
        using H = detail::handler_result_t<Self, M>;
        if constexpr (is_concurrent_v<H>) {
            constexpr bool is_const = requires(const Self& cs, M&& mm) {
                cs.handle(std::move(mm));
            };
            static_assert(is_const,
                          "troupe: a concurrent<T> handler must be const (it runs beside "
                          "other handlers and may only read the actor)");
            if constexpr (is_const) {
                // The coroutine may hold a reference to the message: it keeps the envelope.
                auto t = std::as_const(s).handle(std::move(m));
                auto* sink = e.take_reply();
                start_concurrent(detail::run_concurrent<typename H::value_type>(
                    std::move(t), sink, detail::intrusive_ptr<detail::actor_cell>(&cell()),
                    detail::envelope_ptr{take_current()}));
            }
            return dispatch_result::kept;
        } else {
            if (concurrent_in_flight()) return dispatch_result::wait_for_concurrent;
            if constexpr (is_task_v<H>) {
                auto t = s.handle(std::move(m));
                auto* sink = e.take_reply();
                // Runs to its first suspension with the message still current (sender()).
                if (auto* running = start_handler(
                        std::make_unique<detail::typed_running_handler<H>>(std::move(t), sink))) {
                    // Suspended: it may refer to the message, so it keeps the envelope.
                    running->keep(detail::envelope_ptr{take_current()});
                    return dispatch_result::kept;
                }
                return dispatch_result::handled;
            } else if constexpr (std::is_void_v<H>) {
                s.handle(std::move(m));
                detail::reply_void(e);
            } else if constexpr (detail::is_deferred_v<H>) {
                (void)s.handle(std::move(m));
            } else {
                H value = s.handle(std::move(m));
                detail::reply_value(e, value);
            }
            return dispatch_result::handled;
        }
    }
};

}  // namespace troupe

#pragma once
// ref<A>: a typed handle to an actor of type A. It only accepts messages that A handles
// (a wrong type fails to compile, with a message saying so), and ask() knows the reply
// type from A's handler. A ref keeps the actor's memory, not the actor, alive: sending to
// an actor that has exited reports errc::no_such_actor.

#include <type_traits>
#include <utility>

#include <troupe/address.hpp>
#include <troupe/clock.hpp>
#include <troupe/detail/actor_cell.hpp>
#include <troupe/detail/handler_traits.hpp>
#include <troupe/detail/intrusive_ptr.hpp>
#include <troupe/error.hpp>
#include <troupe/exit_reason.hpp>
#include <troupe/node.hpp>
#include <troupe/pending.hpp>

namespace troupe {

/// What every typed handle to a local actor has (ref<A>, server_ref<S>): its address, its
/// cell, and the lifecycle requests. It keeps the actor's memory alive, not the actor.
class actor_handle {
public:
    actor_handle() = default;
    explicit actor_handle(detail::intrusive_ptr<detail::actor_cell> p) noexcept
        : p_(std::move(p)) {}

    address addr() const noexcept { return p_ ? p_->addr() : address{}; }
    operator address() const noexcept { return addr(); }
    explicit operator bool() const noexcept { return static_cast<bool>(p_); }
    /// The runtime's half of the actor; stays valid as long as the handle.
    detail::actor_cell* cell() const noexcept { return p_.get(); }

    /// A graceful stop (the stopping hook may veto it).
    void stop() const {
        if (p_) p_->home().stop(addr());
    }
    /// Kills at once (no veto; the stopped hook still runs).
    void kill() const {
        if (p_) p_->home().kill(addr());
    }
    /// Completes with the exit reason, even after the exit (noproc for an empty handle).
    pending<exit_reason> wait() const {
        return p_ ? p_->home().wait(p_.get()) : pending<exit_reason>::ready(exit_reason::noproc());
    }
    pending<exit_reason> stop_and_wait(duration timeout) const {
        return p_ ? p_->home().stop_and_wait(addr(), timeout)
                  : pending<exit_reason>::ready(exit_reason::noproc());
    }

protected:
    detail::intrusive_ptr<detail::actor_cell> p_;
};

template <class A>
class ref : public actor_handle {
public:
    ref() = default;
    explicit ref(detail::intrusive_ptr<detail::actor_cell> p) noexcept
        : actor_handle(std::move(p)) {}

    /// The actor object while it lives; null once it has exited (its state is destroyed at
    /// exit). Reading it races with the actor's own thread: for tests and debugging.
    A* get() const noexcept { return p_ ? static_cast<A*>(p_->behavior()) : nullptr; }

    /// Fire and forget; FIFO per sender. Undeliverable messages go to dead letters (an
    /// empty ref has no node to report to: the message is dropped).
    template <class M>
    void tell(M&& msg) const {
        check<M>();
        if (!p_) return;
        auto& n = p_->home();
        n.deliver(p_.get(), n.make_user_envelope(std::forward<M>(msg)));
    }

    /// Like tell, but says whether the message was accepted (mailbox_full, no_such_actor).
    template <class M>
    result<void> try_tell(M&& msg) const {
        check<M>();
        if (!p_) return empty_ref();
        auto& n = p_->home();
        return n.try_deliver(p_.get(), n.make_user_envelope(std::forward<M>(msg)));
    }

    /// Sends with back-pressure: completes once the message is in the mailbox, waiting
    /// while a bounded mailbox is full.
    template <class M>
    pending<void> send(M&& msg) const {
        check<M>();
        if (!p_) return pending<void>::ready(empty_ref());
        auto& n = p_->home();
        return n.send_envelope(p_.get(), addr(), n.make_user_envelope(std::forward<M>(msg)));
    }

    /// Request/response. The reply type is the handler's (task<T> and deferred<T> give T).
    template <class M>
    auto ask(M&& msg, duration timeout) const {
        check<M>();
        static_assert(detail::has_handler<A, std::decay_t<M>>,
                      "troupe: ref<A>::ask takes its reply type from A's handler; an actor "
                      "without handlers (a process) is asked with node::ask<Reply>(address, "
                      "msg, timeout)");
        using R = detail::reply_type_t<A, std::decay_t<M>>;
        if (!p_) return pending<R>::ready(empty_ref());
        auto& n = p_->home();
        return n.template ask_envelope<R>(p_.get(), addr(),
                                          n.make_user_envelope(std::forward<M>(msg)), timeout);
    }

    friend bool operator==(const ref& a, const ref& b) noexcept { return a.p_ == b.p_; }

private:
    static error empty_ref() { return error{errc::no_such_actor, "the ref is empty"}; }
    template <class M>
    static constexpr void check() {
        static_assert(detail::accepts_v<A, M>,
                      "troupe: this actor does not handle this message type; list it in "
                      "troupe::actor<Self, Messages...> and add a handle() overload for it");
    }
};

}  // namespace troupe

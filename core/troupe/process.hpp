#pragma once
// Process-style actors (Erlang, mm1): the actor is one coroutine that receives when it
// chooses to, instead of a set of handlers.
//
//   troupe::task<> counter(troupe::process& self, int start) {
//       int n = start;
//       for (;;) {
//           auto m = co_await self.receive();
//           troupe::visit(m,
//               [&](const inc&) { ++n; },
//               [&](const get&) { m.reply(n); },
//               [&](troupe::message&) {});
//       }
//   }
//   auto p = troupe::spawn_process(node, counter, 10).value();
//
// Selective receive: receive<T>() takes the oldest T and keeps every other message, in
// order, for later receives (the stash); receive() takes the oldest message of any type.
// With a time-out, receive gives nullopt when nothing matched in time. on_unmatched()
// installs a catch-all that gets the messages the current receive does not want, instead
// of stashing them. The process exits normally when its coroutine returns, and with
// error{what} when it throws.

#include <coroutine>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string_view>
#include <utility>

#include <troupe/detail/handler_traits.hpp>
#include <troupe/detail/running_handlers.hpp>
#include <troupe/local_actor.hpp>
#include <troupe/message.hpp>
#include <troupe/node.hpp>
#include <troupe/task.hpp>
#include <troupe/timer.hpp>

namespace troupe {

namespace detail {
/// A process accepts messages of every type.
struct any_message_list {
    template <class T>
    static constexpr bool contains = true;
};
}  // namespace detail

class process final : public local_actor {
public:
    using message_list = detail::any_message_list;
    using body_type = std::function<task<>(process&)>;

    explicit process(body_type body) : body_(std::move(body)) {}

    /// Awaitable: the oldest message (of type T, if given), or nullopt after `timeout`.
    template <class T, bool Timed>
    class receiver;

    receiver<message, false> receive();
    template <class T>
    receiver<T, false> receive();
    receiver<message, true> receive(duration timeout);
    template <class T>
    receiver<T, true> receive(duration timeout);

    /// Messages the current receive does not want go to `fn` instead of the stash.
    void on_unmatched(std::function<void(message&)> fn) { catch_all_ = std::move(fn); }
    /// How many messages wait in the stash.
    std::size_t stashed() const noexcept { return stash_size_; }

    address self() const noexcept { return addr(); }
    template <class M>
    void tell(address to, M&& msg) {
        home().tell(to, std::forward<M>(msg));
    }
    template <class R, class M>
    pending<R> ask(address to, M&& msg, duration timeout) {
        return home().template ask<R>(to, std::forward<M>(msg), timeout);
    }
    pending<void> sleep(duration d) { return home().sleep(d); }
    /// Ends the process with `reason` when the coroutine next suspends or returns.
    void exit(exit_reason reason) { quit(std::move(reason)); }
    /// Sends `to` an exit signal (node::exit).
    using local_actor::exit;
    /// Spawns a process running f(self, args...) linked to this one.
    template <class F, class... Args>
    result<ref<process>> spawn_link(F f, Args... args);

private:
    struct request {
        detail::type_id want = nullptr;  // nullptr: any type
        std::coroutine_handle<> waiter;
        detail::envelope* got = nullptr;
        timer deadline;
        std::uint64_t seq = 0;
    };

    void on_start() override;
    void on_stopped(const exit_reason& reason) override;
    dispatch_result dispatch(detail::envelope& e) override;
    std::string_view type_name() const noexcept override { return "process"; }
    void flush_down(monitor_ref ref) override;

    detail::envelope* take_from_stash(detail::type_id want) noexcept;
    void wait_for(request& r, bool timed, duration timeout);
    void deliver(request& r);
    void on_timeout(std::uint64_t seq);

    body_type body_;
    std::function<void(message&)> catch_all_;
    request* waiting_ = nullptr;
    detail::envelope* stash_head_ = nullptr;
    detail::envelope* stash_tail_ = nullptr;
    std::size_t stash_size_ = 0;
    std::uint64_t next_seq_ = 0;
};

template <class T, bool Timed>
class process::receiver {
public:
    receiver(process& p, detail::type_id want, duration timeout) : p_(p), timeout_(timeout) {
        req_.want = want;
    }

    bool await_ready() noexcept {
        req_.got = p_.take_from_stash(req_.want);
        return req_.got != nullptr;
    }
    void await_suspend(std::coroutine_handle<> h) {
        req_.waiter = h;
        p_.wait_for(req_, Timed, timeout_);
    }
    auto await_resume() {
        message m{req_.got};
        if constexpr (Timed) {
            if constexpr (std::is_same_v<T, message>) {
                return m ? std::optional<message>{std::move(m)} : std::nullopt;
            } else {
                return m ? std::optional<T>{std::move(m.get<T>())} : std::nullopt;
            }
        } else if constexpr (std::is_same_v<T, message>) {
            return m;
        } else {
            return T{std::move(m.get<T>())};
        }
    }

private:
    process& p_;
    duration timeout_;
    request req_;
};

inline process::receiver<message, false> process::receive() {
    return {*this, nullptr, {}};
}
template <class T>
process::receiver<T, false> process::receive() {
    return {*this, detail::type_id_of<T>(), {}};
}
inline process::receiver<message, true> process::receive(duration timeout) {
    return {*this, nullptr, timeout};
}
template <class T>
process::receiver<T, true> process::receive(duration timeout) {
    return {*this, detail::type_id_of<T>(), timeout};
}

namespace detail {
/// Wraps f and its arguments as a process body; the body runs once, so the arguments are
/// moved into the coroutine (move-only ones such as generators work).
template <class F, class... Args>
process::body_type make_body(F f, Args... args) {
    auto call = [f = std::move(f), ... args = std::move(args)](process& self) mutable {
        return f(self, std::move(args)...);
    };
    auto shared = std::make_shared<decltype(call)>(std::move(call));
    return [shared](process& self) { return (*shared)(self); };
}
}  // namespace detail

template <class F, class... Args>
result<ref<process>> process::spawn_link(F f, Args... args) {
    spawn_options opts;
    opts.link = true;
    return home().spawn_with<process>(opts, detail::make_body(std::move(f), std::move(args)...));
}

/// Spawns a process running `f(self, args...)`, a coroutine returning task<>.
template <class F, class... Args>
result<ref<process>> spawn_process(node& n, F f, Args... args) {
    return n.spawn<process>(detail::make_body(std::move(f), std::move(args)...));
}
template <class F, class... Args>
result<ref<process>> spawn_process(node& n, const spawn_options& opts, F f, Args... args) {
    return n.spawn_with<process>(opts, detail::make_body(std::move(f), std::move(args)...));
}

}  // namespace troupe

#pragma once
// Compile-time facts about a server type (server.hpp): its `calls` and `casts` lists, which
// callbacks it has and with which signatures, and the reply type of each call. Each
// callback may take the context (server_context<S>&) as its last parameter, or not.

#include <type_traits>
#include <utility>

#include <troupe/detail/handler_traits.hpp>
#include <troupe/detail/running_handlers.hpp>
#include <troupe/exit_reason.hpp>
#include <troupe/message.hpp>
#include <troupe/server_context.hpp>
#include <troupe/server_result.hpp>
#include <troupe/signals.hpp>
#include <troupe/task.hpp>

namespace troupe::detail {

template <class T>
inline constexpr bool is_type_list_v = false;
template <class... Ts>
inline constexpr bool is_type_list_v<type_list<Ts...>> = true;

template <class S>
struct server_calls {
    using type = type_list<>;
};
template <class S>
requires requires {
    typename S::calls;
}
struct server_calls<S> {
    using type = typename S::calls;
};
template <class S>
struct server_casts {
    using type = type_list<>;
};
template <class S>
requires requires {
    typename S::casts;
}
struct server_casts<S> {
    using type = typename S::casts;
};
template <class S>
using calls_of = typename server_calls<S>::type;
template <class S>
using casts_of = typename server_casts<S>::type;

// Each callback may take the context as its last parameter, or not.
template <class S, class M>
concept call_takes_ctx = requires(S& s, M&& m, server_context<S>& c) {
    s.handle_call(std::move(m), c);
};
template <class S, class M>
concept handles_call = call_takes_ctx<S, M> || requires(S& s, M&& m) {
    s.handle_call(std::move(m));
};
template <class S, class M>
concept cast_takes_ctx = requires(S& s, M&& m, server_context<S>& c) {
    s.handle_cast(std::move(m), c);
};
template <class S, class M>
concept handles_cast = cast_takes_ctx<S, M> || requires(S& s, M&& m) {
    s.handle_cast(std::move(m));
};
template <class S>
concept info_takes_ctx = requires(S& s, message& m, server_context<S>& c) {
    s.handle_info(m, c);
};
template <class S>
concept handles_info = info_takes_ctx<S> || requires(S& s, message& m) {
    s.handle_info(m);
};
template <class S>
concept init_takes_ctx = requires(S& s, server_context<S>& c) {
    s.init(c);
};
template <class S>
concept has_init = init_takes_ctx<S> || requires(S& s) {
    s.init();
};
template <class S>
concept terminate_takes_ctx = requires(S& s, const exit_reason& r, server_context<S>& c) {
    s.terminate(r, c);
};
template <class S>
concept has_terminate = terminate_takes_ctx<S> || requires(S& s, const exit_reason& r) {
    s.terminate(r);
};
// A member of that name exists (non-overloaded): it must then have a usable signature.
template <class S>
concept names_init = requires {
    &S::init;
};
template <class S>
concept names_info = requires {
    &S::handle_info;
};
template <class S>
concept names_terminate = requires {
    &S::terminate;
};

template <class S, class M>
decltype(auto) invoke_call(S& s, M& m, server_context<S>& c) {
    if constexpr (call_takes_ctx<S, M>) {
        return s.handle_call(std::move(m), c);
    } else {
        return s.handle_call(std::move(m));
    }
}
template <class S, class M>
decltype(auto) invoke_cast(S& s, M& m, server_context<S>& c) {
    if constexpr (cast_takes_ctx<S, M>) {
        return s.handle_cast(std::move(m), c);
    } else {
        return s.handle_cast(std::move(m));
    }
}

template <class S, class M>
using call_return_t = decltype(invoke_call(std::declval<S&>(), std::declval<M&>(),
                                           std::declval<server_context<S>&>()));
template <class S, class M>
using cast_return_t = decltype(invoke_cast(std::declval<S&>(), std::declval<M&>(),
                                           std::declval<server_context<S>&>()));

template <class Ret>
struct server_reply_of {
    using type = std::remove_cvref_t<Ret>;
};
template <class R>
struct server_reply_of<call_result<R>> {
    using type = R;
};
/// The reply type of S's handle_call for M: call_result<R> gives R, a plain return type
/// itself.
template <class S, class M>
using server_reply_t = typename server_reply_of<call_return_t<S, M>>::type;

template <class Ret>
inline constexpr bool is_cast_return_v =
    std::is_void_v<Ret> || std::is_convertible_v<Ret, cast_result>;

template <class S>
decltype(auto) invoke_init(S& s, server_context<S>& c) {
    if constexpr (init_takes_ctx<S>) {
        return s.init(c);
    } else {
        return s.init();
    }
}
template <class S>
decltype(auto) invoke_info(S& s, message& m, server_context<S>& c) {
    if constexpr (info_takes_ctx<S>) {
        return s.handle_info(m, c);
    } else {
        return s.handle_info(m);
    }
}
/// init returns void or something init_result is made from (init_result, stop(reason)).
template <class S>
constexpr bool init_return_ok() {
    if constexpr (!has_init<S>) {
        return true;
    } else {
        using Ret = decltype(invoke_init(std::declval<S&>(), std::declval<server_context<S>&>()));
        return std::is_void_v<Ret> || std::is_convertible_v<Ret, init_result>;
    }
}
template <class S>
constexpr bool info_return_ok() {
    if constexpr (!handles_info<S>) {
        return true;
    } else {
        return is_cast_return_v<decltype(invoke_info(std::declval<S&>(), std::declval<message&>(),
                                                     std::declval<server_context<S>&>()))>;
    }
}

template <class T>
inline constexpr bool is_info_type_v =
    std::is_same_v<T, exit_signal> || std::is_same_v<T, down> || std::is_same_v<T, server_timeout>;

template <class S, class M>
constexpr bool call_ok() {
    if constexpr (!handles_call<S, M>) {
        return false;
    } else {
        using Ret = std::remove_cvref_t<call_return_t<S, M>>;
        return !is_task_v<Ret> && !is_concurrent_v<Ret> && !is_deferred_v<Ret> &&
               !is_info_type_v<M>;
    }
}
template <class S, class M>
constexpr bool cast_ok() {
    if constexpr (!handles_cast<S, M>) {
        return false;
    } else {
        return is_cast_return_v<cast_return_t<S, M>> && !is_info_type_v<M>;
    }
}
template <class S, class... Ms>
constexpr bool all_calls_ok(type_list<Ms...>*) {
    return (call_ok<S, Ms>() && ...);
}
template <class S, class... Ms>
constexpr bool all_casts_ok(type_list<Ms...>*) {
    return (cast_ok<S, Ms>() && ...);
}
template <class L, class... Ms>
constexpr bool none_listed(type_list<Ms...>*) {
    return (!L::template contains<Ms> && ...);
}

/// Every rule of server_behavior but being a class (see there).
template <class S>
constexpr bool server_ok() {
    using C = calls_of<S>;
    using K = casts_of<S>;
    if constexpr (!is_type_list_v<C> || !is_type_list_v<K>) {
        return false;
    } else {
        constexpr bool init_ok = !names_init<S> || has_init<S>;
        constexpr bool info_ok = !names_info<S> || handles_info<S>;
        constexpr bool terminate_ok = !names_terminate<S> || has_terminate<S>;
        constexpr bool optional_ok =
            init_ok && info_ok && terminate_ok && init_return_ok<S>() && info_return_ok<S>();
        return all_calls_ok<S>(static_cast<C*>(nullptr)) &&
               all_casts_ok<S>(static_cast<K*>(nullptr)) &&
               none_listed<K>(static_cast<C*>(nullptr)) && optional_ok;
    }
}

// The same rules, each with a readable static_assert (instantiated by server_actor<S>).

template <class S, class M>
constexpr bool check_call() {
    static_assert(handles_call<S, M>,
                  "troupe: the server lists this type in `calls` but has no handle_call(const T&) "
                  "or handle_call(const T&, troupe::server_context<S>&) that takes it");
    if constexpr (handles_call<S, M>) {
        using Ret = std::remove_cvref_t<call_return_t<S, M>>;
        static_assert(!is_task_v<Ret> && !is_concurrent_v<Ret> && !is_deferred_v<Ret>,
                      "troupe: a server's callbacks are synchronous: return call_result<R> with "
                      "troupe::noreply and answer later through ctx.reply_later<R>()");
    }
    static_assert(!is_info_type_v<M>,
                  "troupe: exit_signal, down and server_timeout go to handle_info; do not list "
                  "them in `calls`");
    return true;
}
template <class S, class M>
constexpr bool check_cast() {
    static_assert(handles_cast<S, M>,
                  "troupe: the server lists this type in `casts` but has no handle_cast(const T&) "
                  "or handle_cast(const T&, troupe::server_context<S>&) that takes it");
    if constexpr (handles_cast<S, M>) {
        static_assert(is_cast_return_v<cast_return_t<S, M>>,
                      "troupe: handle_cast returns void or troupe::cast_result (noreply, stop)");
    }
    static_assert(!is_info_type_v<M>,
                  "troupe: exit_signal, down and server_timeout go to handle_info; do not list "
                  "them in `casts`");
    return true;
}
template <class S, class... Ms>
constexpr bool check_calls(type_list<Ms...>*) {
    return (check_call<S, Ms>() && ...);
}
template <class S, class... Ms>
constexpr bool check_casts(type_list<Ms...>*) {
    return (check_cast<S, Ms>() && ...);
}

}  // namespace troupe::detail

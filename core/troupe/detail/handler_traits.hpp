#pragma once
// Compile-time facts about actor types and their handlers.

#include <type_traits>
#include <utility>

#include <troupe/reply_handle.hpp>
#include <troupe/task.hpp>

namespace troupe::detail {

template <class... Ts>
struct type_list {
    template <class T>
    static constexpr bool contains = (std::is_same_v<T, Ts> || ...);
    static constexpr std::size_t size = sizeof...(Ts);
};

/// The reply type a handler's return type promises.
template <class R>
struct reply_of {
    using type = R;
};
template <class T, task_mode M>
struct reply_of<basic_task<T, M>> {
    using type = T;
};
template <class T>
struct reply_of<deferred<T>> {
    using type = T;
};

template <class A, class M>
concept has_handler = requires(A& a, M&& m) {
    a.handle(std::move(m));
};

template <class A, class M>
using handler_result_t = decltype(std::declval<A&>().handle(std::declval<M&&>()));

template <class A, class M>
using reply_type_t = typename reply_of<handler_result_t<A, M>>::type;

template <class A, class M>
inline constexpr bool accepts_v = A::message_list::template contains<std::decay_t<M>>;

}  // namespace troupe::detail

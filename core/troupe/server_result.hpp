#pragma once
// What a server's callbacks return (see server.hpp): OTP's {reply, ...}, {noreply, ...} and
// {stop, ...} as C++ values.
//
//   troupe::call_result<int> handle_call(const take& t) {
//       if (stock_ < t.n) return troupe::stop(troupe::exit_reason::error("sold out"), 0);
//       stock_ -= t.n;
//       return stock_;                               // reply now
//   }
//   troupe::call_result<int> handle_call(const wait_for_stock&, ctx_type& ctx) {
//       waiting_.push_back(ctx.reply_later<int>());  // reply later, through the handle
//       return troupe::noreply;
//   }
//   troupe::cast_result handle_cast(const close&) { return troupe::stop(exit_reason::normal()); }
//
//  - init_result: ok (optionally with an inactivity timeout), or stop(reason): the start
//    fails with that reason.
//  - call_result<R>: a reply (any value convertible to R; `{}` for R = void), noreply (the
//    handler took a reply_handle<R> from the context and answers later), stop(reason,
//    reply) (terminate runs, then the caller gets the reply, then the server exits), or
//    stop(reason) (no reply: the caller gets errc::no_reply, unless the handler answered
//    through a reply handle; for R = void the call is acknowledged, since there is nothing
//    to reply).
//  - cast_result (also what handle_info returns): continue (`{}` or noreply), or
//    stop(reason).

#include <optional>
#include <type_traits>
#include <utility>

#include <troupe/clock.hpp>
#include <troupe/exit_reason.hpp>

namespace troupe {

/// handle_call: "I will reply later" (through a reply_handle); handle_cast / handle_info:
/// "carry on". OTP's noreply.
struct noreply_t {
    explicit constexpr noreply_t() = default;
};
inline constexpr noreply_t noreply{};

/// stop(reason): the server exits with `reason` after terminate(reason).
struct server_stop {
    exit_reason reason;
};
/// stop(reason, reply): a call's caller gets `reply`, then the server exits.
template <class R>
struct server_stop_reply {
    exit_reason reason;
    R reply;
};

inline server_stop stop(exit_reason reason) {
    return server_stop{std::move(reason)};
}
template <class R>
server_stop_reply<std::decay_t<R>> stop(exit_reason reason, R&& reply) {
    return {std::move(reason), std::forward<R>(reply)};
}

/// The info message of the inactivity timeout (server_context::set_inactivity_timeout):
/// handle_info gets it when no message arrived in time.
struct server_timeout {
    friend bool operator==(const server_timeout&, const server_timeout&) = default;
};

class init_result {
public:
    /// ok: the server runs.
    init_result() = default;
    /// stop(reason): the start fails with errc::start_failed naming `reason`.
    init_result(server_stop s) : stop_(std::move(s.reason)) {}

    static init_result ok() { return {}; }
    /// ok, with an inactivity timeout (server_context::set_inactivity_timeout).
    static init_result ok(duration inactivity_timeout) {
        init_result r;
        r.timeout_ = inactivity_timeout;
        return r;
    }

    bool stops() const noexcept { return stop_.has_value(); }
    const std::optional<exit_reason>& stop_reason() const noexcept { return stop_; }
    const std::optional<duration>& timeout() const noexcept { return timeout_; }

private:
    std::optional<exit_reason> stop_;
    std::optional<duration> timeout_;
};

class cast_result {
public:
    /// Carry on.
    cast_result() = default;
    cast_result(noreply_t) {}
    cast_result(server_stop s) : stop_(std::move(s.reason)) {}

    bool stops() const noexcept { return stop_.has_value(); }
    const std::optional<exit_reason>& stop_reason() const noexcept { return stop_; }

private:
    std::optional<exit_reason> stop_;
};

/// What handle_info returns: the same choices as a cast.
using info_result = cast_result;

namespace detail {
template <class T>
inline constexpr bool is_server_tag_v =
    std::is_same_v<T, noreply_t> || std::is_same_v<T, server_stop>;
template <class T>
inline constexpr bool is_server_tag_v<server_stop_reply<T>> = true;
}  // namespace detail

template <class R>
class call_result {
public:
    using reply_type = R;
    enum class kind : unsigned char { reply, noreply, stop, stop_reply };

    /// Reply now with `value`.
    template <class U>
    requires(std::is_constructible_v<R, U&&> && !std::is_same_v<std::decay_t<U>, call_result> &&
             !detail::is_server_tag_v<std::decay_t<U>>) call_result(U&& value)
        : kind_(kind::reply), value_(std::in_place, std::forward<U>(value)) {}
    call_result(noreply_t) : kind_(kind::noreply) {}
    call_result(server_stop s) : kind_(kind::stop), reason_(std::move(s.reason)) {}
    template <class U>
    requires std::is_constructible_v<R, U&&> call_result(server_stop_reply<U> s)
        : kind_(kind::stop_reply),
          value_(std::in_place, std::move(s.reply)),
          reason_(std::move(s.reason)) {}

    kind what() const noexcept { return kind_; }
    /// The reply (kind reply and stop_reply).
    R& value() noexcept { return *value_; }
    const exit_reason& reason() const noexcept { return reason_; }

private:
    kind kind_;
    std::optional<R> value_;
    exit_reason reason_;
};

/// A call whose reply carries no value: `return {};` replies (the caller gets a
/// result<void>).
template <>
class call_result<void> {
public:
    using reply_type = void;
    enum class kind : unsigned char { reply, noreply, stop, stop_reply };

    call_result() = default;
    call_result(noreply_t) : kind_(kind::noreply) {}
    /// There is nothing to reply: the call is acknowledged, then the server stops.
    call_result(server_stop s) : kind_(kind::stop_reply), reason_(std::move(s.reason)) {}

    kind what() const noexcept { return kind_; }
    const exit_reason& reason() const noexcept { return reason_; }

private:
    kind kind_ = kind::reply;
    exit_reason reason_;
};

namespace detail {
template <class T>
inline constexpr bool is_call_result_v = false;
template <class R>
inline constexpr bool is_call_result_v<call_result<R>> = true;
}  // namespace detail

}  // namespace troupe

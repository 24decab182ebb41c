#pragma once
// Messages the runtime sends to actors on the priority lanes. Users never see them.

#include <coroutine>
#include <exception>
#include <functional>

#include <troupe/address.hpp>
#include <troupe/detail/links.hpp>
#include <troupe/detail/type_id.hpp>
#include <troupe/detail/unique_function.hpp>
#include <troupe/exit_reason.hpp>

namespace troupe::detail {

/// Resume a coroutine that was suspended inside this actor (system lane).
struct resume_msg {
    std::coroutine_handle<> handle;
};
/// Run a function inside this actor (system lane): callbacks, cross-thread crash reports.
struct call_msg {
    unique_function<void()> fn;
};
/// A concurrent handler finished (system lane); `failure` is its exception, if any.
struct concurrent_done_msg {
    std::exception_ptr failure;
};
/// Stop: graceful (the stopping hook may veto) unless `forced` (exit lane).
struct stop_msg {
    exit_reason reason;
    bool forced = false;
};
/// An exit signal (exit lane): from a link (`via`, honoured only while the link is
/// active) or from exit(addr, reason). Trapping actors turn it into an exit_signal message;
/// the others exit, unless the reason is normal. exit(addr, kill) cannot be trapped.
struct signal_msg {
    address from;
    exit_reason reason;
    link_ref via;
};
/// A child started with acknowledgement is ready (system lane, to its parent).
struct init_done_msg {
    address child;
};
/// Kill: untrappable, immediate (kill lane).
struct kill_msg {};

template <>
inline constexpr bool is_internal_message<resume_msg> = true;
template <>
inline constexpr bool is_internal_message<call_msg> = true;
template <>
inline constexpr bool is_internal_message<concurrent_done_msg> = true;
template <>
inline constexpr bool is_internal_message<stop_msg> = true;
template <>
inline constexpr bool is_internal_message<signal_msg> = true;
template <>
inline constexpr bool is_internal_message<init_done_msg> = true;
template <>
inline constexpr bool is_internal_message<kill_msg> = true;

}  // namespace troupe::detail

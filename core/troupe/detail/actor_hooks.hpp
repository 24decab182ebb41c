#pragma once
// The few things asynchronous states need from an actor, without including the actor:
// which actor runs on this thread, and how to hand it work to run in its own context.

#include <coroutine>
#include <cstdint>
#include <functional>

#include <troupe/address.hpp>
#include <troupe/detail/unique_function.hpp>

namespace troupe {
class executor;
}  // namespace troupe

namespace troupe::detail {

class actor_cell;

inline thread_local actor_cell* tl_current = nullptr;
/// Messages the handler running on this thread has sent so far (see actor_cell::push_counted).
inline thread_local std::uint32_t tl_sends_in_handler = 0;

/// The actor whose handler runs on this thread, or nullptr.
inline actor_cell* current_actor() noexcept {
    return tl_current;
}

void actor_add_ref(actor_cell* a) noexcept;
void actor_release(actor_cell* a) noexcept;

/// Resumes `h` inside actor `a` (on the system lane). If `a` has exited, `h` is not resumed
/// (its frame belongs to the actor and was destroyed with it).
void resume_in(actor_cell* a, std::coroutine_handle<> h, address sender) noexcept;
/// The sender of the message the current actor is handling (null outside actors).
address current_message_sender() noexcept;
/// Runs `fn` as a job of its own on `exec`; an exception it throws is logged and dropped.
void post(executor* exec, unique_function<void()> fn) noexcept;
/// Resumes `h` as a job of its own on `exec` (a concurrent handler's continuation).
void resume_on(executor* exec, std::coroutine_handle<> h) noexcept;
/// Runs `fn` inside actor `a`; dropped if `a` has exited.
void call_in(actor_cell* a, unique_function<void()> fn) noexcept;

}  // namespace troupe::detail

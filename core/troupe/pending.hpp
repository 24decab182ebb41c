#pragma once
// pending<T>: the one asynchronous result type. ask(), send(), wait() and sleep() return
// it, and the caller picks how to wait:
//
//   auto r = co_await a.ask(add{1, 2}, 1s);        // in a coroutine (task, process)
//   auto r = a.ask(add{1, 2}, 1s).get();           // blocking, from a plain thread
//   a.ask(add{1, 2}, 1s).then([](result<int> r) {  // callback; inside an actor it runs
//       ...                                        // in that actor's context
//   });
//
// The operation starts when it is created; dropping a pending<T> just ignores the result.

#include <coroutine>
#include <functional>
#include <utility>

#include <troupe/detail/async_state.hpp>
#include <troupe/detail/intrusive_ptr.hpp>
#include <troupe/error.hpp>

namespace troupe {

template <class T>
class [[nodiscard]] pending {
public:
    using value_type = T;
    using state_type = detail::async_state<T>;

    explicit pending(detail::intrusive_ptr<state_type> state) noexcept : state_(std::move(state)) {}

    /// A pending that is already complete.
    static pending ready(result<T> r) {
        detail::intrusive_ptr<state_type> st{new state_type, detail::adopt};
        st->complete(std::move(r));
        return pending{std::move(st)};
    }

    /// True once the result is there.
    bool is_ready() const noexcept { return state_->ready(); }

    /// Blocks until the result is there. Inside the deterministic test executor, runs it.
    result<T> get() && { return state_->wait(); }

    /// Calls fn(result<T>) once the result is there: inside the calling actor's context if
    /// called from an actor, else on the thread that completes it.
    void then(detail::unique_function<void(result<T>)> fn) && {
        state_->on_complete(std::move(fn));
    }

    // co_await support.
    bool await_ready() const noexcept { return state_->ready(); }
    bool await_suspend(std::coroutine_handle<> h) noexcept { return state_->suspend(h); }
    result<T> await_resume() noexcept { return state_->take(); }

private:
    detail::intrusive_ptr<state_type> state_;
};

}  // namespace troupe

#pragma once
// task<T>: a lazy C++20 coroutine, for actor handlers and for helpers they co_await.
//
// A handler returning task<T> replies with its T when the coroutine finishes. While it is
// suspended (co_await on an ask, a timer, another task) the actor handles no other user
// message: the default is sequential and safe. Two other modes are chosen by return type:
//   reentrant_task<T>  other messages interleave while it is suspended;
//   concurrent<T>      for const handlers: runs beside the actor, many at once (read-only);
//                      a mutating handler waits until the concurrent ones in flight finish.
// In every mode, a coroutine suspended inside an actor resumes inside that actor.

#include <coroutine>
#include <cstddef>
#include <exception>
#include <optional>
#include <type_traits>
#include <utility>

#include <troupe/detail/pool.hpp>

namespace troupe {

enum class task_mode { exclusive, reentrant, concurrent };

template <class T, task_mode Mode>
class basic_task;

namespace detail {

template <class T>
class task_promise_base {
public:
    // A handler coroutine's frame comes from the per-thread pool, as envelopes do: most
    // handlers of a coroutine kind allocate one per message.
    static void* operator new(std::size_t size) { return pool_allocate(size); }
    static void operator delete(void* p, std::size_t size) noexcept { pool_free(p, size); }

    std::suspend_always initial_suspend() noexcept { return {}; }

    struct final_awaiter {
        bool await_ready() noexcept { return false; }
        template <class P>
        std::coroutine_handle<> await_suspend(std::coroutine_handle<P> h) noexcept {
            if (auto c = h.promise().continuation_) return c;
            return std::noop_coroutine();
        }
        void await_resume() noexcept {}
    };
    final_awaiter final_suspend() noexcept { return {}; }

    void unhandled_exception() noexcept { error_ = std::current_exception(); }

    std::coroutine_handle<> continuation_;
    std::exception_ptr error_;
};

template <class T>
class task_promise : public task_promise_base<T> {
public:
    template <class U>
    void return_value(U&& v) {
        value_.emplace(std::forward<U>(v));
    }
    T take() {
        if (this->error_) std::rethrow_exception(this->error_);
        return std::move(*value_);
    }

private:
    std::optional<T> value_;
};

template <>
class task_promise<void> : public task_promise_base<void> {
public:
    void return_void() noexcept {}
    void take() {
        if (error_) std::rethrow_exception(error_);
    }
};

}  // namespace detail

template <class T, task_mode Mode>
class [[nodiscard]] basic_task {
public:
    using value_type = T;
    static constexpr task_mode mode = Mode;

    struct promise_type : detail::task_promise<T> {
        basic_task get_return_object() noexcept {
            return basic_task{std::coroutine_handle<promise_type>::from_promise(*this)};
        }
    };
    using handle_type = std::coroutine_handle<promise_type>;

    basic_task() = default;
    basic_task(basic_task&& o) noexcept : h_(std::exchange(o.h_, {})) {}
    basic_task& operator=(basic_task&& o) noexcept {
        if (this != &o) {
            destroy();
            h_ = std::exchange(o.h_, {});
        }
        return *this;
    }
    ~basic_task() { destroy(); }

    bool done() const noexcept { return !h_ || h_.done(); }
    handle_type handle() const noexcept { return h_; }
    handle_type release() noexcept { return std::exchange(h_, {}); }

    // Awaiting a task starts it; the awaiter resumes when it finishes.
    bool await_ready() const noexcept { return !h_ || h_.done(); }
    std::coroutine_handle<> await_suspend(std::coroutine_handle<> awaiting) noexcept {
        h_.promise().continuation_ = awaiting;
        return h_;
    }
    T await_resume() { return h_.promise().take(); }

private:
    explicit basic_task(handle_type h) noexcept : h_(h) {}
    void destroy() noexcept {
        if (h_) std::exchange(h_, {}).destroy();
    }
    handle_type h_;
};

template <class T = void>
using task = basic_task<T, task_mode::exclusive>;
template <class T = void>
using reentrant_task = basic_task<T, task_mode::reentrant>;
template <class T = void>
using concurrent = basic_task<T, task_mode::concurrent>;

template <class T>
struct is_task : std::false_type {};
template <class T, task_mode M>
struct is_task<basic_task<T, M>> : std::true_type {};
template <class T>
inline constexpr bool is_task_v = is_task<T>::value;

template <class T>
inline constexpr bool is_concurrent_v = false;
template <class T>
inline constexpr bool is_concurrent_v<basic_task<T, task_mode::concurrent>> = true;

}  // namespace troupe

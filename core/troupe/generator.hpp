#pragma once
// generator<T>: an asynchronous generator. It may co_await (timers, asks) between the
// values it co_yields; its consumer pulls with `co_await gen.next()`, which gives the next
// value or nullopt at the end.
//
//   troupe::generator<int> countdown(troupe::node& n, int from) {
//       for (int i = from; i > 0; --i) {
//           co_await n.sleep(100ms);
//           co_yield i;
//       }
//   }

#include <coroutine>
#include <exception>
#include <optional>
#include <utility>

namespace troupe {

template <class T>
class [[nodiscard]] generator {
public:
    struct promise_type {
        std::optional<T> current;
        std::coroutine_handle<> consumer;
        std::exception_ptr error;

        generator get_return_object() noexcept {
            return generator{std::coroutine_handle<promise_type>::from_promise(*this)};
        }
        std::suspend_always initial_suspend() noexcept { return {}; }

        struct to_consumer {
            bool await_ready() noexcept { return false; }
            std::coroutine_handle<> await_suspend(std::coroutine_handle<promise_type> h) noexcept {
                return h.promise().consumer;
            }
            void await_resume() noexcept {}
        };
        template <class U>
        to_consumer yield_value(U&& v) {
            current.emplace(std::forward<U>(v));
            return {};
        }
        to_consumer final_suspend() noexcept { return {}; }
        void return_void() noexcept {}
        void unhandled_exception() noexcept { error = std::current_exception(); }
    };
    using handle_type = std::coroutine_handle<promise_type>;

    generator(generator&& o) noexcept : h_(std::exchange(o.h_, {})) {}
    generator& operator=(generator&& o) noexcept {
        if (this != &o) {
            if (h_) h_.destroy();
            h_ = std::exchange(o.h_, {});
        }
        return *this;
    }
    ~generator() {
        if (h_) h_.destroy();
    }

    /// Awaitable: the next value, or nullopt when the generator has finished.
    auto next() {
        struct awaiter {
            handle_type h;
            bool await_ready() noexcept { return !h || h.done(); }
            std::coroutine_handle<> await_suspend(std::coroutine_handle<> consumer) noexcept {
                h.promise().consumer = consumer;
                h.promise().current.reset();
                return h;
            }
            std::optional<T> await_resume() {
                if (!h) return std::nullopt;
                auto& p = h.promise();
                if (p.error) std::rethrow_exception(std::exchange(p.error, nullptr));
                if (h.done()) return std::nullopt;
                return std::move(p.current);
            }
        };
        return awaiter{h_};
    }

private:
    explicit generator(handle_type h) noexcept : h_(h) {}
    handle_type h_;
};

}  // namespace troupe

#pragma once
// How handler results become replies, and the bookkeeping of coroutine handlers.

#include <coroutine>
#include <exception>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>

#include <troupe/detail/actor_cell.hpp>
#include <troupe/detail/actor_hooks.hpp>
#include <troupe/detail/driver_list.hpp>
#include <troupe/detail/envelope.hpp>
#include <troupe/detail/intrusive_ptr.hpp>
#include <troupe/detail/reply_sink.hpp>
#include <troupe/reply_handle.hpp>
#include <troupe/task.hpp>

namespace troupe::detail {

template <class T>
inline constexpr bool is_deferred_v = false;
template <class T>
inline constexpr bool is_deferred_v<deferred<T>> = true;

inline void reply_void(envelope& e) noexcept {
    if (auto* sink = e.take_reply()) {
        sink->set_value(type_id_of<void>(), nullptr);
        sink->release();
    }
}

template <class T>
void reply_value(envelope& e, T& value) noexcept {
    if (auto* sink = e.take_reply()) {
        sink->set_value(type_id_of<T>(), &value);
        sink->release();
    }
}

/// What an exception says, for exit reasons and error replies.
std::string describe_exception(std::exception_ptr ep);

/// A suspended coroutine handler (task<T> or reentrant_task<T>) and where its reply goes.
template <class Task>
class typed_running_handler final : public running_handler {
public:
    typed_running_handler(Task t, reply_sink* sink) noexcept : task_(std::move(t)), sink_(sink) {}
    ~typed_running_handler() override {
        if (sink_) sink_->release();
    }

    std::coroutine_handle<> handle() const noexcept override { return task_.handle(); }
    bool exclusive() const noexcept override { return Task::mode == task_mode::exclusive; }
    void keep(envelope_ptr msg) noexcept override { msg_ = std::move(msg); }

    void finish() override {
        auto& promise = task_.handle().promise();
        using T = typename Task::value_type;
        try {
            if constexpr (std::is_void_v<T>) {
                promise.take();
                if (sink_) sink_->set_value(type_id_of<void>(), nullptr);
            } else {
                T value = promise.take();
                if (sink_) sink_->set_value(type_id_of<T>(), &value);
            }
        } catch (...) {
            if (sink_)
                sink_->set_error(
                    error{errc::handler_failed, describe_exception(std::current_exception())});
            throw;
        }
    }

    void abandon(const exit_reason& reason) noexcept override {
        if (sink_) {
            sink_->set_error(error{errc::handler_failed, "the actor exited (" + reason.to_string() +
                                                             ") while the handler was suspended"});
        }
    }

private:
    envelope_ptr msg_;  // the coroutine may refer to the message: destroyed after it
    Task task_;
    reply_sink* sink_;
};

/// A coroutine that runs to its end on its own and frees itself (concurrent handlers).
struct detached {
    struct promise_type {
        driver_list* list = nullptr;  // where the frame is tracked while it lives
        ~promise_type() {
            if (list) list->remove(std::coroutine_handle<promise_type>::from_promise(*this));
        }
        detached get_return_object() noexcept {
            return detached{std::coroutine_handle<promise_type>::from_promise(*this)};
        }
        std::suspend_always initial_suspend() noexcept { return {}; }
        std::suspend_never final_suspend() noexcept { return {}; }
        void return_void() noexcept {}
        void unhandled_exception() noexcept { std::terminate(); }
    };
    std::coroutine_handle<promise_type> handle;
};

/// The asker of a concurrent handler hears back even if the frame is destroyed unfinished.
struct sink_guard {
    reply_sink* sink;
    ~sink_guard() {
        if (sink) {
            sink->set_error(error{errc::cancelled,
                                  "the node shut down while the concurrent handler was suspended"});
            sink->release();
        }
    }
};

template <class T>
detached run_concurrent(concurrent<T> t, reply_sink* sink, intrusive_ptr<actor_cell> self,
                        envelope_ptr msg) {
    sink_guard reply{sink};
    std::exception_ptr failure;
    try {
        if constexpr (std::is_void_v<T>) {
            co_await t;
            if (sink) sink->set_value(type_id_of<void>(), nullptr);
        } else {
            T value = co_await t;
            if (sink) sink->set_value(type_id_of<T>(), &value);
        }
    } catch (...) {
        failure = std::current_exception();
        if (sink) sink->set_error(error{errc::handler_failed, describe_exception(failure)});
    }
    if (sink) sink->release();
    reply.sink = nullptr;
    t = {};  // the coroutine frame goes first: it may refer to the message
    msg.reset();
    self->concurrent_finished(failure);
}

}  // namespace troupe::detail

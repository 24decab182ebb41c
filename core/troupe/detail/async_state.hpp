#pragma once
// The shared state behind pending<T>: a result that arrives once, and one waiter.
//
// Protocol (state_ is the only synchronisation):
//  1. A waiter (coroutine, blocking thread or callback) writes its fields, then CASes
//     empty -> waiting. If the CAS fails the result is already there: it takes it at once.
//  2. The first completer wins `claimed_` (reply, error or time-out race; losers return),
//     writes result_, then exchanges state_ to done; if it saw `waiting` it wakes the waiter.
//  3. A coroutine that was suspended inside an actor resumes inside that actor (a message
//     on its system lane); any other waiter (a concurrent handler, a plain coroutine, a
//     callback from outside an actor) runs as a job on the executor. None ever runs on the
//     completing thread (a timer thread, another actor's handler).

#include <atomic>
#include <coroutine>
#include <functional>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

#include <troupe/detail/actor_hooks.hpp>
#include <troupe/detail/intrusive_ptr.hpp>
#include <troupe/detail/pool.hpp>
#include <troupe/detail/reply_sink.hpp>
#include <troupe/detail/timer_node.hpp>
#include <troupe/detail/unique_function.hpp>
#include <troupe/error.hpp>
#include <troupe/executor.hpp>

namespace troupe::detail {

template <class T>
class async_state final : public reply_sink {
public:
    explicit async_state(executor* exec = nullptr) noexcept : exec_(exec) {}

    static void* operator new(std::size_t size) { return pool_allocate(size); }
    static void operator delete(void* p, std::size_t size) noexcept { pool_free(p, size); }

    /// Completes with `r` unless already completed. Returns whether this call won.
    bool complete(result<T> r) noexcept {
        if (claimed_.exchange(true, std::memory_order_acq_rel)) return false;
        result_.emplace(std::move(r));
        if (timeout_) timeout_->cancel();
        if (state_.exchange(done, std::memory_order_acq_rel) == waiting) wake();
        return true;
    }

    void set_value(type_id type, void* value) noexcept override {
        if (type != type_id_of<T>()) {
            std::string why = "the asker expected a reply of type ";
            why += type_id_of<T>()->name;
            why += " but the handler replied with ";
            why += type->name;
            complete(error{errc::bad_reply_type, std::move(why)});
            return;
        }
        if constexpr (std::is_void_v<T>) {
            complete(result<void>{});
        } else {
            complete(result<T>{std::move(*static_cast<T*>(value))});
        }
    }
    void set_error(error e) noexcept override { complete(std::move(e)); }

    /// Takes one reference to a time-out timer that completes this state (ask).
    void set_timeout(timer_node* t) noexcept { timeout_ = t; }

    bool ready() const noexcept { return state_.load(std::memory_order_acquire) == done; }

    /// Step 1 for a coroutine. Returns false if the result is already there (do not suspend).
    bool suspend(std::coroutine_handle<> h) noexcept {
        handle_ = h;
        actor_ = current_actor();
        if (actor_) {
            actor_add_ref(actor_);
            sender_ = current_message_sender();
        }
        return register_waiter();
    }

    /// Step 1 for a callback.
    void on_complete(unique_function<void(result<T>)> fn) {
        callback_ = std::move(fn);
        actor_ = current_actor();
        if (actor_) actor_add_ref(actor_);
        if (!register_waiter()) deliver_callback();
    }

    /// Blocks the calling thread until done (driving a single-threaded executor if needed).
    result<T> wait() {
        if (!ready()) {
            if (exec_ && exec_->drive_until([this] { return ready(); })) {
                if (!ready()) {
                    complete(error{errc::cancelled,
                                   "deadlock: the executor ran out of work before the result "
                                   "arrived (is the waiting thread the one that must reply?)"});
                }
                return take();
            }
            if (exec_ && exec_->on_worker_thread()) {
                // The reply may need this very worker (the actor it waits for can sit in its
                // run queue): blocking here would stall or deadlock.
                complete(error{errc::cancelled,
                               "a blocking get() on one of the node's worker threads (inside an "
                               "actor) could deadlock; co_await the result or use then()"});
                return take();
            }
            blocking_ = true;
            if (register_waiter()) {
                while (state_.load(std::memory_order_acquire) != done) {
                    state_.wait(waiting, std::memory_order_acquire);
                }
            }
        }
        return take();
    }

    result<T> take() noexcept { return std::move(*result_); }

private:
    enum : std::uint8_t { empty, waiting, done };

    ~async_state() override {
        if (timeout_) timeout_->release();
        if (actor_) actor_release(actor_);
    }

    bool register_waiter() noexcept {
        std::uint8_t expected = empty;
        return state_.compare_exchange_strong(expected, waiting, std::memory_order_acq_rel);
    }

    // Step 3. The completer may be a timer thread or another actor's handler: user code
    // (a coroutine, a callback) never runs there. It runs inside the waiting actor, or as a
    // job on the executor, or inline only when no executor is known (pending::ready).
    void wake() noexcept {
        if (blocking_) {
            state_.notify_all();
        } else if (handle_) {
            if (actor_) {
                resume_in(actor_, handle_, sender_);
            } else if (exec_) {
                resume_on(exec_, handle_);
            } else {
                handle_.resume();
            }
        } else if (callback_) {
            deliver_callback();
        }
    }

    void deliver_callback() noexcept {
        add_ref();
        auto run = [self = intrusive_ptr<async_state>(this, adopt)]() mutable {
            self->callback_(self->take());
        };
        if (actor_) {
            call_in(actor_, std::move(run));  // a throw there fails that actor
        } else if (exec_) {
            post(exec_, std::move(run));  // a throw there is logged
        } else {
            try {
                run();
            } catch (...) {
            }
        }
    }

    std::atomic<std::uint8_t> state_{empty};
    std::atomic<bool> claimed_{false};
    bool blocking_ = false;
    executor* exec_;
    timer_node* timeout_ = nullptr;
    actor_cell* actor_ = nullptr;
    address sender_;
    std::coroutine_handle<> handle_;
    unique_function<void(result<T>)> callback_;
    std::optional<result<T>> result_;
};

}  // namespace troupe::detail

#pragma once
// timer: the handle to a scheduled send, exit or kill. cancel() says whether it stopped the
// timer before it fired (for an interval timer: before its next firing).

#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>

#include <troupe/address.hpp>
#include <troupe/clock.hpp>
#include <troupe/detail/envelope.hpp>
#include <troupe/detail/intrusive_ptr.hpp>
#include <troupe/detail/timer_node.hpp>

namespace troupe {

class node;
namespace detail {
class actor_cell;
}

class timer {
public:
    timer() = default;
    explicit timer(detail::intrusive_ptr<detail::timer_node> n) noexcept : n_(std::move(n)) {}

    /// True if this call stopped the timer before it fired; false if it had already fired
    /// (or was cancelled before). Thread-safe.
    bool cancel() noexcept { return n_ && n_->cancel(); }
    /// True while the timer may still fire.
    bool active() const noexcept { return n_ && n_->is_pending(); }
    /// True once a one-shot timer has fired.
    bool fired() const noexcept { return n_ && n_->has_fired(); }
    time_point deadline() const noexcept { return n_ ? n_->deadline() : time_point{}; }

    detail::timer_node* node_ptr() const noexcept { return n_.get(); }

private:
    detail::intrusive_ptr<detail::timer_node> n_;
};

namespace detail {

/// Throws std::invalid_argument, with the value, unless an interval's period is positive.
inline void check_interval_period(duration period) {
    if (period > duration::zero()) return;
    throw std::invalid_argument(
        "troupe: send_interval needs a positive period, got " +
        std::to_string(std::chrono::duration_cast<std::chrono::nanoseconds>(period).count()) +
        "ns");
}

/// Delivers a message (a copy each time, for an interval) to an actor.
void deliver_from_timer(node* n, actor_cell* target, address to, envelope* e, bool periodic,
                        timer_node* self) noexcept;

template <class M>
class send_timer final : public timer_node {
public:
    send_timer(intrusive_ptr<actor_cell> target, address to, address sender, time_point at,
               duration period, M msg, node* n)
        : timer_node(at, period),
          target_(std::move(target)),
          to_(to),
          sender_(sender),
          node_(n),
          msg_(std::move(msg)) {}

private:
    void fire() noexcept override {
        envelope* e = nullptr;
        try {
            if (periodic()) {
                if constexpr (std::is_copy_constructible_v<M>) {
                    e = make_envelope<M>(priority::user, sender_, *msg_);
                }
            } else {
                e = make_envelope<M>(priority::user, sender_, std::move(*msg_));
            }
        } catch (...) {
            return;  // out of memory: the firing is lost, like any failed send
        }
        if (e) deliver_from_timer(node_, target_.get(), to_, e, periodic(), this);
    }
    void drop() noexcept override {
        target_.reset();
        msg_.reset();
    }

    intrusive_ptr<actor_cell> target_;
    address to_;
    address sender_;
    node* node_;
    std::optional<M> msg_;
};

template <class M>
timer_node* make_send_timer(intrusive_ptr<actor_cell> target, address to, time_point at,
                            duration period, M msg, node* n, address sender = {}) {
    return new send_timer<M>(std::move(target), to, sender, at, period, std::move(msg), n);
}

}  // namespace detail
}  // namespace troupe

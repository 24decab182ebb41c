#pragma once
// output_port<T>: typed publish/subscribe (after ractor's OutputPort). Actors subscribe to a
// port; publish() sends each subscriber a copy of the value, or what a map function makes
// of it. An actor that has exited is dropped from the port; nobody needs to unsubscribe it.
//
//   struct reading { double celsius; };
//   troupe::output_port<reading> readings;            // e.g. a member of a sensor actor
//   readings.subscribe(logger);                       // logger handles `reading`
//   readings.subscribe(alarm, [](const reading& r) {  // alarm handles `too_hot`
//       return r.celsius > 90 ? std::optional{too_hot{r.celsius}} : std::nullopt;
//   });
//   readings.publish(reading{95.0});                  // both get a message
//
// The function given to subscribe(ref, fn) decides what the subscriber gets, by what it
// returns: bool filters (true: the value itself), std::optional<U> maps and filters
// (nullopt: nothing), any other U maps. The subscriber's type must handle the message it
// will get; a ref to an actor that does not fails to compile, as with ref<A>::tell.
//
// Delivery. Each value goes out as ref<A>::tell would send it (sender: the publishing
// actor, if publish runs in a handler), and publish() says how many subscribers' mailboxes
// took it. An undeliverable value goes to the node's dead-letter hook, as with tell: for a
// full bounded mailbox (errc::mailbox_full) the subscriber stays subscribed and just
// misses this value; for an actor that has exited (errc::no_such_actor) the subscriber is
// also dropped from the port. (node::try_deliver is not used: it disposes of an
// undelivered message without telling the hook.) Values one thread publishes reach each
// subscriber in publish order.
//
// Subscriptions. subscribe() returns a `subscription`, a plain id: destroying it does
// nothing, because the common subscriber stays for its whole life and leaves by exiting.
// Pass it to unsubscribe() to stop earlier. Subscribing an actor twice delivers twice. Like
// a ref, a port keeps its subscribers' memory alive, not the actors.
//
// Threads. Every member is thread-safe. publish() takes a snapshot of the subscriber list
// (one shared_ptr copy under the mutex) and sends without holding the lock, so map
// functions and the dead-letter hook may use the port. Hence a publish already under way
// on another thread may still deliver one value to a subscriber just unsubscribed, and
// may miss one just subscribed. Map functions run on the publishing thread, possibly on
// several at once: they are called as const and should not throw (if one does, publish
// rethrows and the subscribers after it miss that value).

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <type_traits>
#include <utility>
#include <vector>

#include <troupe/address.hpp>
#include <troupe/detail/actor_cell.hpp>
#include <troupe/detail/envelope.hpp>
#include <troupe/detail/handler_traits.hpp>
#include <troupe/detail/intrusive_ptr.hpp>
#include <troupe/error.hpp>
#include <troupe/node.hpp>
#include <troupe/ref.hpp>

namespace troupe {

/// Names one subscription to one port. A plain value: destroying it does not unsubscribe.
class subscription {
public:
    subscription() = default;
    explicit subscription(std::uint64_t id) noexcept : id_(id) {}
    /// Unique among all ports of the process; 0 for "none".
    std::uint64_t id() const noexcept { return id_; }
    explicit operator bool() const noexcept { return id_ != 0; }
    friend bool operator==(subscription, subscription) = default;

private:
    std::uint64_t id_ = 0;
};

namespace detail {

inline std::uint64_t next_subscription_id() noexcept {
    static std::atomic<std::uint64_t> next{1};
    return next.fetch_add(1, std::memory_order_relaxed);
}

template <class F, class T>
using port_map_result_t = std::remove_cvref_t<std::invoke_result_t<const F&, const T&>>;

template <class R>
struct port_mapped {  // F returns U: the subscriber gets U
    using type = R;
};
template <class U>
struct port_mapped<std::optional<U>> {
    using type = U;
};

/// The message type a subscriber with map function F gets from an output_port<T>.
template <class T, class F>
using port_message_t = std::conditional_t<std::is_same_v<port_map_result_t<F, T>, bool>, T,
                                          typename port_mapped<port_map_result_t<F, T>>::type>;

/// One subscriber: the actor, and how a value becomes its message.
template <class T>
class port_subscriber {
public:
    port_subscriber(std::uint64_t id, intrusive_ptr<actor_cell> cell) noexcept
        : id_(id), cell_(std::move(cell)) {}
    virtual ~port_subscriber() = default;
    std::uint64_t id() const noexcept { return id_; }
    actor_cell& cell() const noexcept { return *cell_; }
    /// The message for `value`, or null if the map function filters it out. Thread-safe.
    virtual envelope* make(const T& value) const = 0;

private:
    std::uint64_t id_;
    intrusive_ptr<actor_cell> cell_;
};

template <class T>
class plain_subscriber final : public port_subscriber<T> {
public:
    using port_subscriber<T>::port_subscriber;
    envelope* make(const T& value) const override { return node::make_user_envelope(value); }
};

template <class T, class F>
class mapped_subscriber final : public port_subscriber<T> {
public:
    mapped_subscriber(std::uint64_t id, intrusive_ptr<actor_cell> cell, F fn)
        : port_subscriber<T>(id, std::move(cell)), fn_(std::move(fn)) {}
    envelope* make(const T& value) const override {
        using R = port_map_result_t<F, T>;
        if constexpr (std::is_same_v<R, bool>) {
            return fn_(value) ? node::make_user_envelope(value) : nullptr;
        } else if constexpr (std::is_same_v<R, std::optional<port_message_t<T, F>>>) {
            auto mapped = fn_(value);
            return mapped ? node::make_user_envelope(std::move(*mapped)) : nullptr;
        } else {
            return node::make_user_envelope(fn_(value));
        }
    }

private:
    F fn_;
};

}  // namespace detail

template <class T>
class output_port {
public:
    using value_type = T;

    output_port() = default;
    output_port(const output_port&) = delete;
    output_port& operator=(const output_port&) = delete;

    /// The subscriber gets each published T. An empty ref subscribes nobody (and gives an
    /// empty subscription). Thread-safe.
    template <class A>
    subscription subscribe(const ref<A>& to) {
        static_assert(detail::accepts_v<A, T>,
                      "troupe: output_port<T>::subscribe: this actor does not handle T; list it "
                      "in troupe::actor<Self, Messages...> with a handle() overload, or pass a "
                      "map function: subscribe(ref, [](const T&) { return message; })");
        if (!to) return subscription{};
        return add(std::make_shared<detail::plain_subscriber<T>>(detail::next_subscription_id(),
                                                                 cell_of(to)));
    }

    /// The subscriber gets fn(value): fn returns bool (a filter), std::optional<U> (a map;
    /// nullopt filters) or U (a map). Thread-safe.
    template <class A, class F>
    subscription subscribe(const ref<A>& to, F fn) {
        if constexpr (check_map<F>()) {
            static_assert(detail::accepts_v<A, detail::port_message_t<T, F>>,
                          "troupe: output_port<T>::subscribe: this actor does not handle the "
                          "type the map function returns; list it in troupe::actor<Self, "
                          "Messages...> with a handle() overload");
            if (!to) return subscription{};
            return add(std::make_shared<detail::mapped_subscriber<T, F>>(
                detail::next_subscription_id(), cell_of(to), std::move(fn)));
        } else {
            return subscription{};  // not reached: check_map stopped the build
        }
    }

    /// By address, unchecked (for actors known only by address). Fails with no_such_actor
    /// if no actor lives at `to` on `n`. Thread-safe.
    result<subscription> subscribe(node& n, address to) {
        auto cell = n.lookup(to);
        if (!cell) return no_actor(to);
        return add(std::make_shared<detail::plain_subscriber<T>>(detail::next_subscription_id(),
                                                                 std::move(cell)));
    }
    template <class F>
    result<subscription> subscribe(node& n, address to, F fn) {
        if constexpr (check_map<F>()) {
            auto cell = n.lookup(to);
            if (!cell) return no_actor(to);
            return add(std::make_shared<detail::mapped_subscriber<T, F>>(
                detail::next_subscription_id(), std::move(cell), std::move(fn)));
        } else {
            return subscription{};  // not reached: check_map stopped the build
        }
    }

    /// Stops delivery to `s`; false if it is not (or no longer) subscribed. Thread-safe.
    bool unsubscribe(subscription s) {
        std::shared_ptr<const list> old;  // released after the lock (see rebuild)
        std::lock_guard lock{mutex_};
        return rebuild(s.id(), nullptr, old);
    }

    /// Sends `value` to every subscriber (mapped and filtered as each asked); drops those
    /// that have exited. Returns how many mailboxes took it. Thread-safe.
    std::size_t publish(const T& value) {
        std::shared_ptr<const list> snapshot;
        {
            std::lock_guard lock{mutex_};
            snapshot = subscribers_;
        }
        std::size_t delivered = 0;
        bool saw_exit = false;
        for (const auto& sub : *snapshot) {
            detail::envelope* e = sub->make(value);
            if (!e) continue;
            auto& cell = sub->cell();
            auto why = cell.enqueue(e);
            if (why == errc{}) {
                ++delivered;
                continue;
            }
            // As node::deliver: the hook hears of it, and the envelope is disposed of.
            cell.home().report_dead_letter(cell.addr(), e, why);
            saw_exit = saw_exit || why == errc::no_such_actor;
        }
        if (saw_exit) {
            std::shared_ptr<const list> old;  // released after the lock (see rebuild)
            std::lock_guard lock{mutex_};
            rebuild(0, nullptr, old);
        }
        return delivered;
    }

    /// Subscribers, counting any that exited since the port last changed or met them in a
    /// publish (they drop out then). Thread-safe.
    std::size_t subscriber_count() const {
        std::lock_guard lock{mutex_};
        return subscribers_->size();
    }

private:
    using list = std::vector<std::shared_ptr<const detail::port_subscriber<T>>>;

    template <class A>
    static detail::intrusive_ptr<detail::actor_cell> cell_of(const ref<A>& r) {
        return detail::intrusive_ptr<detail::actor_cell>(r.cell());
    }
    static error no_actor(address to) {
        return error{errc::no_such_actor, "no actor at " + to.to_string()};
    }
    /// Readable errors for a map function that does not fit; true if it fits.
    template <class F>
    static constexpr bool check_map() {
        constexpr bool callable = std::is_invocable_v<const F&, const T&>;
        static_assert(callable,
                      "troupe: output_port<T>::subscribe: the map function must be callable as "
                      "const with a `const T&` (publish may call it from several threads)");
        if constexpr (callable) {
            constexpr bool returns = !std::is_void_v<detail::port_map_result_t<F, T>>;
            static_assert(returns,
                          "troupe: output_port<T>::subscribe: the map function must return "
                          "bool (a filter), std::optional<U> or U (a map), not void");
            return returns;
        } else {
            return false;
        }
    }

    subscription add(std::shared_ptr<const detail::port_subscriber<T>> sub) {
        subscription s{sub->id()};
        std::shared_ptr<const list> old;  // released after the lock (see rebuild)
        std::lock_guard lock{mutex_};
        rebuild(0, std::move(sub), old);
        return s;
    }

    // Copy-on-write: publish() sends to a snapshot, so a change makes a new list: without
    // subscription `without` (0: none), without every subscriber that has exited (an exited
    // actor never comes back: is_dead() is final), plus `extra` if given. True if `without`
    // was listed. Only with mutex_ held. The old list goes to `old`, for the caller to
    // release after unlocking: the last reference to a subscriber destroys its map function
    // and may destroy its actor's cell, which fails the asks left in its mailbox; neither
    // may run under the lock.
    bool rebuild(std::uint64_t without, std::shared_ptr<const detail::port_subscriber<T>> extra,
                 std::shared_ptr<const list>& old) {
        auto next = std::make_shared<list>();
        next->reserve(subscribers_->size() + 1);
        bool found = false;
        for (const auto& sub : *subscribers_) {
            if (sub->id() == without) {
                found = true;
            } else if (!sub->cell().is_dead()) {
                next->push_back(sub);
            }
        }
        if (extra) next->push_back(std::move(extra));
        old = std::exchange(subscribers_, std::move(next));
        return found;
    }

    mutable std::mutex mutex_;
    std::shared_ptr<const list> subscribers_ = std::make_shared<const list>();
};

}  // namespace troupe

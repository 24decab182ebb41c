#pragma once
// message: a received message of any type, owned. Process-style actors get these from
// receive(); visit() matches one against handlers by their parameter type.
//
//   auto m = co_await self.receive();
//   troupe::visit(m,
//       [&](const ping& p) { ... },
//       [&](const stop_now&) { ... },
//       [&](troupe::message& other) { ... });   // catch-all: takes anything

#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include <troupe/address.hpp>
#include <troupe/detail/envelope.hpp>
#include <troupe/detail/type_id.hpp>
#include <troupe/error.hpp>

namespace troupe {

class message {
public:
    message() = default;
    explicit message(detail::envelope* e) noexcept : e_(e) {}

    explicit operator bool() const noexcept { return static_cast<bool>(e_); }
    std::string_view type_name() const noexcept { return e_->type()->name; }
    address sender() const noexcept { return e_->sender; }

    template <class T>
    bool is() const noexcept {
        return e_ && e_->type() == detail::type_id_of<T>();
    }
    template <class T>
    T* get_if() noexcept {
        return is<T>() ? &static_cast<detail::envelope_of<T>*>(e_.get())->value : nullptr;
    }
    /// The payload as a T; throws std::logic_error naming both types if it is not one.
    template <class T>
    T& get() {
        if (auto* p = get_if<T>()) return *p;
        throw std::logic_error("troupe::message::get: the message is a " +
                               std::string{type_name()} + ", not a " +
                               std::string{detail::type_name<T>()});
    }

    /// True if the sender asked (and waits for a reply).
    bool wants_reply() const noexcept { return e_ && e_->reply != nullptr; }
    /// Answers an ask. The asker must expect exactly R. At most once.
    template <class R>
    void reply(R value) {
        if (auto* sink = e_->take_reply()) {
            std::decay_t<R> v(std::move(value));
            sink->set_value(detail::type_id_of<std::decay_t<R>>(), &v);
            sink->release();
        }
    }
    void reply() {
        if (auto* sink = e_->take_reply()) {
            sink->set_value(detail::type_id_of<void>(), nullptr);
            sink->release();
        }
    }
    /// Fails an ask with `e`.
    void fail(error e) {
        if (auto* sink = e_->take_reply()) {
            sink->set_error(std::move(e));
            sink->release();
        }
    }

    detail::envelope* envelope() const noexcept { return e_.get(); }
    detail::envelope* release() noexcept { return e_.release(); }

private:
    detail::envelope_ptr e_;
};

namespace detail {

template <class F>
struct first_arg : first_arg<decltype(&F::operator())> {};
template <class C, class R, class A>
struct first_arg<R (C::*)(A) const> {
    using type = A;
};
template <class C, class R, class A>
struct first_arg<R (C::*)(A)> {
    using type = A;
};
template <class R, class A>
struct first_arg<R (*)(A)> {
    using type = A;
};

template <class F>
bool visit_one(message& m, F& f) {
    using arg = std::decay_t<typename first_arg<std::decay_t<F>>::type>;
    if constexpr (std::is_same_v<arg, message>) {
        f(m);
        return true;
    } else {
        if (auto* p = m.get_if<arg>()) {
            f(*p);
            return true;
        }
        return false;
    }
}

}  // namespace detail

/// Calls the first function whose parameter type is the message's type (a function taking
/// `message&` matches anything). Returns whether one matched.
template <class... Fs>
bool visit(message& m, Fs&&... fs) {
    return (detail::visit_one(m, fs) || ...);
}

}  // namespace troupe

#pragma once
// A move-only std::function: callbacks may own move-only things (a reply_handle, a
// unique_ptr). C++23's std::move_only_function, for C++20.

#include <memory>
#include <type_traits>
#include <utility>

namespace troupe::detail {

template <class Signature>
class unique_function;

template <class R, class... Args>
class unique_function<R(Args...)> {
public:
    unique_function() = default;
    unique_function(std::nullptr_t) noexcept {}
    template <class F>
    requires(!std::is_same_v<std::decay_t<F>, unique_function> &&
             std::is_invocable_r_v<R, std::decay_t<F>&, Args...>) unique_function(F&& f)
        : impl_(std::make_unique<model<std::decay_t<F>>>(std::forward<F>(f))) {}

    R operator()(Args... args) { return impl_->call(std::forward<Args>(args)...); }
    explicit operator bool() const noexcept { return static_cast<bool>(impl_); }

private:
    struct concept_t {
        virtual ~concept_t() = default;
        virtual R call(Args... args) = 0;
    };
    template <class F>
    struct model final : concept_t {
        explicit model(F&& f) : fn(std::move(f)) {}
        explicit model(const F& f) : fn(f) {}
        R call(Args... args) override { return fn(std::forward<Args>(args)...); }
        F fn;
    };
    std::unique_ptr<concept_t> impl_;
};

}  // namespace troupe::detail

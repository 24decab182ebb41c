#pragma once
// A strong pointer to an object that counts its own references (add_ref/release members).

#include <cstddef>
#include <utility>

namespace troupe::detail {

struct adopt_t {};
inline constexpr adopt_t adopt{};

template <class T>
class intrusive_ptr {
public:
    intrusive_ptr() = default;
    intrusive_ptr(std::nullptr_t) noexcept {}
    /// Adds a reference.
    explicit intrusive_ptr(T* p) noexcept : p_(p) {
        if (p_) p_->add_ref();
    }
    /// Takes over a reference the caller owns.
    intrusive_ptr(T* p, adopt_t) noexcept : p_(p) {}
    intrusive_ptr(const intrusive_ptr& o) noexcept : intrusive_ptr(o.p_) {}
    intrusive_ptr(intrusive_ptr&& o) noexcept : p_(std::exchange(o.p_, nullptr)) {}
    template <class U>
    intrusive_ptr(intrusive_ptr<U>&& o) noexcept : p_(o.release()) {}
    template <class U>
    intrusive_ptr(const intrusive_ptr<U>& o) noexcept : intrusive_ptr(o.get()) {}
    intrusive_ptr& operator=(intrusive_ptr o) noexcept {
        std::swap(p_, o.p_);
        return *this;
    }
    ~intrusive_ptr() {
        if (p_) p_->release();
    }

    T* get() const noexcept { return p_; }
    T* operator->() const noexcept { return p_; }
    T& operator*() const noexcept { return *p_; }
    explicit operator bool() const noexcept { return p_ != nullptr; }
    /// Gives up the reference without releasing it.
    T* release() noexcept { return std::exchange(p_, nullptr); }
    void reset() noexcept { intrusive_ptr{}.swap(*this); }
    void swap(intrusive_ptr& o) noexcept { std::swap(p_, o.p_); }

    friend bool operator==(const intrusive_ptr& a, const intrusive_ptr& b) noexcept {
        return a.p_ == b.p_;
    }

private:
    T* p_ = nullptr;
};

}  // namespace troupe::detail

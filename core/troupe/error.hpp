#pragma once
// Errors returned by sends, asks, spawns and waits, and the result<T> that carries them.

#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

namespace troupe {

enum class errc : std::uint8_t {
    timeout = 1,       // no reply within the time-out
    no_such_actor,     // the receiver is gone (or never existed)
    mailbox_full,      // a bounded mailbox is at capacity
    handler_failed,    // the handler threw or the actor died before replying
    no_reply,          // the handler dropped its reply handle without replying
    bad_reply_type,    // an untyped ask expected another reply type
    start_failed,      // the actor's start hook failed
    duplicate_name,    // register_name: the name is taken
    not_found,         // a name or timer that does not exist
    shutting_down,     // the node is stopping
    cancelled,         // the operation was cancelled (e.g. the awaiting actor stopped)
    invalid_argument,  // a malformed address, a bad option value
    bad_message,       // a message could not be decoded or encoded (codec)
};

std::string_view to_string(errc code) noexcept;

/// An error code and a human-readable reason (what was wrong, with the value).
class error {
public:
    error(errc code, std::string reason = {}) : code_(code), reason_(std::move(reason)) {}

    errc code() const noexcept { return code_; }
    const std::string& reason() const noexcept { return reason_; }
    /// "timeout: no reply from <fff8:3> within 100ms"
    std::string message() const;

    friend bool operator==(const error& e, errc c) noexcept { return e.code_ == c; }

private:
    errc code_;
    std::string reason_;
};

/// A value or an error. Small and explicit: value() on an error throws bad_result_access.
template <class T>
class [[nodiscard]] result;

class bad_result_access : public std::exception {
public:
    explicit bad_result_access(troupe::error e) : err_(std::move(e)), what_(err_.message()) {}
    const char* what() const noexcept override { return what_.c_str(); }
    const troupe::error& err() const noexcept { return err_; }

private:
    troupe::error err_;
    std::string what_;
};

template <class T>
class [[nodiscard]] result {
public:
    result(T value) : v_(std::in_place_index<0>, std::move(value)) {}
    result(troupe::error e) : v_(std::in_place_index<1>, std::move(e)) {}
    result(errc c) requires(!std::is_same_v<T, errc>)
        : v_(std::in_place_index<1>, troupe::error{c}) {}

    bool has_value() const noexcept { return v_.index() == 0; }
    explicit operator bool() const noexcept { return has_value(); }

    T& value() & {
        check();
        return std::get<0>(v_);
    }
    const T& value() const& {
        check();
        return std::get<0>(v_);
    }
    T&& value() && {
        check();
        return std::get<0>(std::move(v_));
    }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T&& operator*() && { return std::move(*this).value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }

    const troupe::error& error() const& { return std::get<1>(v_); }
    template <class U>
    T value_or(U&& fallback) const& {
        return has_value() ? std::get<0>(v_) : static_cast<T>(std::forward<U>(fallback));
    }

private:
    void check() const {
        if (v_.index() != 0) throw bad_result_access(std::get<1>(v_));
    }
    std::variant<T, troupe::error> v_;
};

template <>
class [[nodiscard]] result<void> {
public:
    result() = default;
    result(troupe::error e) : err_(std::move(e)), ok_(false) {}
    result(errc c) : err_(c), ok_(false) {}

    bool has_value() const noexcept { return ok_; }
    explicit operator bool() const noexcept { return ok_; }
    void value() const {
        if (!ok_) throw bad_result_access(err_);
    }
    const troupe::error& error() const& { return err_; }

private:
    troupe::error err_{errc::invalid_argument};
    bool ok_ = true;
};

}  // namespace troupe

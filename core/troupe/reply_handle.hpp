#pragma once
// Deferred replies (gen_server's "reply later").
//
//   deferred<int> handle(const get& m) {
//       waiting_.push_back(reply_later<int>());   // keep the handle
//       return {};                                // the reply comes later
//   }
//   ... later, from any handler or thread:  waiting_.front().send(42);
//
// A handle that is destroyed without replying fails the asker with errc::no_reply.

#include <type_traits>
#include <utility>

#include <troupe/detail/intrusive_ptr.hpp>
#include <troupe/detail/reply_sink.hpp>
#include <troupe/detail/type_id.hpp>
#include <troupe/error.hpp>

namespace troupe {

/// The return type of a handler that replies later with a T.
template <class T>
struct deferred {};

template <class T>
class reply_handle {
public:
    reply_handle() = default;
    explicit reply_handle(detail::reply_sink* sink) noexcept : sink_(sink, detail::adopt) {}
    reply_handle(reply_handle&&) noexcept = default;
    reply_handle& operator=(reply_handle&& o) noexcept {
        if (this != &o) {
            abandon();
            sink_ = std::move(o.sink_);
        }
        return *this;
    }
    ~reply_handle() { abandon(); }

    /// False for a handle taken while handling a tell (nobody waits for a reply).
    bool wants_reply() const noexcept { return static_cast<bool>(sink_); }

    /// Sends the reply. Thread-safe; at most once (later calls do nothing).
    template <class U = T>
    requires(!std::is_void_v<T>) void send(U&& value) {
        if (auto s = std::move(sink_)) {
            T v(std::forward<U>(value));
            s->set_value(detail::type_id_of<T>(), &v);
        }
    }
    void send() requires std::is_void_v<T> {
        if (auto s = std::move(sink_)) s->set_value(detail::type_id_of<void>(), nullptr);
    }
    /// Fails the ask with `e`.
    void fail(error e) {
        if (auto s = std::move(sink_)) s->set_error(std::move(e));
    }

private:
    void abandon() noexcept {
        if (auto s = std::move(sink_)) {
            s->set_error(error{errc::no_reply, "the handler dropped its reply handle"});
        }
    }
    detail::intrusive_ptr<detail::reply_sink> sink_;
};

}  // namespace troupe

#pragma once
// The IPC client: a troupe program (or a tool) talking to actors another process exposes
// with ipc::server, over its Unix socket (acton-reactive IPC protocol v2).
//
//   auto c = ipc::client::connect({.app = "my-app"}).value();
//   value v = c.request("my-service", "GetValue", value::map{{"key", "k"}}).get().value();
//   GetValue q{"k"};
//   auto n = c.call<std::optional<std::int64_t>>("my-service", q).get();  // typed both ways
//   auto r = co_await c.call<Echo>("echo", hello);                         // inside an actor
//
// (Under GCC 12, name the message rather than building a temporary inside a co_await
// expression: GCC 12.2 destroys such a temporary twice.)
//
// Every operation returns a pending (get(), then() or co_await, as for ask). Many requests
// may be in flight; answers are matched by correlation id, whatever order they come in.
// An error answer becomes a troupe::error whose reason is "<ERROR_CODE>: <message>" (see
// code_of_reason); the connection dropping fails whatever is open with CONNECTION_CLOSED.
// The client does not reconnect: connect again.
//
// Thread contract: every member function is thread-safe (except moving and destroying).
// The client runs its socket on one thread of its own; callbacks (on_push, on_item, then()
// from outside an actor) run on that thread, so they must not block on this client's
// pendings. Do not destroy the client from one of its own callbacks.

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <troupe/codec/convert.hpp>
#include <troupe/codec/format.hpp>
#include <troupe/codec/value.hpp>
#include <troupe/detail/async_state.hpp>
#include <troupe/detail/unique_function.hpp>
#include <troupe/error.hpp>
#include <troupe/ipc/envelope.hpp>
#include <troupe/ipc/error_code.hpp>
#include <troupe/ipc/frame.hpp>
#include <troupe/pending.hpp>

namespace troupe::ipc {

struct client_config {
    /// Where the server listens; empty: $TROUPE_IPC_SOCKET, else default_socket_path(app).
    /// (The braces let `{.app = "x"}` leave it out without a -Wmissing-field-initializers.)
    std::string socket_path{};
    /// Names the default socket path.
    std::string app = "troupe";
    /// The format of the frames this client sends (the server answers in the same one).
    codec::format format = codec::format::json;
    /// How long an operation waits for its answer unless it says otherwise.
    std::chrono::milliseconds timeout{30000};
    /// The largest frame payload this client reads; a longer one closes the connection.
    std::size_t max_frame = hard_max_frame;
};

/// The socket path a client with `cfg` connects to.
std::string resolve_socket_path(const client_config& cfg);

/// The troupe error for an IPC error code and its message: reason "<CODE>: <message>",
/// errc mapped (TIMEOUT is timeout, ACTOR_NOT_FOUND no_such_actor, TARGET_BUSY
/// mailbox_full, HANDLER_FAILED handler_failed, SERIALIZATION_ERROR bad_message,
/// UNKNOWN_MESSAGE_TYPE not_found, SHUTTING_DOWN shutting_down; others invalid_argument).
troupe::error error_of(code c, std::string_view message);

/// The IPC error code a client error carries at the start of its reason, if any.
std::optional<code> code_of_reason(const troupe::error& e);

class client {
public:
    /// Connects (blocking). Fails with an IO_ERROR error if nobody listens at the path.
    static result<client> connect(client_config cfg = {});

    client(client&&) noexcept;
    client& operator=(client&&) noexcept;
    client(const client&) = delete;
    client& operator=(const client&) = delete;
    /// Closes the connection (open operations fail with CONNECTION_CLOSED) and joins the
    /// socket thread.
    ~client();

    /// Asks `target` with a message of `type`; completes with the handler's reply (nil for
    /// a handler with no reply). The server gives up after `timeout` (TIMEOUT); the client
    /// too, a little later, if no answer comes at all.
    pending<value> request(std::string_view target, std::string_view type, value payload,
                           std::optional<std::chrono::milliseconds> timeout = {});

    /// The same with a typed message (named with TROUPE_MESSAGE).
    template <codec::named_message M>
    pending<value> request(std::string_view target, const M& msg,
                           std::optional<std::chrono::milliseconds> timeout = {}) {
        return call<value>(target, msg, timeout);
    }

    /// A typed request with a typed reply: the reply value read as R (void ignores it). A
    /// reply that does not read as R is a bad_reply_type error (SERIALIZATION_ERROR: ...).
    template <class R, codec::named_message M>
    pending<R> call(std::string_view target, const M& msg,
                    std::optional<std::chrono::milliseconds> timeout = {}) {
        using state = troupe::detail::async_state<R>;
        troupe::detail::intrusive_ptr<state> st{new state, troupe::detail::adopt};
        auto v = codec::to_value(msg);
        if (!v) {
            st->complete(error_of(code::serialization_error, v.error().reason()));
            return pending<R>{std::move(st)};
        }
        send_request(target, codec::message_name<M>(), std::move(*v), timeout,
                     [st](result<value> r) {
                         if (!r) {
                             st->complete(r.error());
                         } else if constexpr (std::is_void_v<R>) {
                             st->complete(result<void>{});
                         } else if constexpr (std::is_same_v<R, value>) {
                             st->complete(std::move(*r));
                         } else {
                             st->complete(read_reply<R>(*r));
                         }
                     });
        return pending<R>{std::move(st)};
    }

    /// Fire and forget: completes once the server has put the message in the actor's
    /// mailbox ("delivered"), or with the error that kept it out.
    pending<void> tell(std::string_view target, std::string_view type, value payload);

    template <codec::named_message M>
    pending<void> tell(std::string_view target, const M& msg) {
        auto v = codec::to_value(msg);
        if (!v) {
            return pending<void>::ready(error_of(code::serialization_error, v.error().reason()));
        }
        return tell(target, codec::message_name<M>(), std::move(*v));
    }

    /// A streamed reply: every item in order (on_item, if given, sees each as it comes, on
    /// the socket thread), completing with all of them once the stream ends.
    pending<std::vector<value>> stream(std::string_view target, std::string_view type,
                                       value payload,
                                       std::function<void(const value&)> on_item = {},
                                       std::optional<std::chrono::milliseconds> timeout = {});

    /// Subscribes to broadcast types; completes with every type subscribed to now. An
    /// unregistered type is UNKNOWN_MESSAGE_TYPE and changes nothing.
    pending<std::vector<std::string>> subscribe(std::vector<std::string> types);
    pending<std::vector<std::string>> unsubscribe(std::vector<std::string> types);
    /// Replaces the push handler (called on the socket thread, in arrival order). Set it
    /// before subscribing: pushes arriving with no handler are dropped.
    void on_push(std::function<void(const push&)> fn);

    /// The server's protocol version, exposed actors (with their message types) and
    /// registered message types.
    pending<discover_response> discover(bool actors = true, bool types = true);

    /// A heartbeat's round trip.
    pending<std::chrono::nanoseconds> heartbeat();

    /// Closes the connection now: open operations fail with CONNECTION_CLOSED, and so does
    /// everything asked afterwards. Idempotent.
    void close();
    /// False once the connection closed (either side).
    bool connected() const noexcept;
    const std::string& socket_path() const noexcept;

    struct impl;

private:
    using reply_fn = troupe::detail::unique_function<void(result<value>)>;

    explicit client(std::unique_ptr<impl> i) noexcept;
    void send_request(std::string_view target, std::string_view type, value payload,
                      std::optional<std::chrono::milliseconds> timeout, reply_fn done);

    template <class R>
    static result<R> read_reply(const value& v) {
        auto typed = codec::from_value<R>(v);
        if (typed) return std::move(*typed);
        return bad_reply(typed.error());
    }
    static troupe::error bad_reply(const troupe::error& why);

    std::unique_ptr<impl> impl_;
};

}  // namespace troupe::ipc

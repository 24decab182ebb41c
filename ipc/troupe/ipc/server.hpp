#pragma once
// The IPC server: actors reachable by name from other processes over a Unix socket, with
// acton-reactive's IPC protocol v2 (so clients written for it work unchanged).
//
//   codec::registry types;
//   ipc::server srv{node, types, {.app = "my-app"}};
//   srv.expose("my-service", node.spawn<kv_store>().value()).value();
//   srv.start().value();                  // $XDG_RUNTIME_DIR/troupe/my-app.sock, mode 0600
//   srv.broadcast(PriceChanged{"ACME", 42.5});   // to every subscriber of the type
//   ...
//   srv.stop();                           // answers what is in flight, then closes
//
// What a client can do: requests with a reply, fire-and-forget requests (acknowledged once
// the message is in the mailbox), streamed replies, subscriptions to broadcast types,
// discovery of exposed actors and message types, heartbeats. Many requests may be in
// flight on one connection; each is answered as soon as its reply comes, whatever the
// order they were sent in.
//
// Every bad input gets an error frame with the protocol's code, and the connection
// survives wherever the frame boundary is still known (see docs/ipc-protocol.md).
//
// Thread contract: every member function is thread-safe. The server runs its sockets on
// one thread of its own; actors run on the node's workers as usual.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <troupe/codec/convert.hpp>
#include <troupe/codec/registry.hpp>
#include <troupe/codec/value.hpp>
#include <troupe/ipc/frame.hpp>
#include <troupe/node.hpp>

namespace troupe::ipc {

/// Who is at the other end of a connection (SO_PEERCRED).
struct peer_credentials {
    std::uint32_t uid = 0;
    std::uint32_t gid = 0;
    std::int32_t pid = 0;
};

/// Decides whether a peer may connect. The default admits the server's own user only.
using authorize_hook = std::function<bool(const peer_credentials&)>;

struct server_config {
    /// Names the default socket path (default_socket_path(app)).
    std::string app = "troupe";
    /// Where to listen; empty means default_socket_path(app).
    std::string socket_path{};
    /// The largest frame payload accepted (1 MiB); at most hard_max_frame (16 MiB).
    std::size_t max_frame = default_max_frame;
    /// Connections beyond this are refused with CONNECTION_LIMIT_REACHED.
    std::size_t max_connections = 1024;
    /// Requests one connection may have in flight; beyond it the server stops reading
    /// from that connection until replies go out (back-pressure, not an error).
    std::size_t max_in_flight = 256;
    /// Token bucket per connection: requests per second and burst. Over it, requests get
    /// RATE_LIMITED with the time to wait. Off (0) by default: max_in_flight already bounds
    /// what a connection can ask at once; set it where fire-and-forget floods matter.
    double rate = 0;
    double burst = 1000;
    /// A frame must arrive whole within this, counted from its first byte.
    std::chrono::milliseconds read_timeout{30000};
    /// Queued output must make progress within this (a client that stops reading).
    std::chrono::milliseconds write_timeout{30000};
    /// A connection with no frame and nothing in flight for this long is closed; 0: never.
    std::chrono::milliseconds idle_timeout{0};
    /// Push frames one connection may have queued; the oldest are dropped (and counted).
    std::size_t max_push_backlog = 1024;
    /// How long stop() waits for requests in flight before closing anyway.
    std::chrono::milliseconds drain_timeout{10000};
    /// Who may connect; empty means the server's own uid only.
    authorize_hook authorize{};
};

/// Counters since start (a snapshot).
struct server_stats {
    std::uint64_t connections = 0;     // open now
    std::uint64_t accepted = 0;        // ever
    std::uint64_t rejected = 0;        // refused by the limit or the hook
    std::uint64_t requests = 0;        // request frames read
    std::uint64_t errors = 0;          // error frames sent
    std::uint64_t pushes = 0;          // push frames queued
    std::uint64_t pushes_dropped = 0;  // dropped for slow subscribers
};

/// $XDG_RUNTIME_DIR/troupe/<app>.sock, or /tmp/troupe-<uid>/<app>.sock without it.
std::string default_socket_path(std::string_view app);

class server {
public:
    server(node& n, codec::registry& types, server_config cfg = {});
    /// Stops (gracefully) if still running.
    ~server();
    server(const server&) = delete;
    server& operator=(const server&) = delete;

    /// Makes `actor` reachable as `name`, by the names of the messages it handles (they
    /// are registered in the registry). A taken name is a duplicate_name error.
    template <class A>
    result<void> expose(std::string name, const ref<A>& actor) {
        auto ep = types_.expose(actor);
        if (!ep) return ep.error();
        return add_exposed(std::move(name), std::move(*ep), reviver{});
    }
    /// Makes whichever actor of type A is registered on the node as `registered` reachable
    /// as `name`, looked up again whenever the one found last has exited: a supervised
    /// child spawned with register_as stays reachable across restarts. Fails with
    /// not_found if nothing is registered under that name now.
    template <class A>
    result<void> expose_registered(std::string name, std::string registered) {
        reviver find = [&n = node_, &types = types_,
                        registered]() -> std::optional<codec::endpoint> {
            auto a = n.whereis(registered);
            if (!a) return std::nullopt;
            auto cell = n.lookup(*a);
            if (!cell || !dynamic_cast<A*>(cell->behavior())) return std::nullopt;
            auto ep = types.expose(ref<A>{std::move(cell)});
            if (!ep) return std::nullopt;
            return std::move(*ep);
        };
        auto now = find();
        if (!now) {
            return error{errc::not_found,
                         "expose_registered: no live actor of this type is "
                         "registered as \"" +
                             registered + "\""};
        }
        return add_exposed(std::move(name), std::move(*now), std::move(find));
    }
    /// Makes the name unreachable; false if nothing was exposed under it.
    bool hide(std::string_view name);
    /// The exposed names, sorted.
    std::vector<std::string> exposed() const;

    /// Creates the socket (its directory 0700, the socket 0600) and starts serving.
    /// Fails if another server listens at the path; a stale socket file is replaced.
    result<void> start();
    /// Refuses new requests (SHUTTING_DOWN), answers those in flight (up to
    /// drain_timeout), closes every connection and removes the socket. Idempotent.
    void stop();
    bool running() const noexcept;

    /// Sends `msg` to every connection subscribed to its type (registering the type).
    /// Fails only if the message cannot be converted or its name is taken by another type.
    template <codec::named_message T>
    result<void> broadcast(const T& msg, std::string_view source_actor = {}) {
        if (auto added = types_.add<T>(); !added) return added.error();
        auto v = codec::to_value(msg);
        if (!v) return v.error();
        publish(codec::message_type::of<T>().name(), std::move(*v), source_actor);
        return {};
    }
    /// The same for a dynamic value under a type name; subscribers can only have
    /// subscribed to registered names.
    void broadcast(std::string_view type, troupe::value payload,
                   std::string_view source_actor = {}) {
        publish(type, std::move(payload), source_actor);
    }

    /// The socket path (resolved by start()).
    std::string socket_path() const;
    server_stats stats() const;

    struct impl;

private:
    using reviver = std::function<std::optional<codec::endpoint>()>;
    result<void> add_exposed(std::string name, codec::endpoint ep, reviver revive);
    void publish(std::string_view type, troupe::value payload, std::string_view source_actor);

    node& node_;
    codec::registry& types_;
    std::shared_ptr<impl> impl_;  // shared: replies still coming hold it weakly
};

}  // namespace troupe::ipc

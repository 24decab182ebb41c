#pragma once
// The type registry: stable names <-> C++ message types, and endpoints, through which an
// actor handles messages that arrive by name (from a Lua script, an IPC client, a node).
//
//   codec::registry reg;
//   reg.add<SetValue>().value();                   // a taken name is an error
//   auto counter = node.spawn<kv_store>();
//   codec::endpoint ep = reg.expose(counter).value();
//   // JSON in, JSON out; the handler is kv_store::handle(const SetValue&):
//   pending<std::string> reply = ep.ask("SetValue", format::json,
//                                       R"({"key":"a","value":1})", 1s);
//   // or a value in, a value out (what Lua uses):
//   pending<value> r = ep.ask("GetValue", value::map{{"key", "a"}}, 1s);
//
// Every failure is an error value, never a crash: an unknown name, a message the actor does
// not handle, a decoding error ("SetValue.value: expected int64, got string"), and all the
// errors of ask itself (timeout, no_such_actor...).
//
// Thread contract: registry is thread-safe (a reader-writer lock; registering is rare).
// An endpoint is immutable and may be shared and used from any thread.

#include <map>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <troupe/codec/detail/binding.hpp>
#include <troupe/codec/message_type.hpp>

namespace troupe::codec {

/// An actor reachable by message name. Cheap to copy.
class endpoint {
public:
    endpoint() = default;

    address addr() const noexcept { return actor_.addr(); }
    /// True while the actor lives (a snapshot: it may exit right after).
    bool alive() const;
    /// The stable names of the messages this actor handles, in its message list's order.
    std::vector<std::string_view> message_types() const;
    /// The message type named `type` if this actor handles it; nullptr otherwise.
    const message_type* find(std::string_view type) const noexcept;
    /// What the handler of `type` replies, for discovery: a stable name ("kv.Snapshot"), a
    /// kind of field ("int64", "array"), "nil" for a void handler, or "" if not handled.
    std::string_view reply_type(std::string_view type) const noexcept;

    /// Decodes `msg` as the message named `type`, asks the actor, and gives the reply as a
    /// value (nil for a handler that returns void).
    pending<value> ask(std::string_view type, const value& msg, duration timeout,
                       const options& opts = {}) const;
    /// The same with the message and the reply in `f` (JSON text or MessagePack bytes).
    pending<std::string> ask(std::string_view type, format f, std::string_view msg,
                             duration timeout, const options& opts = {}) const;
    /// Decodes and tells (fire and forget): the error says why it was not delivered.
    result<void> tell(std::string_view type, const value& msg, const options& opts = {}) const;
    result<void> tell(std::string_view type, format f, std::string_view msg,
                      const options& opts = {}) const;

private:
    friend class registry;
    endpoint(actor_handle actor, std::string_view actor_type,
             const std::vector<detail::binding>* bindings) noexcept
        : actor_(std::move(actor)), actor_type_(actor_type), bindings_(bindings) {}

    const detail::binding* lookup(std::string_view type) const noexcept;
    troupe::error not_handled(std::string_view type) const;

    actor_handle actor_;
    std::string_view actor_type_;
    const std::vector<detail::binding>* bindings_ = nullptr;
};

class registry {
public:
    registry() = default;
    registry(const registry&) = delete;
    registry& operator=(const registry&) = delete;

    /// Registers T under its stable name. Registering T again is a no-op; a name taken by
    /// another type is a duplicate_name error that names both types.
    template <named_message T>
    result<void> add() {
        return add(message_type::of<T>());
    }

    /// The type registered under `name`, or nullptr.
    const message_type* find(std::string_view name) const;
    /// Every registered name, sorted.
    std::vector<std::string_view> names() const;

    /// Decodes a message of the type registered under `name` (not_found if none is).
    result<message_box> decode(std::string_view name, format f, std::string_view in,
                               const options& opts = {}) const;
    result<message_box> from_value(std::string_view name, const value& v,
                                   const options& opts = {}) const;

    /// Registers every named message that A handles, and gives the endpoint that reaches
    /// the actor by those names. The registry also remembers the endpoint by address, for
    /// endpoint_at. Fails for an empty ref and for a name clash.
    template <class A>
    result<endpoint> expose(const ref<A>& actor) {
        if (!actor) return troupe::error{errc::invalid_argument, "expose: the ref is empty"};
        const auto& bindings = detail::bindings_of<A>();
        for (const auto& b : bindings) {
            if (auto r = add(*b.type); !r) return r.error();
        }
        endpoint ep{actor, troupe::detail::type_name<A>(), &bindings};
        remember(ep);
        return ep;
    }

    /// The endpoint of the live actor at `a`, if it was exposed here: how a Lua script or an
    /// IPC client that only has an address reaches a typed actor by message name. Entries
    /// of exited actors are dropped as they are found.
    std::optional<endpoint> endpoint_at(address a) const;

private:
    result<void> add(const message_type& t);
    void remember(const endpoint& ep);

    mutable std::shared_mutex mutex_;
    std::map<std::string, const message_type*, std::less<>> types_;
    // Exposed actors by address. Exited ones are swept when the table has doubled since
    // the last sweep, so it stays proportional to the live exposed actors.
    mutable std::unordered_map<std::uint64_t, endpoint> exposed_;
    mutable std::size_t next_sweep_ = 64;
};

}  // namespace troupe::codec

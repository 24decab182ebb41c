#pragma once
// Process groups, as Erlang's pg: named groups of actors within a scope, with automatic
// removal when an actor exits, and monitors that report joins and leaves.
//
//   troupe::group_scope chat{node, "chat"};           // the application owns its scope
//   chat.join("room", alice.addr()).value();           // errc::no_such_actor if not alive
//   chat.join("room", {bob.addr(), carol.addr()}).value();
//   chat.members("room");                              // {alice, bob, carol}: join order
//   chat.broadcast("room", say{"hello"});              // one copy per member actor: 3
//   auto mon = chat.monitor("room", logger.addr()).value();   // mon.members: the view now
//   // logger now gets group_joined / group_left messages for "room", in order.
//   chat.leave("room", bob.addr());                    // true; logger gets group_left
//   // carol exits: she leaves every group of every scope; logger gets group_left.
//
// Semantics, those of Erlang's pg:
//  - A group exists while it has members; groups are strings, members are addresses.
//  - Memberships are counted: an actor that joins a group twice is listed twice in
//    members() and must leave twice (each leave removes its most recent membership).
//  - An actor that exits leaves every group of the scope at once, whatever its reason.
//  - Joining an address that is not a live actor fails with errc::no_such_actor; a
//    multi-address join is all or nothing.
//  - A monitor (of one group, or of the whole scope) returns the members at that moment and
//    then sends the watcher group_joined / group_left, plain user messages through
//    node::tell, in the order the changes happened: one event per join or leave call, and
//    one per group when a member exits; an address appears in `members` once per
//    membership added or removed. A typed watcher lists both types among its messages. An
//    event a watcher cannot take (a full bounded mailbox) goes to the dead-letter hook, as
//    any tell. A watcher that exits is dropped; after demonitor() returns, no event of
//    that monitor is sent.
//  - broadcast() sends one copy to each distinct member, whatever its membership count.
//
// Lifetime and threads: every member function is thread-safe, from plain threads or from
// inside actors. The scope keeps one exit listener on each actor that is a member or a
// watcher; destroying the scope removes them (an exit notification already running meets a
// closed scope and does nothing). Destroy the scope before its node, as refs. Events are
// sent while the scope's lock is held, so that they keep their order: a dead-letter hook
// must not call into the scope that sent the event.
//
// Local only for now: local_members() is members(); groups across the cluster come later.

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <troupe/address.hpp>
#include <troupe/error.hpp>
#include <troupe/node.hpp>
#include <troupe/signals.hpp>

namespace troupe {

namespace detail {
class group_state;
}  // namespace detail

/// Sent to a group's watchers: `members` joined `group` in `scope` (one entry per
/// membership added, in the order of the join call).
struct group_joined {
    monitor_ref ref;  // the monitor (group or scope) this event belongs to
    std::string scope;
    std::string group;
    std::vector<address> members;
    friend bool operator==(const group_joined&, const group_joined&) = default;
};

/// Sent to a group's watchers: `members` left `group` in `scope`, by leave() or by exiting
/// (one entry per membership removed).
struct group_left {
    monitor_ref ref;
    std::string scope;
    std::string group;
    std::vector<address> members;
    friend bool operator==(const group_left&, const group_left&) = default;
};

/// What monitor() gives: the monitor and the group's members when it started.
struct group_monitor {
    monitor_ref ref;
    std::vector<address> members;
};

/// What monitor_scope() gives: the monitor and every group with its members.
struct scope_monitor {
    monitor_ref ref;
    std::map<std::string, std::vector<address>, std::less<>> groups;
};

class group_scope {
public:
    /// A scope named `name` (shown in events and errors) on `n`, which must outlive it.
    group_scope(node& n, std::string name);
    /// Removes the scope's exit listeners; members stay alive, watchers get no more events.
    ~group_scope();
    group_scope(const group_scope&) = delete;
    group_scope& operator=(const group_scope&) = delete;

    const std::string& name() const noexcept;
    /// The node the scope belongs to.
    troupe::node& home() const noexcept { return *node_; }

    // --- membership (thread-safe) ---------------------------------------------------------
    /// Adds one membership of `member` to `group`. errc::no_such_actor if it is not a live
    /// actor.
    result<void> join(std::string_view group, address member);
    /// Adds one membership per address, all or none (no_such_actor names the first address
    /// that is not a live actor). Watchers get one group_joined with all of them.
    result<void> join(std::string_view group, const std::vector<address>& members);
    /// Removes one membership of `member`: true if it had one.
    bool leave(std::string_view group, address member);
    /// Removes one membership per address where there is one: true if any was removed.
    bool leave(std::string_view group, const std::vector<address>& members);

    // --- queries (thread-safe; a snapshot) --------------------------------------------------
    /// The members, oldest membership first; an address once per membership.
    std::vector<address> members(std::string_view group) const;
    /// The same as members() until groups span a cluster.
    std::vector<address> local_members(std::string_view group) const { return members(group); }
    /// The groups that have members, sorted by name.
    std::vector<std::string> which_groups() const;

    // --- monitors (thread-safe) -------------------------------------------------------------
    /// `watcher` gets group_joined / group_left for `group` from now on. no_such_actor if the
    /// watcher is not a live actor.
    result<group_monitor> monitor(std::string_view group, address watcher);
    /// `watcher` gets the events of every group of the scope.
    result<scope_monitor> monitor_scope(address watcher);
    /// Ends a monitor: true if it was active. No event of it is sent after this returns.
    bool demonitor(monitor_ref ref);

    // --- sending (thread-safe) ------------------------------------------------------------
    /// Sends a copy of `msg` to each distinct member of `group` (as node::tell, from the
    /// calling actor if any). Returns how many accepted it; a copy that an exited member or
    /// a full mailbox refused goes to the dead-letter hook, as any tell.
    template <class M>
    std::size_t broadcast(std::string_view group, const M& msg) {
        static_assert(std::is_copy_constructible_v<M>,
                      "troupe: group_scope::broadcast copies the message for each member; make "
                      "it copyable");
        std::size_t accepted = 0;
        for (address a : distinct_members(group)) {
            if (node_->deliver(a, node::make_user_envelope(M(msg)))) ++accepted;
        }
        return accepted;
    }

private:
    /// Each member once, in the order of its oldest membership.
    std::vector<address> distinct_members(std::string_view group) const;

    troupe::node* node_;
    std::shared_ptr<detail::group_state> state_;  // shared with the exit listeners
};

}  // namespace troupe

#pragma once
// The messages of links and monitors, as Erlang has them.
//
//  - exit_signal{from, reason}: a linked actor exited (or someone called exit(addr, reason)),
//    and this actor traps exits (trap_exit(true)). Without trapping, an abnormal reason ends
//    the actor with the same reason and a `normal` one is ignored. Trapped signals are
//    handled before user messages (the supervision lane).
//  - down{ref, who, reason}: an actor this one monitors exited, or did not exist (`noproc`).
//    Exactly once per monitor(), never after demonitor(). It comes after every message the
//    monitored actor sent before it exited.
//
// An actor receives them like any other message: list them in actor<Self, ...> with a
// handle() for each, receive<down>() in a process, handle_info in a server.

#include <compare>
#include <cstdint>
#include <functional>
#include <ostream>
#include <string>

#include <troupe/address.hpp>
#include <troupe/exit_reason.hpp>

namespace troupe {

/// Names one monitor: what monitor() returns and down carries. Unique within a node.
class monitor_ref {
public:
    monitor_ref() = default;
    explicit monitor_ref(std::uint64_t id) noexcept : id_(id) {}
    std::uint64_t id() const noexcept { return id_; }
    explicit operator bool() const noexcept { return id_ != 0; }
    /// "#Ref<42>"
    std::string to_string() const { return "#Ref<" + std::to_string(id_) + ">"; }

    friend auto operator<=>(const monitor_ref&, const monitor_ref&) = default;
    friend std::ostream& operator<<(std::ostream& os, const monitor_ref& r) {
        return os << r.to_string();
    }

private:
    std::uint64_t id_ = 0;
};

/// A linked actor exited, or someone sent this actor an exit signal (trapping actors only).
struct exit_signal {
    address from;
    exit_reason reason;
    friend bool operator==(const exit_signal&, const exit_signal&) = default;
};

/// A monitored actor exited (`who` is its address; `noproc` if it never existed).
struct down {
    monitor_ref ref;
    address who;
    exit_reason reason;
    friend bool operator==(const down&, const down&) = default;
};

/// How demonitor() treats a down that may already be on its way.
enum class demonitor_option : std::uint8_t {
    none,   // a down already in the mailbox is dropped when its turn comes
    flush,  // also removes it from a process's stash at once
};

}  // namespace troupe

template <>
struct std::hash<troupe::monitor_ref> {
    std::size_t operator()(const troupe::monitor_ref& r) const noexcept {
        return std::hash<std::uint64_t>{}(r.id());
    }
};

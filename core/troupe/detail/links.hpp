#pragma once
// Links and monitors between actor cells, built on exit listeners (actor_cell::attach).
//
// A link is one shared object with two ends: end i is an exit listener on actor i that
// tells actor 1-i. When either actor exits, its end sends the other an exit signal that
// carries the link; the receiver honours it only if the link is still active (an atomic
// flag that unlink and the first honoured signal clear), so that after unlink() returns no
// signal of that link has any effect, as OTP promises. Each end also removes its sibling
// from the other actor, so a long-lived actor does not collect the ends of dead peers.
//
// A monitor is one exit listener on the target that puts a down message in the watcher's
// mailbox. The watcher keeps a record per monitor; a down without a record (demonitored)
// is dropped when its turn comes, so demonitor() needs no round trip.

#include <cstdint>
#include <utility>

#include <troupe/address.hpp>
#include <troupe/exit_reason.hpp>
#include <troupe/signals.hpp>

namespace troupe::detail {

class actor_cell;
class link_state;

void link_add_ref(link_state* l) noexcept;
void link_release(link_state* l) noexcept;
/// Clears the active flag; true for the one caller that found it set.
bool link_deactivate(link_state* l) noexcept;

/// An owning reference to a link, carried by the exit signal it sends.
class link_ref {
public:
    link_ref() = default;
    explicit link_ref(link_state* l) noexcept : l_(l) {
        if (l_) link_add_ref(l_);
    }
    link_ref(const link_ref&) = delete;
    link_ref& operator=(const link_ref&) = delete;
    link_ref(link_ref&& o) noexcept : l_(std::exchange(o.l_, nullptr)) {}
    link_ref& operator=(link_ref&& o) noexcept {
        std::swap(l_, o.l_);
        return *this;
    }
    ~link_ref() {
        if (l_) link_release(l_);
    }
    link_state* get() const noexcept { return l_; }
    explicit operator bool() const noexcept { return l_ != nullptr; }

private:
    link_state* l_ = nullptr;
};

/// Links `self` (running) and `peer`. Idempotent: a second link between the same two
/// actors is the same link. If `peer` is null or has exited, `self` gets an exit signal
/// from `peer_addr` with reason noproc.
void link_cells(actor_cell& self, actor_cell* peer, address peer_addr);
/// Removes the link between `self` and `peer_addr`, if any. No signal of it arrives later.
void unlink_cells(actor_cell& self, address peer_addr) noexcept;

/// Monitors `target` for `watcher`; a null or exited target gives a noproc down at once.
monitor_ref monitor_cell(actor_cell& watcher, actor_cell* target, address target_addr);
/// Ends a monitor. False if there was none (already delivered, or never made).
bool demonitor_cell(actor_cell& watcher, monitor_ref ref) noexcept;
/// The watcher exits: detaches every monitor it still holds.
void drop_monitors(actor_cell& watcher) noexcept;
/// A down reached `watcher`: true if its monitor was live (the record is then gone).
bool accept_down(actor_cell& watcher, monitor_ref ref) noexcept;

}  // namespace troupe::detail

#include <atomic>
#include <functional>

#include <troupe/detail/actor_cell.hpp>
#include <troupe/detail/actor_extras.hpp>
#include <troupe/detail/links.hpp>
#include <troupe/detail/system_messages.hpp>
#include <troupe/node.hpp>

namespace troupe::detail {

class link_state {
public:
    // One end per actor: ends_[i] listens on cells_[i] and tells cells_[1 - i].
    class end final : public exit_listener {
    public:
        void notify(address who, const exit_reason& reason) noexcept override {
            owner->fired(side, who, reason);
        }
        actor_cell* link_peer() const noexcept override { return owner->cells_[1 - side].get(); }
        link_state* owner = nullptr;
        int side = 0;
    };

    link_state(actor_cell& a, actor_cell& b) noexcept
        : cells_{intrusive_ptr<actor_cell>(&a), intrusive_ptr<actor_cell>(&b)} {
        for (int i = 0; i < 2; ++i) {
            ends_[i].owner = this;
            ends_[i].side = i;
        }
    }

    end& end_on(int side) noexcept { return ends_[side]; }
    void add_ref() noexcept { refs_.fetch_add(1, std::memory_order_relaxed); }
    void release() noexcept {
        if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) delete this;
    }
    bool deactivate() noexcept { return active_.exchange(false, std::memory_order_acq_rel); }

    /// Removes both ends (unlink): each one detached here is one reference less.
    void cut() noexcept {
        deactivate();
        for (int i = 0; i < 2; ++i) {
            if (cells_[i]->detach(&ends_[i])) release();
        }
    }

private:
    // cells_[side] exited: tell the other one, and take our end off it.
    void fired(int side, address who, const exit_reason& reason) noexcept {
        auto& peer = *cells_[1 - side];
        if (peer.detach(&ends_[1 - side])) release();
        auto* e =
            make_envelope<signal_msg>(priority::exit, who, signal_msg{who, reason, link_ref{this}});
        if (peer.enqueue(e) != errc{}) e->ops->destroy(e);
        release();  // the reference of the end that fired
    }

    std::atomic<std::uint32_t> refs_{2};  // one per attached end, one per signal in flight
    std::atomic<bool> active_{true};
    intrusive_ptr<actor_cell> cells_[2];
    end ends_[2];
};

void link_add_ref(link_state* l) noexcept {
    l->add_ref();
}
void link_release(link_state* l) noexcept {
    l->release();
}
bool link_deactivate(link_state* l) noexcept {
    return l->deactivate();
}

namespace {

// The end in `list` (a locked listener list) that tells `peer`, walking at most as far as
// the shorter of the two lists, since either one holds the link if it exists.
link_state::end* find_link(exit_listener* mine, exit_listener* theirs, actor_cell* me,
                           actor_cell* peer) noexcept {
    for (auto *a = mine, *b = theirs; a || b;) {
        if (a) {
            if (a->link_peer() == peer) return static_cast<link_state::end*>(a);
            a = a->next_listener;
        }
        if (b) {
            if (b->link_peer() == me) {
                // The sibling of b is the end on `me`.
                auto* other = static_cast<link_state::end*>(b);
                return &other->owner->end_on(1 - other->side);
            }
            b = b->next_listener;
        }
        if (!a || !b) break;
    }
    return nullptr;
}

void push_front(exit_listener*& head, exit_listener* l) noexcept {
    l->prev_listener = nullptr;
    l->next_listener = head;
    if (head) head->prev_listener = l;
    head = l;
}

void signal_noproc(actor_cell& self, address peer_addr) {
    // A link to nothing: self hears at once that the peer is gone, as from a link.
    auto* e = make_envelope<signal_msg>(priority::exit, peer_addr,
                                        signal_msg{peer_addr, exit_reason::noproc(), link_ref{}});
    // Without a link to honour, noproc must still be trappable and must still kill a
    // non-trapping actor: signal_msg without `via` does both (noproc is not kill).
    if (!self.push_runtime(e)) e->ops->destroy(e);
}

}  // namespace

void link_cells(actor_cell& self, actor_cell* peer, address peer_addr) {
    if (peer == &self) return;  // Erlang: linking to oneself does nothing
    if (!peer) {
        signal_noproc(self, peer_addr);
        return;
    }
    // Lock both lists, always in the same (address) order.
    actor_cell* first = std::less<>{}(&self, peer) ? &self : peer;
    actor_cell* second = first == &self ? peer : &self;
    bool first_closed = false;
    bool second_closed = false;
    exit_listener* first_head = first->lock_listeners(first_closed);
    exit_listener* second_head = second->lock_listeners(second_closed);
    auto unlock = [&] {
        if (!second_closed) second->unlock_listeners_unchanged();
        if (!first_closed) first->unlock_listeners_unchanged();
    };
    bool self_closed = first == &self ? first_closed : second_closed;
    bool peer_closed = first == peer ? first_closed : second_closed;
    if (self_closed) {  // exiting: its links no longer matter
        unlock();
        return;
    }
    if (peer_closed) {
        unlock();
        signal_noproc(self, peer_addr);
        return;
    }
    exit_listener* self_head = first == &self ? first_head : second_head;
    exit_listener* peer_head = first == peer ? first_head : second_head;
    if (find_link(self_head, peer_head, &self, peer)) {
        unlock();
        return;
    }
    auto* l = new link_state(self, *peer);
    push_front(self_head, &l->end_on(0));
    push_front(peer_head, &l->end_on(1));
    // Unlock the second first; each store publishes that list's new head.
    (second == &self ? second->unlock_listeners(self_head) : second->unlock_listeners(peer_head));
    (first == &self ? first->unlock_listeners(self_head) : first->unlock_listeners(peer_head));
}

void unlink_cells(actor_cell& self, address peer_addr) noexcept {
    // Find the link under self's lock, keep it alive, then cut it.
    bool closed = false;
    exit_listener* head = self.lock_listeners(closed);
    if (closed) return;
    link_state* found = nullptr;
    for (auto* l = head; l; l = l->next_listener) {
        if (auto* peer = l->link_peer(); peer && peer->addr() == peer_addr) {
            found = static_cast<link_state::end*>(l)->owner;
            found->add_ref();
            break;
        }
    }
    self.unlock_listeners_unchanged();
    if (!found) return;
    found->cut();
    found->release();
}

// --- monitors ---------------------------------------------------------------------------

namespace {

// Listens on the target; puts the down in the watcher's mailbox.
class monitor_end final : public exit_listener {
public:
    monitor_end(actor_cell& watcher, monitor_ref ref) noexcept : watcher_(&watcher), ref_(ref) {}
    void notify(address who, const exit_reason& reason) noexcept override {
        deliver_down(*watcher_, ref_, who, reason);
        delete this;
    }
    static void deliver_down(actor_cell& watcher, monitor_ref ref, address who,
                             const exit_reason& reason) noexcept {
        try {
            auto* e = make_envelope<down>(priority::user, who, down{ref, who, reason});
            if (!watcher.push_runtime(e)) e->ops->destroy(e);
        } catch (...) {
            // Out of memory copying the reason: nothing sensible is left to do.
        }
    }

private:
    intrusive_ptr<actor_cell> watcher_;
    monitor_ref ref_;
};

}  // namespace

monitor_ref monitor_cell(actor_cell& watcher, actor_cell* target, address target_addr) {
    monitor_ref ref{watcher.home().next_monitor_id()};
    auto& records = watcher.extras().monitors;
    if (!target || target == &watcher) {
        // Erlang: monitoring oneself is allowed and never fires; a missing target is noproc.
        if (target == &watcher) return ref;
        records.emplace(ref.id(), actor_extras::monitor_record{nullptr, nullptr});
        monitor_end::deliver_down(watcher, ref, target_addr, exit_reason::noproc());
        return ref;
    }
    auto* end = new monitor_end(watcher, ref);
    if (!target->attach_if_alive(end)) {
        delete end;
        records.emplace(ref.id(), actor_extras::monitor_record{nullptr, nullptr});
        monitor_end::deliver_down(watcher, ref, target_addr, exit_reason::noproc());
        return ref;
    }
    records.emplace(ref.id(), actor_extras::monitor_record{intrusive_ptr<actor_cell>(target), end});
    return ref;
}

bool demonitor_cell(actor_cell& watcher, monitor_ref ref) noexcept {
    auto& records = watcher.extras().monitors;
    auto it = records.find(ref.id());
    if (it == records.end()) return false;
    auto record = std::move(it->second);
    records.erase(it);
    // Detached: never notified, ours to delete. Otherwise the target is exiting and the
    // down it sends is dropped on arrival (no record).
    if (record.end && record.target->detach(record.end)) {
        delete static_cast<monitor_end*>(record.end);
    }
    return true;
}

void drop_monitors(actor_cell& watcher) noexcept {
    auto& records = watcher.extras().monitors;
    for (auto& [id, record] : records) {
        if (record.end && record.target->detach(record.end)) {
            delete static_cast<monitor_end*>(record.end);
        }
    }
    records.clear();
}

bool accept_down(actor_cell& watcher, monitor_ref ref) noexcept {
    return watcher.extras().monitors.erase(ref.id()) == 1;
}

}  // namespace troupe::detail

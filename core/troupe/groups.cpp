// Process groups (groups.hpp). The protocol between the scope and its exit listeners:
//
//  1. All state (groups, per-actor records, monitors) sits in one group_state behind one
//     mutex. The scope owns it through a shared_ptr; every exit listener holds another, so
//     the state outlives the scope while a notification may still arrive.
//  2. An actor gets a record, with one exit listener attached to its cell, when it first
//     becomes a member or a watcher in this scope; the record goes (its listener detached)
//     when the actor has neither memberships nor monitors left. Attaching happens under the
//     mutex, after the actor was found alive: attach_if_alive fails once the actor has closed
//     its listener list, so a join can never follow the exit notification it missed.
//  3. The notification runs on the dying actor's thread (its terminate). It takes the mutex
//     and acts only if the scope is open and the actor's record still names this very
//     listener: a record dropped while the notification was on its way (detach returned
//     false: the actor's list was already closed) must not be confused with a new one. It
//     then deletes itself, dropping its share of the state.
//  4. Destroying the scope marks the state closed and detaches every listener under the
//     mutex. A detach that fails means the notification is running or about to run: that
//     listener still owns its share of the state and will find it closed. So the destructor
//     never waits, and nothing it frees is touched afterwards.
//  5. Events are sent under the mutex, so every watcher sees the changes in the order they
//     happened. Actor cells that records held are released after the mutex, since the last
//     reference frees the cell and its leftover messages.

#include <algorithm>
#include <cstdint>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include <troupe/detail/actor_cell.hpp>
#include <troupe/detail/intrusive_ptr.hpp>
#include <troupe/groups.hpp>

namespace troupe::detail {

class group_listener;

class group_state : public std::enable_shared_from_this<group_state> {
public:
    group_state(node& n, std::string name) : node_(n), name_(std::move(name)) {}

    const std::string& name() const noexcept { return name_; }

    result<void> join(std::string_view group, const std::vector<address>& members);
    bool leave(std::string_view group, const std::vector<address>& members);
    std::vector<address> members(std::string_view group) const;
    std::vector<address> distinct_members(std::string_view group) const;
    std::vector<std::string> which_groups() const;
    result<group_monitor> monitor(std::optional<std::string_view> group, address watcher,
                                  scope_monitor* whole);
    bool demonitor(monitor_ref ref);
    /// From an exit listener, on the dying actor's thread.
    void actor_exited(address who, const group_listener* l) noexcept;
    /// From the scope's destructor.
    void close() noexcept;

private:
    using cells = std::vector<intrusive_ptr<actor_cell>>;

    // An actor this scope watches the exit of: a member, a watcher, or both.
    struct tracked {
        intrusive_ptr<actor_cell> cell;
        group_listener* listener = nullptr;
        std::map<std::string, std::size_t, std::less<>> groups;  // memberships per group
        std::vector<std::uint64_t> watching;                     // monitors it receives
        bool unused() const noexcept { return groups.empty() && watching.empty(); }
    };
    struct subscription {
        address watcher;
        std::optional<std::string> group;  // none: the whole scope
    };

    // --- all with mutex_ held ---
    tracked* track(address a);
    void drop_if_unused(address a, cells& released) noexcept;
    void remove_subscription(std::uint64_t id) noexcept;
    void erase_one(std::string_view group, address a);
    template <class Event>
    void publish(std::string_view group, const std::vector<address>& who);
    error not_alive(address a, std::string_view what) const;

    node& node_;
    const std::string name_;
    mutable std::mutex mutex_;
    bool closed_ = false;
    std::map<std::string, std::vector<address>, std::less<>> groups_;  // join order
    std::unordered_map<address, tracked> actors_;
    std::unordered_map<std::uint64_t, subscription> subs_;
    std::map<std::string, std::vector<std::uint64_t>, std::less<>> group_subs_;
    std::vector<std::uint64_t> scope_subs_;
};

/// One per tracked actor; owns a share of the state (protocol steps 3 and 4).
class group_listener final : public exit_listener {
public:
    explicit group_listener(std::shared_ptr<group_state> st) noexcept : st_(std::move(st)) {}
    void notify(address who, const exit_reason&) noexcept override {
        st_->actor_exited(who, this);
        delete this;
    }

private:
    std::shared_ptr<group_state> st_;
};

namespace {

void remove_id(std::vector<std::uint64_t>& ids, std::uint64_t id) noexcept {
    if (auto it = std::find(ids.begin(), ids.end(), id); it != ids.end()) ids.erase(it);
}

}  // namespace

error group_state::not_alive(address a, std::string_view what) const {
    return error{errc::no_such_actor, "group scope '" + name_ + "': cannot " + std::string{what} +
                                          ": no live actor at " + a.to_string() +
                                          " (it has exited or never existed)"};
}

group_state::tracked* group_state::track(address a) {
    if (auto it = actors_.find(a); it != actors_.end()) {
        // Exiting: its notification is on its way and would undo the join at once.
        return it->second.cell->is_dead() ? nullptr : &it->second;
    }
    intrusive_ptr<actor_cell> cell = node_.lookup(a);
    if (!cell) return nullptr;
    auto* l = new group_listener(shared_from_this());
    if (!cell->attach_if_alive(l)) {
        delete l;
        return nullptr;
    }
    tracked& t = actors_[a];
    t.cell = std::move(cell);
    t.listener = l;
    return &t;
}

void group_state::drop_if_unused(address a, cells& released) noexcept {
    auto it = actors_.find(a);
    if (it == actors_.end() || !it->second.unused()) return;
    // False: the actor is exiting and the notification owns the listener (step 3).
    if (it->second.cell->detach(it->second.listener)) delete it->second.listener;
    released.push_back(std::move(it->second.cell));
    actors_.erase(it);
}

void group_state::erase_one(std::string_view group, address a) {
    auto g = groups_.find(group);
    // The most recent membership goes, as lists:delete on pg's newest-first list.
    auto& list = g->second;
    auto it = std::find(list.rbegin(), list.rend(), a);
    list.erase(std::next(it).base());
    if (list.empty()) groups_.erase(g);
}

template <class Event>
void group_state::publish(std::string_view group, const std::vector<address>& who) {
    auto send = [&](std::uint64_t id) {
        node_.tell(subs_.at(id).watcher, Event{monitor_ref{id}, name_, std::string{group}, who});
    };
    if (auto it = group_subs_.find(group); it != group_subs_.end()) {
        for (auto id : it->second) send(id);
    }
    for (auto id : scope_subs_) send(id);
}

result<void> group_state::join(std::string_view group, const std::vector<address>& members) {
    cells released;
    std::lock_guard<std::mutex> lock(mutex_);
    std::vector<tracked*> records;
    records.reserve(members.size());
    for (address a : members) {
        tracked* t = track(a);
        if (!t) {
            // All or nothing: forget the records this call made and nothing else uses.
            for (address b : members) drop_if_unused(b, released);
            return not_alive(a, "join " + a.to_string() + " to group '" + std::string{group} + "'");
        }
        records.push_back(t);
    }
    if (members.empty()) return {};
    auto& list = groups_.try_emplace(std::string{group}).first->second;
    for (std::size_t i = 0; i < members.size(); ++i) {
        list.push_back(members[i]);
        ++records[i]->groups.try_emplace(std::string{group}, 0).first->second;
    }
    publish<group_joined>(group, members);
    return {};
}

bool group_state::leave(std::string_view group, const std::vector<address>& members) {
    cells released;
    std::lock_guard<std::mutex> lock(mutex_);
    std::vector<address> removed;
    for (address a : members) {
        auto t = actors_.find(a);
        if (t == actors_.end()) continue;
        auto g = t->second.groups.find(group);
        if (g == t->second.groups.end()) continue;
        if (--g->second == 0) t->second.groups.erase(g);
        erase_one(group, a);
        removed.push_back(a);
        drop_if_unused(a, released);
    }
    if (removed.empty()) return false;
    publish<group_left>(group, removed);
    return true;
}

std::vector<address> group_state::members(std::string_view group) const {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = groups_.find(group);
    return it == groups_.end() ? std::vector<address>{} : it->second;
}

std::vector<address> group_state::distinct_members(std::string_view group) const {
    std::vector<address> all = members(group);
    std::unordered_set<address> seen;
    std::erase_if(all, [&](address a) { return !seen.insert(a).second; });
    return all;
}

std::vector<std::string> group_state::which_groups() const {
    std::lock_guard<std::mutex> lock(mutex_);
    std::vector<std::string> names;
    names.reserve(groups_.size());
    for (const auto& [name, list] : groups_) names.push_back(name);
    return names;
}

result<group_monitor> group_state::monitor(std::optional<std::string_view> group, address watcher,
                                           scope_monitor* whole) {
    std::lock_guard<std::mutex> lock(mutex_);
    tracked* t = track(watcher);
    if (!t) {
        return not_alive(watcher, group ? "monitor group '" + std::string{*group} + "' for " +
                                              watcher.to_string()
                                        : "monitor the scope for " + watcher.to_string());
    }
    const std::uint64_t id = node_.next_monitor_id();
    subscription& s = subs_[id];
    s.watcher = watcher;
    t->watching.push_back(id);
    group_monitor out{monitor_ref{id}, {}};
    if (group) {
        s.group.emplace(*group);
        group_subs_[*s.group].push_back(id);
        if (auto it = groups_.find(*group); it != groups_.end()) out.members = it->second;
    } else {
        scope_subs_.push_back(id);
        whole->ref = monitor_ref{id};
        whole->groups.insert(groups_.begin(), groups_.end());
    }
    return out;
}

void group_state::remove_subscription(std::uint64_t id) noexcept {
    auto it = subs_.find(id);
    if (it == subs_.end()) return;
    if (it->second.group) {
        auto g = group_subs_.find(*it->second.group);
        remove_id(g->second, id);
        if (g->second.empty()) group_subs_.erase(g);
    } else {
        remove_id(scope_subs_, id);
    }
    if (auto t = actors_.find(it->second.watcher); t != actors_.end()) {
        remove_id(t->second.watching, id);
    }
    subs_.erase(it);
}

bool group_state::demonitor(monitor_ref ref) {
    cells released;
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = subs_.find(ref.id());
    if (it == subs_.end()) return false;
    const address watcher = it->second.watcher;
    remove_subscription(ref.id());
    drop_if_unused(watcher, released);
    return true;
}

void group_state::actor_exited(address who, const group_listener* l) noexcept {
    tracked gone;  // destroyed after the mutex is released (step 5)
    std::lock_guard<std::mutex> lock(mutex_);
    if (closed_) return;
    auto it = actors_.find(who);
    if (it == actors_.end() || it->second.listener != l) return;
    gone = std::move(it->second);
    actors_.erase(it);
    // Its monitors first: it cannot receive the events of its own leaving.
    for (auto id : gone.watching) remove_subscription(id);
    try {
        for (const auto& [group, count] : gone.groups) {
            auto g = groups_.find(group);
            std::erase(g->second, who);
            if (g->second.empty()) groups_.erase(g);
            publish<group_left>(group, std::vector<address>(count, who));
        }
    } catch (...) {
        // Out of memory building an event: the memberships are gone, the event is lost.
    }
}

void group_state::close() noexcept {
    cells released;
    std::lock_guard<std::mutex> lock(mutex_);
    closed_ = true;
    for (auto& [a, t] : actors_) {
        if (t.cell->detach(t.listener)) delete t.listener;  // else: step 4
        released.push_back(std::move(t.cell));
    }
    actors_.clear();
    groups_.clear();
    subs_.clear();
    group_subs_.clear();
    scope_subs_.clear();
}

}  // namespace troupe::detail

namespace troupe {

group_scope::group_scope(troupe::node& n, std::string name)
    : node_(&n), state_(std::make_shared<detail::group_state>(n, std::move(name))) {}

group_scope::~group_scope() {
    state_->close();
}

const std::string& group_scope::name() const noexcept {
    return state_->name();
}

result<void> group_scope::join(std::string_view group, address member) {
    return state_->join(group, std::vector<address>{member});
}

result<void> group_scope::join(std::string_view group, const std::vector<address>& members) {
    return state_->join(group, members);
}

bool group_scope::leave(std::string_view group, address member) {
    return state_->leave(group, std::vector<address>{member});
}

bool group_scope::leave(std::string_view group, const std::vector<address>& members) {
    return state_->leave(group, members);
}

std::vector<address> group_scope::members(std::string_view group) const {
    return state_->members(group);
}

std::vector<address> group_scope::distinct_members(std::string_view group) const {
    return state_->distinct_members(group);
}

std::vector<std::string> group_scope::which_groups() const {
    return state_->which_groups();
}

result<group_monitor> group_scope::monitor(std::string_view group, address watcher) {
    return state_->monitor(group, watcher, nullptr);
}

result<scope_monitor> group_scope::monitor_scope(address watcher) {
    scope_monitor whole;
    if (auto r = state_->monitor(std::nullopt, watcher, &whole); !r) return r.error();
    return whole;
}

bool group_scope::demonitor(monitor_ref ref) {
    return state_->demonitor(ref);
}

}  // namespace troupe

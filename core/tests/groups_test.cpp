// Process groups: membership, automatic leave on exit, group monitors, broadcast, and the
// scope's lifetime against exit notifications (deterministic), then two threaded stress
// tests for TSan.
#include <algorithm>
#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include <troupe/actor.hpp>
#include <troupe/detail/actor_cell.hpp>
#include <troupe/groups.hpp>
#include <troupe/testing/runtime.hpp>

#include "support/counter.hpp"

using namespace std::chrono_literals;
using troupe::address;
using troupe::group_joined;
using troupe::group_left;

namespace {

struct hello {
    int n;
};
struct crash {};
struct bye {};

/// A group member: counts the hellos it gets, crashes or quits on request.
struct member : troupe::actor<member, hello, crash, bye> {
    explicit member(std::map<address, int>* got = nullptr) : got(got) {}
    void handle(const hello&) {
        if (got) ++(*got)[addr()];
    }
    void handle(crash) { throw std::runtime_error("boom"); }
    void handle(bye) { quit(); }
    std::map<address, int>* got;
};

/// A group watcher: writes each event as "<scope> +group a,b" or "<scope> -group a".
struct watcher : troupe::actor<watcher, group_joined, group_left, bye> {
    watcher(std::vector<std::string>* log, const std::map<address, std::string>* names)
        : log(log), names(names) {}
    void handle(const group_joined& e) { log->push_back(show(e.scope, '+', e.group, e.members)); }
    void handle(const group_left& e) { log->push_back(show(e.scope, '-', e.group, e.members)); }
    void handle(bye) { quit(); }

    std::string show(const std::string& scope, char sign, const std::string& group,
                     const std::vector<address>& who) const {
        std::string s = scope + " " + sign + group + " ";
        for (std::size_t i = 0; i < who.size(); ++i) {
            s += (i ? "," : "") + names->at(who[i]);
        }
        return s;
    }
    std::vector<std::string>* log;
    const std::map<address, std::string>* names;
};

/// A deterministic runtime with named members a, b, c, d and a watcher w.
class Groups : public ::testing::Test {
protected:
    address spawn_member(const std::string& name) {
        address a = rt.node().spawn<member>(&got).value().addr();
        names[a] = name;
        return a;
    }
    std::vector<std::string> show(const std::vector<address>& who) const {
        std::vector<std::string> out;
        for (address x : who) out.push_back(names.at(x));
        return out;
    }

    troupe::testing::runtime rt;
    std::map<address, std::string> names;
    std::map<address, int> got;
    std::vector<std::string> log;
    address a = spawn_member("a");
    address b = spawn_member("b");
    address c = spawn_member("c");
    address d = spawn_member("d");
    address w = spawn_watcher();

private:
    address spawn_watcher() {
        address x = rt.node().spawn<watcher>(&log, &names).value().addr();
        names[x] = "w";
        return x;
    }
};

using strings = std::vector<std::string>;

TEST_F(Groups, JoinLeaveMembersAndWhichGroups) {
    troupe::group_scope scope{rt.node(), "chat"};
    EXPECT_EQ(scope.name(), "chat");
    EXPECT_TRUE(scope.members("room").empty());
    EXPECT_TRUE(scope.which_groups().empty());

    ASSERT_TRUE(scope.join("room", b));
    ASSERT_TRUE(scope.join("room", {a, c}));
    ASSERT_TRUE(scope.join("lobby", a));
    ASSERT_TRUE(scope.join("attic", d));
    EXPECT_EQ(show(scope.members("room")), (strings{"b", "a", "c"}));  // join order
    EXPECT_EQ(scope.local_members("room"), scope.members("room"));
    EXPECT_EQ(scope.which_groups(), (strings{"attic", "lobby", "room"}));  // sorted

    EXPECT_TRUE(scope.leave("room", a));
    EXPECT_FALSE(scope.leave("room", a));  // no membership left
    EXPECT_FALSE(scope.leave("room", d));  // never joined it
    EXPECT_FALSE(scope.leave("nowhere", b));
    EXPECT_EQ(show(scope.members("room")), (strings{"b", "c"}));
    EXPECT_EQ(show(scope.members("lobby")), (strings{"a"}));

    // A multi-address leave removes what it can and says whether it removed anything.
    EXPECT_TRUE(scope.leave("room", {d, c}));
    EXPECT_FALSE(scope.leave("room", {d, c}));
    EXPECT_TRUE(scope.leave("attic", d));
    // A group exists while it has members.
    EXPECT_EQ(scope.which_groups(), (strings{"lobby", "room"}));
    EXPECT_TRUE(scope.members("attic").empty());
}

TEST_F(Groups, DoubleJoinNeedsDoubleLeave) {
    troupe::group_scope scope{rt.node(), "chat"};
    ASSERT_TRUE(scope.join("room", a));
    ASSERT_TRUE(scope.join("room", b));
    ASSERT_TRUE(scope.join("room", a));
    // Erlang's pg: one entry per membership; a leave removes the most recent one.
    EXPECT_EQ(show(scope.members("room")), (strings{"a", "b", "a"}));
    EXPECT_TRUE(scope.leave("room", a));
    EXPECT_EQ(show(scope.members("room")), (strings{"a", "b"}));
    EXPECT_TRUE(scope.leave("room", a));
    EXPECT_EQ(show(scope.members("room")), (strings{"b"}));
    EXPECT_FALSE(scope.leave("room", a));

    // The same address twice in one join is two memberships too.
    ASSERT_TRUE(scope.join("pair", {c, c}));
    EXPECT_EQ(show(scope.members("pair")), (strings{"c", "c"}));
    EXPECT_TRUE(scope.leave("pair", c));
    EXPECT_EQ(show(scope.members("pair")), (strings{"c"}));
}

TEST_F(Groups, JoiningADeadOrUnknownAddressFailsWithNoSuchActor) {
    troupe::group_scope scope{rt.node(), "chat"};
    rt.node().kill(d);
    rt.run_until_idle();

    auto dead = scope.join("room", d);
    ASSERT_FALSE(dead);
    EXPECT_EQ(dead.error().code(), troupe::errc::no_such_actor);
    EXPECT_EQ(dead.error().reason(), "group scope 'chat': cannot join " + d.to_string() +
                                         " to group 'room': no live actor at " + d.to_string() +
                                         " (it has exited or never existed)");
    EXPECT_EQ(scope.join("room", address{}).error().code(), troupe::errc::no_such_actor);

    // All or nothing: a, b are not joined because d is dead.
    auto some = scope.join("room", {a, b, d});
    ASSERT_FALSE(some);
    EXPECT_NE(some.error().reason().find(d.to_string()), std::string::npos);
    EXPECT_TRUE(scope.members("room").empty());
    EXPECT_TRUE(scope.which_groups().empty());

    // A dead watcher is refused the same way.
    auto mon = scope.monitor("room", d);
    ASSERT_FALSE(mon);
    EXPECT_EQ(mon.error().code(), troupe::errc::no_such_actor);
    EXPECT_EQ(scope.monitor_scope(d).error().code(), troupe::errc::no_such_actor);

    // a and b hold no listener from the failed join: they exit without a trace here.
    auto m = scope.monitor("room", w).value();
    rt.node().kill(a);
    rt.run_until_idle();
    EXPECT_TRUE(log.empty());
    EXPECT_TRUE(scope.demonitor(m.ref));
}

TEST_F(Groups, MembersLeaveWhenTheyExitNormallyOrCrashing) {
    troupe::group_scope scope{rt.node(), "chat"};
    auto mon = scope.monitor("room", w).value();
    EXPECT_TRUE(mon.ref);
    EXPECT_TRUE(mon.members.empty());
    ASSERT_TRUE(scope.join("room", {a, b, c}));
    ASSERT_TRUE(scope.join("room", a));  // two memberships: both go at exit
    ASSERT_TRUE(scope.join("hall", a));
    ASSERT_TRUE(scope.join("hall", b));

    rt.node().tell(a, bye{});  // normal exit
    rt.run_until_idle();
    EXPECT_EQ(show(scope.members("room")), (strings{"b", "c"}));
    EXPECT_EQ(show(scope.members("hall")), (strings{"b"}));

    rt.node().tell(b, crash{});  // error{boom}
    rt.run_until_idle();
    EXPECT_EQ(show(scope.members("room")), (strings{"c"}));
    EXPECT_EQ(scope.which_groups(), (strings{"room"}));

    rt.node().exit(c, troupe::exit_reason::kill());  // killed
    rt.run_until_idle();
    EXPECT_TRUE(scope.which_groups().empty());

    // The monitor of "room" sees only room's events, one per exit, the address once per
    // membership it had.
    EXPECT_EQ(log, (strings{"chat +room a,b,c", "chat +room a", "chat -room a,a", "chat -room b",
                            "chat -room c"}));
}

TEST_F(Groups, MonitorGivesTheCurrentMembersThenTheEventsInOrder) {
    troupe::group_scope scope{rt.node(), "chat"};
    ASSERT_TRUE(scope.join("room", {a, b}));
    ASSERT_TRUE(scope.join("room", a));
    ASSERT_TRUE(scope.join("hall", c));

    auto mon = scope.monitor("room", w).value();
    EXPECT_EQ(show(mon.members), (strings{"a", "b", "a"}));
    ASSERT_TRUE(scope.join("room", c));
    ASSERT_TRUE(scope.leave("room", {a, b}));
    ASSERT_TRUE(scope.join("hall", d));  // another group: not this monitor's
    ASSERT_TRUE(scope.join("room", d));
    ASSERT_TRUE(scope.leave("room", a));
    rt.run_until_idle();
    EXPECT_EQ(log, (strings{"chat +room c", "chat -room a,b", "chat +room d", "chat -room a"}));

    // The events carry the monitor's ref and the scope's name.
    struct recorder : troupe::actor<recorder, group_joined, group_left> {
        explicit recorder(std::vector<group_joined>* seen) : seen(seen) {}
        void handle(const group_joined& e) { seen->push_back(e); }
        void handle(const group_left&) {}
        std::vector<group_joined>* seen;
    };
    std::vector<group_joined> seen;
    address r = rt.node().spawn<recorder>(&seen).value().addr();
    auto mon2 = scope.monitor("room", r).value();
    EXPECT_NE(mon2.ref, mon.ref);
    ASSERT_TRUE(scope.join("room", b));
    rt.run_until_idle();
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_EQ(seen[0], (group_joined{mon2.ref, "chat", "room", {b}}));
}

TEST_F(Groups, MonitorScopeSeesEveryGroup) {
    troupe::group_scope scope{rt.node(), "chat"};
    ASSERT_TRUE(scope.join("room", {a, b}));
    ASSERT_TRUE(scope.join("hall", c));
    auto mon = scope.monitor_scope(w).value();
    ASSERT_EQ(mon.groups.size(), 2u);
    EXPECT_EQ(show(mon.groups.at("room")), (strings{"a", "b"}));
    EXPECT_EQ(show(mon.groups.at("hall")), (strings{"c"}));

    ASSERT_TRUE(scope.join("attic", d));
    ASSERT_TRUE(scope.leave("room", b));
    rt.node().kill(c);
    rt.run_until_idle();
    EXPECT_EQ(log, (strings{"chat +attic d", "chat -room b", "chat -hall c"}));
}

TEST_F(Groups, DemonitorStopsTheEvents) {
    troupe::group_scope scope{rt.node(), "chat"};
    auto room = scope.monitor("room", w).value();
    auto all = scope.monitor_scope(w).value();
    ASSERT_TRUE(scope.join("room", a));
    rt.run_until_idle();
    EXPECT_EQ(log, (strings{"chat +room a", "chat +room a"}));  // one per monitor

    EXPECT_TRUE(scope.demonitor(room.ref));
    EXPECT_FALSE(scope.demonitor(room.ref));
    ASSERT_TRUE(scope.join("room", b));
    rt.run_until_idle();
    EXPECT_EQ(log.size(), 3u);

    EXPECT_TRUE(scope.demonitor(all.ref));
    ASSERT_TRUE(scope.join("room", c));
    ASSERT_TRUE(scope.leave("room", a));
    rt.node().kill(b);
    rt.run_until_idle();
    EXPECT_EQ(log, (strings{"chat +room a", "chat +room a", "chat +room b"}));
    EXPECT_FALSE(scope.demonitor(troupe::monitor_ref{}));
}

TEST_F(Groups, AWatcherThatExitedIsDropped) {
    troupe::group_scope scope{rt.node(), "chat"};
    auto room = scope.monitor("room", w).value();
    auto all = scope.monitor_scope(w).value();
    ASSERT_TRUE(scope.join("room", a));  // w is also a member: one record, two roles
    ASSERT_TRUE(scope.join("room", w));
    rt.node().tell(w, bye{});
    rt.run_until_idle();
    const auto dead_letters = rt.node().dead_letter_count();

    // Its monitors are gone (not only undeliverable): demonitor finds nothing, and events
    // make no dead letters. It left the group too.
    EXPECT_FALSE(scope.demonitor(room.ref));
    EXPECT_FALSE(scope.demonitor(all.ref));
    EXPECT_EQ(show(scope.members("room")), (strings{"a"}));
    ASSERT_TRUE(scope.join("room", b));
    ASSERT_TRUE(scope.leave("room", a));
    rt.run_until_idle();
    EXPECT_EQ(rt.node().dead_letter_count(), dead_letters);
    EXPECT_EQ(log, (strings{"chat +room a", "chat +room a", "chat +room w", "chat +room w"}));
}

TEST_F(Groups, BroadcastReachesEachMemberOnce) {
    troupe::group_scope scope{rt.node(), "chat"};
    ASSERT_TRUE(scope.join("room", {a, b, c}));
    ASSERT_TRUE(scope.join("room", a));  // twice a member, still one copy
    ASSERT_TRUE(scope.join("hall", d));
    EXPECT_EQ(scope.broadcast("room", hello{1}), 3u);
    rt.run_until_idle();
    EXPECT_EQ(got, (std::map<address, int>{{a, 1}, {b, 1}, {c, 1}}));

    // The count is of the members that accepted the message: not a full mailbox.
    troupe::spawn_options small;
    small.capacity = 1;
    address full = rt.node().spawn_with<member>(small, &got).value().addr();
    rt.node().tell(full, hello{0});
    ASSERT_TRUE(scope.join("room", full));
    auto dead_before = rt.node().dead_letter_count();
    EXPECT_EQ(scope.broadcast("room", hello{2}), 3u);
    EXPECT_EQ(rt.node().dead_letter_count(), dead_before + 1);  // the refused copy, reported
    EXPECT_EQ(scope.broadcast("nobody", hello{3}), 0u);
    rt.run_until_idle();
    EXPECT_EQ(got, (std::map<address, int>{{a, 2}, {b, 2}, {c, 2}, {full, 1}}));
}

TEST_F(Groups, BroadcastFromAnActorComesFromThatActor) {
    troupe::group_scope scope{rt.node(), "chat"};
    struct announcer : troupe::actor<announcer, hello> {
        explicit announcer(troupe::group_scope* s) : scope(s) {}
        std::size_t handle(hello h) { return scope->broadcast("room", h); }
        troupe::group_scope* scope;
    };
    address x = rt.node().spawn<announcer>(&scope).value().addr();
    ASSERT_TRUE(scope.join("room", {a, b}));
    rt.clear_deliveries();
    auto n = rt.node().ask<std::size_t>(x, hello{7}, 1s);
    rt.run_until_idle();
    EXPECT_EQ(std::move(n).get().value(), 2u);
    std::vector<std::pair<address, address>> to_members;  // from, to
    for (const auto& dl : rt.deliveries()) {
        if (dl.to != x) to_members.emplace_back(dl.from, dl.to);
    }
    EXPECT_EQ(to_members, (std::vector<std::pair<address, address>>{{x, a}, {x, b}}))
        << "the members see the announcing actor as the sender";
}

TEST_F(Groups, DestroyingTheScopeWhileMembersLiveThenLettingThemExitIsSafe) {
    auto scope = std::make_unique<troupe::group_scope>(rt.node(), "chat");
    ASSERT_TRUE(scope->join("room", {a, b}));
    ASSERT_TRUE(scope->join("hall", a));
    ASSERT_TRUE(scope->monitor("room", w));
    ASSERT_TRUE(scope->monitor_scope(c));
    scope.reset();  // detaches every listener; the actors live on

    rt.node().kill(a);
    rt.node().tell(b, crash{});
    rt.node().tell(c, bye{});
    rt.run_until_idle();
    EXPECT_TRUE(log.empty());                // no events from a destroyed scope
    EXPECT_EQ(rt.node().actor_count(), 2u);  // d and w
}

// Destroys a scope from inside another exit listener of the same actor: the scope's own
// listener, attached later, is then in the middle of being notified (its detach fails).
class scope_killer final : public troupe::detail::exit_listener {
public:
    explicit scope_killer(std::optional<troupe::group_scope>* s) : scope_(s) {}
    void notify(address, const troupe::exit_reason&) noexcept override {
        scope_->reset();
        fired = true;
    }
    bool fired = false;

private:
    std::optional<troupe::group_scope>* scope_;
};

TEST_F(Groups, DestroyingTheScopeWhileAnExitNotificationIsPendingIsSafe) {
    std::optional<troupe::group_scope> scope;
    scope.emplace(rt.node(), "chat");
    scope_killer killer{&scope};
    ASSERT_TRUE(rt.node().lookup(a)->attach_if_alive(&killer));  // notified first
    EXPECT_TRUE(scope->monitor("room", w));
    EXPECT_TRUE(scope->join("room", {a, b}));
    rt.run_until_idle();
    EXPECT_EQ(log, (strings{"chat +room a,b"}));

    rt.node().kill(a);
    rt.run_until_idle();
    EXPECT_TRUE(killer.fired);
    EXPECT_FALSE(scope.has_value());
    // The scope's notification for a came after the scope was gone: no event was sent.
    EXPECT_EQ(log, (strings{"chat +room a,b"}));
    rt.node().kill(b);
    rt.run_until_idle();
    EXPECT_EQ(log.size(), 1u);
}

// The recommended ownership: the scope is a member of the actor that uses it, and goes
// with it (destroyed on that actor's thread, after it exited).
TEST_F(Groups, AScopeOwnedByAnActorGoesWithIt) {
    struct shout {
        int n;
    };
    struct room : troupe::actor<room, shout, hello, bye> {
        explicit room(troupe::node& n) : scope(n, "rooms") {}
        void on_start() override { scope.join("lobby", addr()).value(); }
        std::size_t handle(shout s) { return scope.broadcast("lobby", hello{s.n}); }
        void handle(hello) {}  // it is in the lobby too
        void handle(bye) { quit(); }
        troupe::group_scope scope;
    };
    auto r = rt.node().spawn<room>(rt.node()).value();
    names[r.addr()] = "room";
    // Reach the scope through the actor, as its own handlers would.
    auto* self = static_cast<room*>(rt.node().lookup(r.addr())->behavior());
    auto mon = self->scope.monitor("lobby", w).value();
    EXPECT_EQ(show(mon.members), (strings{"room"}));  // it joined in on_start
    ASSERT_TRUE(self->scope.join("lobby", {a, b}));
    auto n = r.ask(shout{1}, 1s);
    rt.run_until_idle();
    EXPECT_EQ(std::move(n).get().value(), 3u);  // itself, a and b
    r.tell(bye{});
    rt.run_until_idle();
    // The room's exit notification runs before its state (and scope) is destroyed, so the
    // watcher hears it leave; after that the scope is gone and a's exit says nothing.
    rt.node().kill(a);
    rt.run_until_idle();
    EXPECT_EQ(log, (strings{"rooms +lobby a,b", "rooms -lobby room"}));
    EXPECT_EQ(got, (std::map<address, int>{{a, 1}, {b, 1}}));
}

// --- threaded stress (run under TSan) -----------------------------------------------------

struct join_self {
    troupe::group_scope* scope;
    std::string group;
    std::atomic<std::size_t>* joins;
};
struct sync_msg {};

struct churner : troupe::actor<churner, join_self, sync_msg> {
    void handle(const join_self& m) {
        if (m.scope->join(m.group, addr())) m.joins->fetch_add(1);
    }
    void handle(sync_msg) {}
};

/// Counts events per (group, address); flags a leave that no join preceded.
struct tally : troupe::actor<tally, group_joined, group_left> {
    explicit tally(troupe::test::counter* events) : events(events) {}
    void handle(const group_joined& e) {
        {
            std::lock_guard<std::mutex> lock(mutex);
            for (address a : e.members) ++net[{e.group, a}];
            joined += e.members.size();
        }
        events->add(e.members.size());
    }
    void handle(const group_left& e) {
        {
            std::lock_guard<std::mutex> lock(mutex);
            for (address a : e.members) {
                if (--net[{e.group, a}] < 0) ++negative;
            }
            left += e.members.size();
        }
        events->add(e.members.size());
    }
    troupe::test::counter* events;
    std::mutex mutex;
    std::map<std::pair<std::string, address>, long> net;
    std::size_t joined = 0;
    std::size_t left = 0;
    std::size_t negative = 0;
};

troupe::node_config workers(std::size_t n) {
    troupe::node_config cfg;
    cfg.workers = n;
    return cfg;
}

TEST(GroupsStress, ConcurrentJoinLeaveExitKeepEveryJoinAccountedFor) {
    troupe::node node{workers(4)};
    troupe::group_scope scope{node, "stress"};
    troupe::test::counter events;
    auto t = node.spawn<tally>(&events).value();
    ASSERT_TRUE(scope.monitor_scope(t.addr()));
    auto spare = node.spawn<churner>().value();  // monitors on and off, alive throughout

    constexpr std::size_t slots = 48;
    const std::vector<std::string> groups{"g0", "g1", "g2", "g3"};
    std::mutex slots_mutex;
    std::vector<address> live;
    std::vector<address> killed;
    for (std::size_t i = 0; i < slots; ++i) live.push_back(node.spawn<churner>().value().addr());
    std::atomic<std::size_t> joins{0};
    std::atomic<bool> done{false};

    auto churn = [&](unsigned seed) {
        std::mt19937 rng{seed};
        for (int op = 0; op < 3000; ++op) {
            std::size_t i = rng() % slots;
            const std::string& g = groups[rng() % groups.size()];
            address x;
            {
                std::lock_guard<std::mutex> lock(slots_mutex);
                x = live[i];
            }
            switch (rng() % 16) {
                case 0: {  // exit, and a fresh actor takes the slot
                    if (rng() % 4 != 0) break;
                    node.kill(x);
                    address fresh = node.spawn<churner>().value().addr();
                    std::lock_guard<std::mutex> lock(slots_mutex);
                    if (live[i] == x) {
                        live[i] = fresh;
                        killed.push_back(x);
                    } else {  // another thread replaced it meanwhile
                        killed.push_back(x);
                        live.push_back(fresh);
                    }
                    break;
                }
                case 1:
                case 2:
                    node.tell(x, join_self{&scope, g, &joins});
                    break;
                case 3:
                case 4:
                case 5:
                case 6:
                case 7:
                    // May fail: x may be exiting.
                    if (scope.join(g, x)) joins.fetch_add(1);
                    break;
                default:
                    (void)scope.leave(g, x);
            }
        }
    };
    auto read = [&] {
        std::size_t rounds = 0;
        while (!done.load() || rounds < 10) {
            ++rounds;
            auto names = scope.which_groups();
            EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));
            for (const auto& g : groups) {
                for (address m : scope.members(g)) EXPECT_TRUE(m);
            }
            if (auto m = scope.monitor("g0", spare.addr())) {
                EXPECT_TRUE(scope.demonitor(m->ref));
            }
        }
    };

    std::vector<std::thread> threads;
    for (unsigned s = 1; s <= 3; ++s) threads.emplace_back(churn, s);
    std::thread reader{read};
    for (auto& th : threads) th.join();
    done = true;
    reader.join();

    // Quiescence: self-joins handled (ask after them), killed actors gone.
    for (address x : live) (void)node.ask<void>(x, sync_msg{}, 10s).get();
    for (address x : killed) {
        auto r = node.wait(x).get();
        ASSERT_TRUE(r);
        EXPECT_TRUE(r->what() == troupe::exit_reason::kind::killed ||
                    r->what() == troupe::exit_reason::kind::noproc);
    }
    // The memberships of live actors are final now; those of killed ones are going away.
    std::map<std::pair<std::string, address>, long> final_members;
    std::size_t final_total = 0;
    std::vector<address> killed_sorted = killed;
    std::sort(killed_sorted.begin(), killed_sorted.end());
    for (const auto& g : groups) {
        for (address m : scope.members(g)) {
            if (std::binary_search(killed_sorted.begin(), killed_sorted.end(), m)) continue;
            ++final_members[{g, m}];
            ++final_total;
        }
    }
    const std::size_t j = joins.load();
    ASSERT_GT(j, 100u);
    // Every join is one joined address; every membership that is not final left once.
    ASSERT_TRUE(events.wait_for(j + (j - final_total)))
        << events.get() << " of " << j + (j - final_total) << " events";

    // Now the killed actors are out of every group, and the watcher's view matches.
    std::map<std::pair<std::string, address>, long> now;
    for (const auto& g : groups) {
        for (address m : scope.members(g)) ++now[{g, m}];
    }
    EXPECT_EQ(now, final_members);
    auto* w = static_cast<tally*>(node.lookup(t.addr())->behavior());
    std::lock_guard<std::mutex> lock(w->mutex);
    EXPECT_EQ(w->negative, 0u) << "a leave arrived before its join";
    EXPECT_EQ(w->joined, j);
    EXPECT_EQ(w->left, j - final_total);
    std::erase_if(w->net, [](const auto& kv) { return kv.second == 0; });
    EXPECT_EQ(w->net, final_members);
}

TEST(GroupsStress, DestroyingScopesWhileMembersExitIsSafe) {
    troupe::node node{workers(4)};
    for (int round = 0; round < 20; ++round) {
        auto scope = std::make_unique<troupe::group_scope>(node, "doomed");
        troupe::test::counter events;
        auto watcher_actor = node.spawn<tally>(&events).value();
        ASSERT_TRUE(scope->monitor_scope(watcher_actor.addr()));
        std::vector<address> members;
        for (int i = 0; i < 32; ++i) {
            members.push_back(node.spawn<churner>().value().addr());
            ASSERT_TRUE(scope->join(i % 2 ? "odd" : "even", members.back()));
            ASSERT_TRUE(scope->join("all", members.back()));
        }
        std::thread killer{[&] {
            for (address m : members) node.kill(m);
            node.kill(watcher_actor.addr());
        }};
        // Interleave scope calls with the exits, then destroy the scope among them.
        for (int i = 0; i < 8; ++i) (void)scope->members("all");
        scope.reset();
        killer.join();
        for (address m : members) (void)node.wait(m).get();
        (void)node.wait(watcher_actor.addr()).get();
    }
    EXPECT_EQ(node.actor_count(), 0u);
}

}  // namespace

#pragma once
// supervisor: an actor that starts children, watches them and restarts them by OTP's rules
// (supervisor.erl), read with supervisor_spec.hpp for the spec.
//
//   troupe::supervisor_spec spec{.strategy = troupe::restart_strategy::one_for_one,
//                                .max_restarts = 3, .period = 5s,
//                                .children = {troupe::child_spec::worker<db>("db"),
//                                             troupe::child_spec::worker<web>("web", 8080)}};
//   troupe::result<troupe::supervisor_ref> sup = troupe::start_supervisor(node, spec).get();
//   // (co_await it inside an actor; opts.link = true makes that actor the parent.)
//   sup->which_children().get();                  // [{db, <fff8:3>, ...}, {web, <fff8:4>, ...}]
//   sup->start_child(troupe::child_spec::worker<cache>("cache")).get();   // its address
//   sup->terminate_child("web").get();
//   node.stop(sup->addr());                       // children stop in reverse order; exits normal
//
// node.spawn<troupe::supervisor>(spec) works too (and spawn_link from an actor), but
// returns before the children have started: a failed start is then seen only as the
// supervisor's exit. start_supervisor() waits for the outcome.
//
// The rules, step by step:
//  1. Start: the children start in spec order, each with its start function called inside
//     the supervisor (and, with a start_timeout, its init_done() awaited). If one fails, the
//     ones already started are stopped in reverse order and the supervisor exits with
//     shutdown{child 'x' failed to start: ...}; start_supervisor() gives errc::start_failed
//     naming the child and the reason. Once all have started, the supervisor calls
//     init_done() (so a parent supervisor waiting for it goes on) and start_supervisor()
//     completes.
//  2. A child exits: permanent children are restarted always, transient ones after an
//     abnormal exit (exit_reason::is_abnormal()), temporary ones never (and are forgotten);
//     a child not restarted stays in which_children with a null address. A restart is
//     counted first: more than max_restarts within `period` (node.now(), virtual in tests)
//     and the supervisor stops every child (reverse order) and exits `shutdown`, which its
//     own supervisor sees. Otherwise, by strategy: one_for_one restarts that child;
//     one_for_all stops all the others (reverse order) and starts all (in order);
//     rest_for_one stops the children started after it (reverse order) and starts it and
//     them (in order). Temporary children stopped this way are forgotten. If a restart
//     fails, the supervisor tries again (a message to itself, so requests get in between),
//     each attempt counting as a restart.
//  3. Stopping a child (terminate_child, restarts, shutdown): brutal_kill kills it;
//     timeout(d) sends exit(child, shutdown) and kills it if it has not exited after d;
//     infinity sends shutdown and waits. The supervisor waits for each child's exit before
//     stopping the next.
//  4. Exit signals (the supervisor traps exits): one from its parent (the actor that spawned
//     it linked; for a supervisor spawned outside any actor, a signal sent from outside any
//     actor, e.g. node.exit(sup, shutdown) from main) stops the children in reverse order,
//     then the supervisor exits with that reason. One from a child is step 2. Others are
//     ignored, as OTP does. exit(sup, kill) cannot be trapped: the supervisor ends at
//     once and its linked children receive `killed` (a child that does not trap exits dies
//     with it; one that traps gets an exit_signal, and a trapping server terminates).
//  5. node.stop(sup) (a graceful stop) stops the children in reverse order, then the
//     supervisor exits normal (OTP: supervisor:stop/1). A node shutdown stops everything at
//     once.
// Crashes, restarts, escalations and failed starts are logged through the supervisor's
// log() (warn/error), restarts at info, with the child id, address and reason.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <troupe/actor.hpp>
#include <troupe/detail/supervision.hpp>
#include <troupe/node.hpp>
#include <troupe/pending.hpp>
#include <troupe/signals.hpp>
#include <troupe/supervisor_spec.hpp>

namespace troupe {

namespace detail {
// The requests a supervisor answers (through supervisor_ref).
struct sup_init {};
struct sup_start_child {
    child_spec spec;
};
struct sup_terminate_child {
    std::string id;
};
struct sup_restart_child {
    std::string id;
};
struct sup_delete_child {
    std::string id;
};
struct sup_which_children {};
struct sup_count_children {};
struct sup_try_again {
    std::string id;
};
struct sup_stop {};
}  // namespace detail

/// A handle to any supervisor (regular or uniform) by address. Thread-safe; every call
/// returns a pending (co_await it in an actor, .get() it from a plain thread). Calls wait
/// as long as the supervisor takes (OTP's infinity) unless given a timeout; a supervisor
/// that exits meanwhile fails them.
class supervisor_handle {
public:
    supervisor_handle() = default;
    supervisor_handle(node& n, address a) : node_(&n), addr_(a), cell_(n.lookup(a)) {}

    address addr() const noexcept { return addr_; }
    operator address() const noexcept { return addr_; }
    explicit operator bool() const noexcept { return static_cast<bool>(addr_); }

    /// The children in start order: id, address (null while not running), type, restart.
    pending<std::vector<child_info>> which_children(duration timeout = duration::max()) const {
        return ask<std::vector<child_info>>(detail::sup_which_children{}, timeout);
    }
    /// specs, active (alive), supervisors and workers, as OTP's count_children.
    pending<child_counts> count_children(duration timeout = duration::max()) const {
        return ask<child_counts>(detail::sup_count_children{}, timeout);
    }
    /// Completes with the supervisor's exit reason.
    pending<exit_reason> wait() const {
        // By the cell held since the handle was made: the real reason even after the exit.
        if (cell_) return node_->wait(cell_.get());
        return node_ ? node_->wait(addr_) : pending<exit_reason>::ready(exit_reason::noproc());
    }
    /// Stops the children in reverse order, then the supervisor exits normal.
    void stop() const {
        if (node_) node_->stop(addr_);
    }

protected:
    template <class R, class M>
    pending<R> ask(M msg, duration timeout) const {
        if (!node_) {
            return pending<R>::ready(
                error{errc::no_such_actor, "the supervisor handle is empty (default-constructed)"});
        }
        return node_->template ask<R>(addr_, std::move(msg), timeout);
    }

private:
    node* node_ = nullptr;
    address addr_;
    detail::intrusive_ptr<detail::actor_cell> cell_;
};

/// A handle to a supervisor with OTP's runtime API. Errors: not_found (no child with that
/// id), duplicate_name (start_child of an id that exists), invalid_argument (a bad spec;
/// restart_child or delete_child of a running child), and the start errors of children.
class supervisor_ref : public supervisor_handle {
public:
    using supervisor_handle::supervisor_handle;

    /// Starts a new child after the others and gives its address (null if its start
    /// function returned null: ignored).
    pending<address> start_child(child_spec spec, duration timeout = duration::max()) const {
        return ask<address>(detail::sup_start_child{std::move(spec)}, timeout);
    }
    /// Stops the child (by its shutdown policy) and keeps its spec, unless it is temporary.
    pending<void> terminate_child(std::string id, duration timeout = duration::max()) const {
        return ask<void>(detail::sup_terminate_child{std::move(id)}, timeout);
    }
    /// Starts a terminated child again (not a running one) and gives its new address.
    pending<address> restart_child(std::string id, duration timeout = duration::max()) const {
        return ask<address>(detail::sup_restart_child{std::move(id)}, timeout);
    }
    /// Forgets the spec of a terminated child.
    pending<void> delete_child(std::string id, duration timeout = duration::max()) const {
        return ask<void>(detail::sup_delete_child{std::move(id)}, timeout);
    }
};

class supervisor final
    : public actor<supervisor, exit_signal, detail::sup_init, detail::sup_start_child,
                   detail::sup_terminate_child, detail::sup_restart_child, detail::sup_delete_child,
                   detail::sup_which_children, detail::sup_count_children, detail::sup_try_again,
                   detail::sup_stop> {
public:
    /// Completed by the supervisor once its children have started (start_supervisor).
    using start_watch = detail::intrusive_ptr<detail::async_state<supervisor_ref>>;

    explicit supervisor(supervisor_spec spec, start_watch watch = {});

    task<> handle(exit_signal s);
    task<> handle(detail::sup_init);
    task<> handle(detail::sup_start_child m);
    task<> handle(detail::sup_terminate_child m);
    task<> handle(detail::sup_restart_child m);
    deferred<void> handle(detail::sup_delete_child m);
    std::vector<child_info> handle(detail::sup_which_children);
    child_counts handle(detail::sup_count_children);
    task<> handle(detail::sup_try_again m);
    task<> handle(detail::sup_stop);

protected:
    void on_start() override;
    bool on_stopping() override;
    void on_stopped(const exit_reason& reason) override;
    void on_init_done(address child) override;

private:
    struct child {
        child_spec spec;
        address pid;              // null while not running
        bool restarting = false;  // a restart failed; a try-again message is on its way
    };

    task<> init();
    task<> child_exited(exit_signal s);
    task<> restart(std::string id);
    task<> restart_from(std::size_t first);
    task<> terminate_children(std::size_t first);
    task<exit_reason> stop_child(const child& c);
    task<result<address>> start_one(const child_spec& spec);
    task<> start_child_api(child_spec spec, reply_handle<address> reply);
    task<> terminate_child_api(std::string id, reply_handle<void> reply);
    task<> restart_child_api(std::string id, reply_handle<address> reply);
    task<> shut_down(exit_reason reason);
    /// OTP del_child: a temporary child is forgotten, another keeps its spec.
    void del_child(std::size_t index);
    std::optional<std::size_t> index_of(const std::string& id) const;
    std::optional<std::size_t> index_of(address pid) const;
    static error not_found(const std::string& id);

    supervisor_spec flags_;  // the spec's flags; the children live in children_
    detail::supervision core_;
    start_watch watch_;
    std::vector<child> children_;  // in start order
    bool stopping_ = false;
};

/// Spawns a supervisor and starts its children. Completes with a handle once every child
/// has started, or with errc::start_failed naming the child that could not start and why
/// (the supervisor has then stopped the others and exited). An invalid spec fails at once
/// (errc::start_failed, saying what is wrong). From inside an actor, opts.link = true makes
/// that actor the supervisor's parent.
pending<supervisor_ref> start_supervisor(node& n, supervisor_spec spec, spawn_options opts = {});

}  // namespace troupe

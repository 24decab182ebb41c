#pragma once
// uniform_supervisor<Args...>: dynamic children of one kind, started on request with
// arguments (OTP's simple_one_for_one, mm1's uniform_sup).
//
//   auto spec = troupe::uniform_spec<int>::worker<connection>();  // connection(int port)
//   spec.restart = troupe::restart_type::transient;
//   troupe::uniform_ref<int> pool = troupe::start_uniform_supervisor(node, spec).get().value();
//   troupe::address c = pool.start_child(8080).get().value();   // connection(8080), linked
//   pool.terminate_child(c).get();
//
// The rules (supervisor.hpp has the common ones):
//  - start_child(args...) calls the spec's start function with the arguments inside the
//    supervisor (with the spec's start_timeout, if any) and gives the child's address (null:
//    ignored, not kept). The arguments are kept for restarts: a child is restarted with the
//    same arguments, per the spec's restart type (permanent, transient, temporary), each
//    restart counting against max_restarts within period; one too many and the supervisor
//    stops every child and exits `shutdown`. A failed restart is tried again.
//  - terminate_child(address) stops that child (by the spec's shutdown policy) and forgets
//    it; an address that is not a child is errc::not_found, unless it has already exited
//    (then it is fine: it may have been a child that just ended, as OTP does).
//  - When the supervisor stops (its parent's exit signal, node.stop, the intensity), the
//    children are stopped all at once, not in order (as OTP's terminate_dynamic_children):
//    every one is sent its signal, then all are waited for, and those still alive after the
//    shutdown timeout are killed.
//  - which_children lists them in start order (a restarted child keeps its place) with an
//    empty id; count_children counts one spec.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

#include <troupe/actor.hpp>
#include <troupe/detail/supervision.hpp>
#include <troupe/supervisor.hpp>
#include <troupe/supervisor_spec.hpp>

namespace troupe {

/// What a uniform supervisor's children are: how one starts from the arguments of
/// start_child, and the options every child shares.
template <class... Args>
struct uniform_spec {
    /// Starts one child from the arguments (inside the supervisor: spawn it linked).
    std::function<result<address>(node&, const Args&...)> start{};
    restart_type restart = restart_type::permanent;
    /// Unset: timeout(5 s) for workers, infinity for supervisors.
    std::optional<shutdown_policy> shutdown{};
    child_type type = child_type::worker;
    /// Set: each child is started with acknowledgement (see child_spec::start_timeout).
    std::optional<duration> start_timeout{};
    int max_restarts = 1;
    duration period = std::chrono::seconds(5);

    /// Children A(args...), spawned linked (opts.name names them in logs).
    template <class A>
    static uniform_spec worker(spawn_options opts = {}) {
        opts.link = true;
        uniform_spec s;
        s.start = [opts = std::move(opts)](node& n, const Args&... args) -> result<address> {
            auto spawned = n.template spawn_with<A>(opts, args...);
            if (!spawned) return spawned.error();
            return spawned->addr();
        };
        return s;
    }
};

namespace detail {

template <class... Args>
struct uniform_start {
    std::tuple<Args...> args;
};
struct uniform_terminate {
    address child;
};
struct uniform_try_again {
    std::uint64_t serial;
};

/// The options a uniform supervisor's children share.
struct uniform_options {
    restart_type restart;
    shutdown_policy shutdown;
    child_type type;
    std::optional<duration> start_timeout;
};

/// A uniform supervisor's logic, apart from the argument types (uniform_supervisor.cpp).
/// Only the owning actor may call it.
class uniform_core {
public:
    uniform_core(uniform_options opts, int max_restarts, duration period);

    /// From on_start: checks the options (throws what is wrong), traps exits, acknowledges.
    void start(local_actor& self, bool has_start_function);
    bool on_stopping();
    void on_init_done(address child) { core_.init_done(child); }

    task<> start_child(start_fn fn, reply_handle<address> reply);
    task<> terminate_child(address child, reply_handle<void> reply);
    task<> on_exit(exit_signal s);
    task<> try_again(std::uint64_t serial);
    task<> stop();
    std::vector<child_info> which_children() const;
    child_counts count_children() const;

private:
    struct child {
        address pid;  // null while a failed restart waits to be tried again
        start_fn start;
    };
    task<> restart(std::uint64_t serial);
    task<> shut_down(exit_reason reason);
    static std::string label(std::uint64_t serial);

    uniform_options opts_;
    supervision core_;
    std::map<std::uint64_t, child> children_;                  // by serial: start order
    std::unordered_map<std::uint64_t, std::uint64_t> by_pid_;  // address bits -> serial
    std::uint64_t next_serial_ = 1;
    bool stopping_ = false;
};

}  // namespace detail

template <class... Args>
class uniform_supervisor final
    : public actor<uniform_supervisor<Args...>, exit_signal, detail::uniform_start<Args...>,
                   detail::uniform_terminate, detail::uniform_try_again, detail::sup_which_children,
                   detail::sup_count_children, detail::sup_stop> {
public:
    explicit uniform_supervisor(uniform_spec<Args...> spec)
        : start_(std::make_shared<const start_type>(std::move(spec.start))),
          core_(detail::uniform_options{spec.restart, effective_shutdown(spec.shutdown, spec.type),
                                        spec.type, spec.start_timeout},
                spec.max_restarts, spec.period) {}

    task<> handle(detail::uniform_start<Args...> m) {
        // The arguments stay with the child: a restart calls the same start with them.
        start_fn fn = [start = start_, args = std::move(m.args)](node& n) {
            return std::apply([&](const Args&... a) { return (*start)(n, a...); }, args);
        };
        return core_.start_child(std::move(fn), this->template reply_later<address>());
    }
    task<> handle(detail::uniform_terminate m) {
        return core_.terminate_child(m.child, this->template reply_later<void>());
    }
    task<> handle(exit_signal s) { return core_.on_exit(std::move(s)); }
    task<> handle(detail::uniform_try_again m) { return core_.try_again(m.serial); }
    task<> handle(detail::sup_stop) { return core_.stop(); }
    std::vector<child_info> handle(detail::sup_which_children) { return core_.which_children(); }
    child_counts handle(detail::sup_count_children) { return core_.count_children(); }

protected:
    void on_start() override { core_.start(*this, static_cast<bool>(*start_)); }
    bool on_stopping() override { return core_.on_stopping(); }
    void on_init_done(address child) override { core_.on_init_done(child); }

private:
    using start_type = std::function<result<address>(node&, const Args&...)>;
    std::shared_ptr<const start_type> start_;
    detail::uniform_core core_;
};

/// A handle to a uniform supervisor (thread-safe; see supervisor_handle for the rest).
template <class... Args>
class uniform_ref : public supervisor_handle {
public:
    using supervisor_handle::supervisor_handle;

    /// Starts a child from `args` and gives its address (null if the start function
    /// returned null), or the start error.
    pending<address> start_child(Args... args) const {
        return this->template ask<address>(
            detail::uniform_start<Args...>{std::tuple<Args...>{std::move(args)...}},
            duration::max());
    }
    /// Stops the child at `child` and forgets it.
    pending<void> terminate_child(address child, duration timeout = duration::max()) const {
        return this->template ask<void>(detail::uniform_terminate{child}, timeout);
    }
};

/// Spawns a uniform supervisor (no children yet). Fails with errc::start_failed, saying
/// what is wrong, for an invalid spec. From inside an actor, opts.link = true makes that
/// actor its parent.
template <class... Args>
pending<uniform_ref<Args...>> start_uniform_supervisor(node& n, uniform_spec<Args...> spec,
                                                       spawn_options opts = {}) {
    auto spawned = n.template spawn_with<uniform_supervisor<Args...>>(opts, std::move(spec));
    if (!spawned) return pending<uniform_ref<Args...>>::ready(spawned.error());
    return pending<uniform_ref<Args...>>::ready(uniform_ref<Args...>{n, spawned->addr()});
}

template <class... Args>
child_spec child_spec::uniform(std::string id, uniform_spec<Args...> spec, spawn_options opts) {
    opts.link = true;
    if (opts.name.empty()) opts.name = id;
    child_spec c;
    c.id = std::move(id);
    c.type = child_type::supervisor;
    c.start_timeout = duration::max();  // it acknowledges at once (it starts with no child)
    auto shared = std::make_shared<const uniform_spec<Args...>>(std::move(spec));
    c.start = [shared = std::move(shared), opts = std::move(opts)](node& n) -> result<address> {
        auto spawned = n.template spawn_with<uniform_supervisor<Args...>>(opts, *shared);
        if (!spawned) return spawned.error();
        return spawned->addr();
    };
    return c;
}

}  // namespace troupe

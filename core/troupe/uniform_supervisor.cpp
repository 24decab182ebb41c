// The uniform supervisor's rules, as OTP's simple_one_for_one clauses of supervisor.erl:
// handle_call({start_child, Args}), terminate_child by pid, restart/2 for dynamic children,
// and terminate_dynamic_children/1.

#include <stdexcept>
#include <utility>

#include <troupe/uniform_supervisor.hpp>

namespace troupe::detail {

uniform_core::uniform_core(uniform_options opts, int max_restarts, duration period)
    : opts_(std::move(opts)), core_(max_restarts, period) {}

std::string uniform_core::label(std::uint64_t serial) {
    return "child #" + std::to_string(serial);
}

void uniform_core::start(local_actor& self, bool has_start_function) {
    core_.bind(self);
    auto bad = [](const std::string& why) {
        throw std::invalid_argument("invalid uniform supervisor spec: " + why);
    };
    if (!has_start_function)
        bad("it has no start function; use uniform_spec<Args...>::worker<A>()");
    if (core_.intensity().max_restarts() < 0) {
        bad("max_restarts is " + std::to_string(core_.intensity().max_restarts()) +
            "; it must be 0 or more");
    }
    if (core_.intensity().period() <= duration::zero()) {
        bad("the restart period is " + to_millis(core_.intensity().period()) +
            "; it must be positive");
    }
    if (!opts_.shutdown.is_brutal_kill() && !opts_.shutdown.is_infinity() &&
        opts_.shutdown.grace() < duration::zero()) {
        bad("the shutdown timeout is negative (" + opts_.shutdown.to_string() + ")");
    }
    if (opts_.start_timeout && *opts_.start_timeout <= duration::zero()) {
        bad("the start_timeout is " + to_millis(*opts_.start_timeout) + "; it must be positive");
    }
    self.trap_exit(true);
    self.init_done();  // nothing to start: a parent supervisor may go on at once
}

bool uniform_core::on_stopping() {
    if (!stopping_) {
        stopping_ = true;
        core_.home().tell(core_.self().addr(), sup_stop{});
    }
    return false;
}

task<> uniform_core::stop() {
    core_.log().info("asked to stop: stopping {} children", children_.size());
    task<> stopping = shut_down(exit_reason::normal());
    co_await stopping;
}

task<> uniform_core::shut_down(exit_reason reason) {
    std::vector<address> running;
    running.reserve(children_.size());
    for (const auto& [serial, c] : children_) {
        if (c.pid) running.push_back(c.pid);
    }
    children_.clear();
    by_pid_.clear();
    task<> stopping = core_.stop_all(std::move(running), opts_.shutdown, opts_.restart);
    co_await stopping;
    core_.self().quit(std::move(reason));
}

task<> uniform_core::start_child(start_fn fn, reply_handle<address> reply) {
    const std::uint64_t serial = next_serial_++;
    task<result<address>> starting = core_.start(label(serial), fn, opts_.start_timeout);
    result<address> started = co_await starting;
    if (!started) {
        core_.log().error("{}", started.error().reason());
        reply.fail(started.error());
        co_return;
    }
    if (*started) {
        core_.log().debug("started {}: {}", label(serial), started->to_string());
        // OTP keeps no arguments for temporary children: they are never restarted.
        if (opts_.restart == restart_type::temporary) fn = nullptr;
        children_.emplace(serial, child{*started, std::move(fn)});
        by_pid_[started->bits()] = serial;
    }
    reply.send(*started);
}

task<> uniform_core::terminate_child(address pid, reply_handle<void> reply) {
    auto it = by_pid_.find(pid.bits());
    if (!pid || it == by_pid_.end()) {
        if (pid && core_.home().lookup(pid)) {
            reply.fail(error{errc::not_found, pid.to_string() + " is not a child of this uniform "
                                                                "supervisor"});
        } else {
            reply.send();  // gone already: maybe a child that just exited (OTP)
        }
        co_return;
    }
    const std::uint64_t serial = it->second;
    task<exit_reason> stopping = core_.stop(pid, label(serial), opts_.shutdown, opts_.restart);
    (void)co_await stopping;
    by_pid_.erase(pid.bits());
    children_.erase(serial);
    reply.send();
}

task<> uniform_core::on_exit(exit_signal s) {
    if (core_.from_parent(s.from)) {
        core_.log().info("exit signal from the parent ({}): {}; stopping {} children",
                         s.from.to_string(), s.reason.to_string(), children_.size());
        task<> stopping = shut_down(std::move(s.reason));
        co_await stopping;
        co_return;
    }
    auto it = by_pid_.find(s.from.bits());
    if (!s.from || it == by_pid_.end()) {
        core_.log().debug("ignored an exit signal from {} ({}): not a child", s.from.to_string(),
                          s.reason.to_string());
        co_return;
    }
    const std::uint64_t serial = it->second;
    by_pid_.erase(it);
    children_.at(serial).pid = address{};
    const restart_type type = opts_.restart;
    if (type == restart_type::permanent ||
        (type == restart_type::transient && s.reason.is_abnormal())) {
        core_.log().warn("{} ({}) exited: {}; restarting it ({})", label(serial),
                         s.from.to_string(), s.reason.to_string(), to_string(type));
        task<> restarting = restart(serial);
        co_await restarting;
        co_return;
    }
    if (s.reason.is_abnormal()) {
        core_.log().warn("{} ({}) exited: {}; not restarted ({})", label(serial),
                         s.from.to_string(), s.reason.to_string(), to_string(type));
    } else {
        core_.log().debug("{} ({}) exited: {}; not restarted ({})", label(serial),
                          s.from.to_string(), s.reason.to_string(), to_string(type));
    }
    children_.erase(serial);
}

task<> uniform_core::restart(std::uint64_t serial) {
    if (!core_.add_restart(core_.home().now())) {
        core_.log().error(
            "{} reached the restart intensity ({}); stopping the children and "
            "exiting shutdown",
            label(serial), core_.intensity().to_string());
        children_.erase(serial);
        task<> stopping = shut_down(exit_reason::shutdown());
        co_await stopping;
        co_return;
    }
    task<result<address>> starting =
        core_.start(label(serial), children_.at(serial).start, opts_.start_timeout);
    result<address> started = co_await starting;
    child& c = children_.at(serial);  // nothing else changes children_ meanwhile
    if (!started) {
        core_.log().error("{}; trying again", started.error().reason());
        core_.home().tell(core_.self().addr(), uniform_try_again{serial});
        co_return;
    }
    if (!*started) {  // ignored: nothing left to supervise
        children_.erase(serial);
        co_return;
    }
    c.pid = *started;
    by_pid_[started->bits()] = serial;
    core_.log().info("restarted {}: {}", label(serial), started->to_string());
}

task<> uniform_core::try_again(std::uint64_t serial) {
    auto it = children_.find(serial);
    if (it == children_.end() || it->second.pid) co_return;  // stopped meanwhile
    task<> restarting = restart(serial);
    co_await restarting;
}

std::vector<child_info> uniform_core::which_children() const {
    std::vector<child_info> out;
    out.reserve(children_.size());
    for (const auto& [serial, c] : children_) {
        out.push_back(child_info{std::string{}, c.pid, opts_.type, opts_.restart});
    }
    return out;
}

child_counts uniform_core::count_children() const {
    child_counts n;
    n.specs = 1;
    for (const auto& [serial, c] : children_) {
        if (c.pid && core_.home().lookup(c.pid)) ++n.active;
    }
    (opts_.type == child_type::supervisor ? n.supervisors : n.workers) = children_.size();
    return n;
}

}  // namespace troupe::detail

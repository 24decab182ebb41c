// The supervisor's rules, in the order of OTP's supervisor.erl: init_children, restart_child
// and do_restart (a child exited), restart/2 (the intensity, then the strategy) and
// terminate_children. The runtime API (handle_call) is in supervisor_api.cpp.

#include <stdexcept>
#include <utility>

#include <troupe/supervisor.hpp>

namespace troupe {

using detail::child_label;

child_spec child_spec::supervisor(std::string id, supervisor_spec spec, spawn_options opts) {
    opts.link = true;
    if (opts.name.empty()) opts.name = id;
    child_spec c;
    c.id = std::move(id);
    c.type = child_type::supervisor;
    c.start_timeout = duration::max();  // it acknowledges once its own children are up
    auto shared = std::make_shared<const supervisor_spec>(std::move(spec));
    c.start = [shared = std::move(shared), opts = std::move(opts)](node& n) -> result<address> {
        auto spawned = n.spawn_with<troupe::supervisor>(opts, *shared);
        if (!spawned) return spawned.error();
        return spawned->addr();
    };
    return c;
}

pending<supervisor_ref> start_supervisor(node& n, supervisor_spec spec, spawn_options opts) {
    supervisor::start_watch watch{new detail::async_state<supervisor_ref>(&n.executor()),
                                  detail::adopt};
    auto spawned = n.spawn_with<supervisor>(opts, std::move(spec), watch);
    if (!spawned) return pending<supervisor_ref>::ready(spawned.error());
    return pending<supervisor_ref>{std::move(watch)};
}

supervisor::supervisor(supervisor_spec spec, start_watch watch)
    : flags_(std::move(spec)),
      core_(flags_.max_restarts, flags_.period),
      watch_(std::move(watch)) {}

// --- lifecycle -------------------------------------------------------------------------------

void supervisor::on_start() {
    core_.bind(*this);
    if (auto bad = check_supervisor_spec(flags_)) {
        throw std::invalid_argument("invalid supervisor spec: " + bad->reason());
    }
    trap_exit(true);
    children_.reserve(flags_.children.size());
    for (auto& c : flags_.children) children_.push_back(child{std::move(c), address{}, false});
    flags_.children.clear();
    // The children start in the first handler: starting them may mean waiting (for an
    // acknowledgement, or for the started ones to stop after a failure).
    self().tell(detail::sup_init{});
}

task<> supervisor::handle(detail::sup_init) {
    return init();
}

// OTP init_children/2: in order; on a failure, stop the started ones and give up.
task<> supervisor::init() {
    for (std::size_t i = 0; i < children_.size();) {
        task<result<address>> starting = start_one(children_[i].spec);
        result<address> started = co_await starting;
        if (!started) {
            const std::string why = started.error().reason();
            log().error("{}; stopping the children already started", why);
            task<> stopping = terminate_children(0);
            co_await stopping;
            if (watch_) {
                watch_->complete(
                    error{errc::start_failed, "the supervisor at " + addr().to_string() +
                                                  " could not start its children: " + why});
                watch_.reset();
            }
            quit(exit_reason::shutdown(why));
            co_return;
        }
        if (!*started && children_[i].spec.restart == restart_type::temporary) {
            children_.erase(children_.begin() + static_cast<std::ptrdiff_t>(i));
            continue;
        }
        children_[i].pid = *started;
        log().debug("started {}: {}", child_label(children_[i].spec.id), started->to_string());
        ++i;
    }
    if (watch_) {
        watch_->complete(supervisor_ref{home(), addr()});
        watch_.reset();
    }
    init_done();  // a parent supervisor waiting for us goes on
}

bool supervisor::on_stopping() {
    // A graceful stop (node.stop): the children first, in reverse order (OTP: terminate/2).
    if (!stopping_) {
        stopping_ = true;
        self().tell(detail::sup_stop{});
    }
    return false;
}

task<> supervisor::handle(detail::sup_stop) {
    log().info("asked to stop: stopping {} children", children_.size());
    return shut_down(exit_reason::normal());
}

void supervisor::on_stopped(const exit_reason& reason) {
    if (watch_) {
        watch_->complete(error{errc::start_failed, "the supervisor at " + addr().to_string() +
                                                       " exited (" + reason.to_string() +
                                                       ") before its children had started"});
        watch_.reset();
    }
}

void supervisor::on_init_done(address child) {
    core_.init_done(child);
}

task<> supervisor::shut_down(exit_reason reason) {
    task<> stopping = terminate_children(0);
    co_await stopping;
    quit(std::move(reason));
}

// --- a child exited (OTP handle_info({'EXIT', ...}), restart_child/3, do_restart/3) ---------

task<> supervisor::handle(exit_signal s) {
    if (core_.from_parent(s.from)) {
        log().info("exit signal from the parent ({}): {}; stopping {} children", s.from.to_string(),
                   s.reason.to_string(), children_.size());
        return shut_down(std::move(s.reason));
    }
    return child_exited(std::move(s));
}

task<> supervisor::child_exited(exit_signal s) {
    auto i = index_of(s.from);
    if (!i) {
        // A child already stopped or replaced, or a stranger: OTP ignores these too.
        log().debug("ignored an exit signal from {} ({}): not a child", s.from.to_string(),
                    s.reason.to_string());
        co_return;
    }
    child& c = children_[*i];
    const std::string id = c.spec.id;
    const restart_type type = c.spec.restart;
    if (type == restart_type::permanent ||
        (type == restart_type::transient && s.reason.is_abnormal())) {
        log().warn("{} ({}) exited: {}; restarting it ({})", child_label(id), s.from.to_string(),
                   s.reason.to_string(), to_string(type));
        task<> restarting = restart(id);
        co_await restarting;
        co_return;
    }
    if (s.reason.is_abnormal()) {
        log().warn("{} ({}) exited: {}; not restarted ({})", child_label(id), s.from.to_string(),
                   s.reason.to_string(), to_string(type));
    } else {
        log().info("{} ({}) exited: {}; not restarted ({})", child_label(id), s.from.to_string(),
                   s.reason.to_string(), to_string(type));
    }
    del_child(*i);
}

// OTP restart/2: count the restart first, then restart by strategy.
task<> supervisor::restart(std::string id) {
    if (!core_.add_restart(home().now())) {
        log().error(
            "{} reached the restart intensity ({}); stopping the children and exiting "
            "shutdown",
            child_label(id), core_.intensity().to_string());
        if (auto i = index_of(id)) del_child(*i);
        task<> stopping = shut_down(exit_reason::shutdown());
        co_await stopping;
        co_return;
    }
    auto i = index_of(id);
    if (!i) co_return;
    children_[*i].pid = address{};
    switch (flags_.strategy) {
        case restart_strategy::one_for_one: {
            task<result<address>> starting = start_one(children_[*i].spec);
            result<address> started = co_await starting;
            child& c = children_[*i];  // nothing else changes children_ meanwhile
            if (!started) {
                c.restarting = true;
                log().error("{}; trying again", started.error().reason());
                self().tell(detail::sup_try_again{id});
                co_return;
            }
            c.pid = *started;
            c.restarting = false;
            log().info("restarted {}: {}", child_label(id), started->to_string());
            co_return;
        }
        case restart_strategy::one_for_all: {
            task<> restarting = restart_from(0);
            co_await restarting;
            co_return;
        }
        case restart_strategy::rest_for_one: {
            task<> restarting = restart_from(*i);
            co_await restarting;
            co_return;
        }
    }
}

// OTP restart_multiple_children/3: stop children_[first..] in reverse order, then start
// them in order. Temporary ones are forgotten rather than restarted.
task<> supervisor::restart_from(std::size_t first) {
    task<> stopping = terminate_children(first);
    co_await stopping;
    for (std::size_t i = first; i < children_.size();) {
        task<result<address>> starting = start_one(children_[i].spec);
        result<address> started = co_await starting;
        if (!started) {
            children_[i].restarting = true;
            log().error("{}; trying again", started.error().reason());
            self().tell(detail::sup_try_again{children_[i].spec.id});
            co_return;
        }
        if (!*started && children_[i].spec.restart == restart_type::temporary) {
            children_.erase(children_.begin() + static_cast<std::ptrdiff_t>(i));
            continue;
        }
        children_[i].pid = *started;
        children_[i].restarting = false;
        log().info("restarted {}: {}", child_label(children_[i].spec.id), started->to_string());
        ++i;
    }
}

task<> supervisor::handle(detail::sup_try_again m) {
    auto i = index_of(m.id);
    if (!i || !children_[*i].restarting) co_return;  // stopped or deleted meanwhile
    task<> restarting = restart(std::move(m.id));
    co_await restarting;
}

// OTP terminate_children/2: from the last started down to `first`.
task<> supervisor::terminate_children(std::size_t first) {
    for (std::size_t i = children_.size(); i-- > first;) {
        if (children_[i].pid) {
            task<exit_reason> stopping = stop_child(children_[i]);
            (void)co_await stopping;
        }
        if (children_[i].spec.restart == restart_type::temporary) {
            children_.erase(children_.begin() + static_cast<std::ptrdiff_t>(i));
        } else {
            children_[i].pid = address{};
            children_[i].restarting = false;
        }
    }
}

task<exit_reason> supervisor::stop_child(const child& c) {
    return core_.stop(c.pid, child_label(c.spec.id),
                      effective_shutdown(c.spec.shutdown, c.spec.type), c.spec.restart);
}

task<result<address>> supervisor::start_one(const child_spec& spec) {
    return core_.start(child_label(spec.id), spec.start, spec.start_timeout);
}

void supervisor::del_child(std::size_t index) {
    if (children_[index].spec.restart == restart_type::temporary) {
        children_.erase(children_.begin() + static_cast<std::ptrdiff_t>(index));
    } else {
        children_[index].pid = address{};
        children_[index].restarting = false;
    }
}

std::optional<std::size_t> supervisor::index_of(const std::string& id) const {
    for (std::size_t i = 0; i < children_.size(); ++i) {
        if (children_[i].spec.id == id) return i;
    }
    return std::nullopt;
}

std::optional<std::size_t> supervisor::index_of(address pid) const {
    if (!pid) return std::nullopt;
    for (std::size_t i = 0; i < children_.size(); ++i) {
        if (children_[i].pid == pid) return i;
    }
    return std::nullopt;
}

error supervisor::not_found(const std::string& id) {
    return error{errc::not_found, "the supervisor has no child with id '" + id + "'"};
}

}  // namespace troupe

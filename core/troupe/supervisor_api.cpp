// The supervisor's runtime API, as the handle_call clauses of OTP's supervisor.erl:
// start_child, terminate_child, restart_child, delete_child, which_children, count_children.
// Each request is answered through a reply handle, so that an error reaches the asker as an
// error (errc and reason), not as a failed handler.

#include <utility>

#include <troupe/supervisor.hpp>

namespace troupe {

using detail::child_label;

// --- the runtime API (OTP handle_call) -------------------------------------------------------

task<> supervisor::handle(detail::sup_start_child m) {
    return start_child_api(std::move(m.spec), reply_later<address>());
}

task<> supervisor::start_child_api(child_spec spec, reply_handle<address> reply) {
    if (auto bad = check_child_spec(spec)) {
        reply.fail(*bad);
        co_return;
    }
    if (auto i = index_of(spec.id)) {
        const child& c = children_[*i];
        reply.fail(
            c.pid ? error{errc::duplicate_name,
                          child_label(spec.id) + " is already started, at " + c.pid.to_string()}
                  : error{errc::duplicate_name, child_label(spec.id) +
                                                    " is already present (not running); "
                                                    "restart_child or delete_child it"});
        co_return;
    }
    task<result<address>> starting = start_one(spec);
    result<address> started = co_await starting;
    if (!started) {
        log().error("{}", started.error().reason());
        reply.fail(started.error());
        co_return;
    }
    log().info("started {}: {}", child_label(spec.id), started->to_string());
    if (*started || spec.restart != restart_type::temporary) {
        children_.push_back(child{std::move(spec), *started, false});
    }
    reply.send(*started);
}

task<> supervisor::handle(detail::sup_terminate_child m) {
    return terminate_child_api(std::move(m.id), reply_later<void>());
}

task<> supervisor::terminate_child_api(std::string id, reply_handle<void> reply) {
    auto i = index_of(id);
    if (!i) {
        reply.fail(not_found(id));
        co_return;
    }
    if (children_[*i].pid) {
        task<exit_reason> stopping = stop_child(children_[*i]);
        (void)co_await stopping;
    }
    del_child(*i);
    reply.send();
}

task<> supervisor::handle(detail::sup_restart_child m) {
    return restart_child_api(std::move(m.id), reply_later<address>());
}

task<> supervisor::restart_child_api(std::string id, reply_handle<address> reply) {
    auto i = index_of(id);
    if (!i) {
        reply.fail(not_found(id));
        co_return;
    }
    if (children_[*i].pid) {
        reply.fail(error{errc::invalid_argument, child_label(id) + " is running, at " +
                                                     children_[*i].pid.to_string() +
                                                     "; terminate_child it first"});
        co_return;
    }
    if (children_[*i].restarting) {
        reply.fail(error{errc::invalid_argument,
                         child_label(id) + " is being restarted by the supervisor"});
        co_return;
    }
    task<result<address>> starting = start_one(children_[*i].spec);
    result<address> started = co_await starting;
    if (!started) {
        reply.fail(started.error());
        co_return;
    }
    children_[*i].pid = *started;
    log().info("restarted {} on request: {}", child_label(id), started->to_string());
    reply.send(*started);
}

deferred<void> supervisor::handle(detail::sup_delete_child m) {
    auto reply = reply_later<void>();
    auto i = index_of(m.id);
    if (!i) {
        reply.fail(not_found(m.id));
    } else if (children_[*i].pid || children_[*i].restarting) {
        reply.fail(error{errc::invalid_argument,
                         child_label(m.id) +
                             (children_[*i].pid ? " is running, at " + children_[*i].pid.to_string()
                                                : std::string{" is being restarted"}) +
                             "; terminate_child it before delete_child"});
    } else {
        children_.erase(children_.begin() + static_cast<std::ptrdiff_t>(*i));
        reply.send();
    }
    return {};
}

std::vector<child_info> supervisor::handle(detail::sup_which_children) {
    std::vector<child_info> out;
    out.reserve(children_.size());
    for (const auto& c : children_) {
        out.push_back(child_info{c.spec.id, c.pid, c.spec.type, c.spec.restart});
    }
    return out;
}

child_counts supervisor::handle(detail::sup_count_children) {
    child_counts n;
    for (const auto& c : children_) {
        ++n.specs;
        if (c.pid && home().lookup(c.pid)) ++n.active;
        ++(c.spec.type == child_type::supervisor ? n.supervisors : n.workers);
    }
    return n;
}

}  // namespace troupe

#include <chrono>
#include <utility>

#include <troupe/detail/running_handlers.hpp>
#include <troupe/detail/supervision.hpp>
#include <troupe/node.hpp>

namespace troupe::detail {

std::string to_millis(duration d) {
    if (d == duration::max()) return "infinity";
    return std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(d).count()) + "ms";
}

std::string child_label(const std::string& id) {
    return "child '" + id + "'";
}

// --- restart intensity (OTP add_restart/1) ------------------------------------------------

bool restart_intensity::add(time_point now) {
    // Threshold = Now - Period; keep the restarts at or after it.
    const time_point threshold = now - period_;
    while (!restarts_.empty() && restarts_.front() < threshold) restarts_.pop_front();
    restarts_.push_back(now);
    return restarts_.size() <= static_cast<std::size_t>(max_);
}

std::string restart_intensity::to_string() const {
    return std::to_string(max_) + (max_ == 1 ? " restart" : " restarts") + " within " +
           to_millis(period_);
}

bool expected_shutdown(const exit_reason& reason, restart_type restart, bool brutal) noexcept {
    using kind = exit_reason::kind;
    if (brutal ? reason.what() == kind::killed
               : (reason.what() == kind::shutdown && reason.detail().empty())) {
        return true;
    }
    // shutdown, shutdown{...} and normal are fine from a child that is not permanent.
    return restart != restart_type::permanent &&
           (reason.what() == kind::shutdown || reason.is_normal());
}

// --- supervision -----------------------------------------------------------------------------

actor_log supervision::log() const noexcept {
    return actor_log{home().logger(), self_->addr(), self_->name()};
}

bool supervision::from_parent(address from) const noexcept {
    address parent = self_->parent();
    return parent ? from == parent : from.is_null();
}

task<result<address>> supervision::start(std::string what, start_fn fn,
                                         std::optional<duration> ack) {
    result<address> started{address{}};
    try {
        started = fn(home());
    } catch (...) {
        started = error{errc::start_failed, describe_exception(std::current_exception())};
    }
    if (!started) {
        co_return error{started.error().code(),
                        what + " failed to start: " + started.error().message()};
    }
    address child = *started;
    if (!child) co_return child;  // `ignore`
    // Idempotent when the start function spawned it linked; supervises it if not. A child
    // that is already gone gives a trapped noproc signal (ignored: not a child yet).
    self_->link(child);
    if (!ack) co_return child;
    task<result<address>> acknowledged = await_ack(std::move(what), child, *ack);
    co_return co_await acknowledged;
}

task<result<address>> supervision::await_ack(std::string what, address child, duration limit) {
    intrusive_ptr<async_state<ack_outcome>> state{new async_state<ack_outcome>(&home().executor()),
                                                  adopt};
    ack_ = pending_ack{child, state};
    // The child's exit (or the deadline) completes the same state as its init_done().
    pending<exit_reason> exited =
        limit == duration::max() ? home().wait(child) : home().wait_for(child, limit);
    std::move(exited).then([state](result<exit_reason> r) {
        if (r) {
            state->complete(ack_outcome{ack_outcome::kind::exited, std::move(*r)});
        } else {
            state->complete(ack_outcome{ack_outcome::kind::timed_out, exit_reason{}});
        }
    });
    pending<ack_outcome> outcome{state};
    result<ack_outcome> got = co_await outcome;
    ack_.reset();
    if (!got) co_return got.error();  // not expected: the state completes with a value
    switch (got->what) {
        case ack_outcome::kind::acked:
            co_return child;
        case ack_outcome::kind::exited:
            log().warn("{} ({}) exited before init_done(): {}", what, child.to_string(),
                       got->reason.to_string());
            co_return error{errc::start_failed,
                            what + " (" + child.to_string() +
                                ") exited before calling init_done(): " + got->reason.to_string()};
        case ack_outcome::kind::timed_out:
            break;
    }
    // proc_lib's start timeout: unlink, kill, and make sure it is gone.
    self_->unlink(child);
    self_->exit(child, exit_reason::kill());
    pending<exit_reason> gone = home().wait(child);
    (void)co_await gone;
    log().warn("{} ({}) did not call init_done() within {}; killed", what, child.to_string(),
               to_millis(limit));
    co_return error{errc::timeout, what + " (" + child.to_string() +
                                       ") did not call init_done() within " + to_millis(limit) +
                                       "; it was killed"};
}

void supervision::init_done(address child) {
    if (ack_ && ack_->child == child) {
        ack_->state->complete(ack_outcome{ack_outcome::kind::acked, exit_reason{}});
    }
}

task<exit_reason> supervision::stop(address child, std::string what, shutdown_policy how,
                                    restart_type restart) {
    auto cell = home().lookup(child);
    if (!cell) {
        // It exited on its own; its exit signal, if any, is ignored when it comes.
        log().debug("{} ({}) had already exited", what, child.to_string());
        co_return exit_reason::noproc();
    }
    exit_reason reason;
    if (how.is_brutal_kill()) {
        self_->exit(child, exit_reason::kill());
        pending<exit_reason> gone = home().wait(cell.get());
        reason = (co_await gone).value();
    } else {
        self_->exit(child, exit_reason::shutdown());
        if (how.is_infinity()) {
            pending<exit_reason> gone = home().wait(cell.get());
            reason = (co_await gone).value();
        } else {
            pending<exit_reason> timed = home().wait_for(child, how.grace());
            result<exit_reason> r = co_await timed;
            if (!r) {
                log().warn("{} ({}) did not stop within {} of shutdown; killing it", what,
                           child.to_string(), to_millis(how.grace()));
                self_->exit(child, exit_reason::kill());
            }
            if (!r || r->what() == exit_reason::kind::noproc) {
                // Killed, or gone between the lookup and wait_for: its final reason.
                pending<exit_reason> gone = home().wait(cell.get());
                reason = (co_await gone).value();
            } else {
                reason = std::move(*r);
            }
        }
    }
    self_->unlink(child);
    report_stop(what, child, reason, restart, how.is_brutal_kill());
    co_return reason;
}

task<> supervision::stop_all(std::vector<address> children, shutdown_policy how,
                             restart_type restart) {
    struct target {
        address addr;
        intrusive_ptr<actor_cell> cell;
        pending<exit_reason> exited;
    };
    std::vector<target> targets;
    targets.reserve(children.size());
    for (address child : children) {
        auto cell = home().lookup(child);
        if (!cell) continue;
        self_->exit(child, how.is_brutal_kill() ? exit_reason::kill() : exit_reason::shutdown());
        pending<exit_reason> exited = how.is_brutal_kill() || how.is_infinity()
                                          ? home().wait(cell.get())
                                          : home().wait_for(child, how.grace());
        targets.push_back(target{child, std::move(cell), std::move(exited)});
    }
    // Every wait_for started at the same time: one grace for all, as OTP's single timer.
    for (auto& t : targets) {
        result<exit_reason> r = co_await t.exited;
        exit_reason reason;
        if (!r || r->what() == exit_reason::kind::noproc) {
            if (!r) self_->exit(t.addr, exit_reason::kill());
            pending<exit_reason> gone = home().wait(t.cell.get());
            reason = (co_await gone).value();
        } else {
            reason = std::move(*r);
        }
        self_->unlink(t.addr);
        report_stop("child", t.addr, reason, restart, how.is_brutal_kill());
    }
}

void supervision::report_stop(const std::string& what, address child, const exit_reason& reason,
                              restart_type restart, bool brutal) const {
    if (expected_shutdown(reason, restart, brutal)) {
        log().debug("{} ({}) stopped: {}", what, child.to_string(), reason.to_string());
    } else {
        // OTP's shutdown_error report.
        log().warn("{} ({}) ended with {} while being shut down", what, child.to_string(),
                   reason.to_string());
    }
}

}  // namespace troupe::detail

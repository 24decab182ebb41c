#pragma once
// The machinery every kind of supervisor shares, written to be read against OTP's
// supervisor.erl:
//  - restart_intensity is add_restart/1: the timestamps of recent restarts, pruned to the
//    period; one more than max_restarts and the supervisor gives up.
//  - supervision::start is do_start_child/2 plus proc_lib's start acknowledgement: call the
//    start function inside the supervisor, link what it returned, and, for a child started
//    with acknowledgement, wait for its init_done() (killing it if it is late).
//  - supervision::stop is shutdown/2 (brutal_kill, or `shutdown` then `kill` after the
//    grace, or `shutdown` and wait forever); stop_all is terminate_dynamic_children/1 (all
//    at once, one grace for all).
//
// Waiting happens inside the supervisor's exclusive coroutine handlers, so no other message
// interleaves (OTP's supervisor is one process doing one thing at a time). Exits are waited
// for with exit listeners (node::wait, node::wait_for), not with the links: the supervisor
// traps exits, but trapped exit signals are not handled while a coroutine handler is
// suspended. The exit signal a stopped child still sends arrives later and names an
// address that is no longer a child: supervisors ignore those, as OTP's unlink_flush does.
//
// Only the owning actor may call any member.

#include <cstddef>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include <troupe/address.hpp>
#include <troupe/clock.hpp>
#include <troupe/detail/async_state.hpp>
#include <troupe/detail/intrusive_ptr.hpp>
#include <troupe/error.hpp>
#include <troupe/exit_reason.hpp>
#include <troupe/local_actor.hpp>
#include <troupe/log.hpp>
#include <troupe/supervisor_spec.hpp>
#include <troupe/task.hpp>

namespace troupe::detail {

/// OTP's restart intensity: at most max_restarts restarts within any `period`.
class restart_intensity {
public:
    restart_intensity(int max_restarts, duration period) noexcept
        : max_(max_restarts), period_(period) {}
    /// Records a restart at `now` and forgets those more than `period` before it (one
    /// exactly `period` before still counts, as in OTP). False if the restarts left exceed
    /// max_restarts: the supervisor must give up.
    bool add(time_point now);
    /// Restarts currently remembered.
    std::size_t recent() const noexcept { return restarts_.size(); }
    int max_restarts() const noexcept { return max_; }
    duration period() const noexcept { return period_; }
    /// "3 restarts within 5000ms"
    std::string to_string() const;

private:
    int max_;
    duration period_;
    std::deque<time_point> restarts_;  // oldest first
};

/// Whether a child stopped by its supervisor ended the way OTP expects (else it is
/// reported): killed after brutal_kill, shutdown otherwise; a non-permanent child may also
/// end normal or shutdown{...}.
bool expected_shutdown(const exit_reason& reason, restart_type restart, bool brutal) noexcept;

/// How a start with acknowledgement ended.
struct ack_outcome {
    enum class kind : std::uint8_t { acked, exited, timed_out };
    kind what = kind::acked;
    exit_reason reason;  // for `exited`
};

class supervision {
public:
    supervision(int max_restarts, duration period) noexcept : intensity_(max_restarts, period) {}

    /// From the supervisor's on_start.
    void bind(local_actor& self) noexcept { self_ = &self; }
    local_actor& self() const noexcept { return *self_; }
    node& home() const noexcept { return self_->home(); }
    actor_log log() const noexcept;

    /// Whether an exit signal from `from` comes from the supervisor's parent: the actor that
    /// spawned it linked, or, for a supervisor spawned outside any actor, anyone outside an
    /// actor (a null sender: node::exit from a plain thread or a timer).
    bool from_parent(address from) const noexcept;

    /// A restart is about to happen at `now`: false if it exceeds the intensity.
    bool add_restart(time_point now) { return intensity_.add(now); }
    const restart_intensity& intensity() const noexcept { return intensity_; }

    /// Starts one child: calls `fn` inside the supervisor, links the address it returns and,
    /// with `ack`, waits for the child's init_done() up to *ack (duration::max(): forever).
    /// Gives the child's address (null: ignored) or an error naming `what` ("child 'db'"):
    /// the start function's error, errc::timeout (no init_done in time: the child was
    /// killed) or errc::start_failed (the child exited first, with its reason).
    task<result<address>> start(std::string what, start_fn fn, std::optional<duration> ack);
    /// The supervisor's on_init_done: completes the start waiting for `child`, if any.
    void init_done(address child);

    /// Stops one child (OTP shutdown/2) and gives its exit reason (noproc if it had already
    /// gone). The link stays until the child has exited, so a supervisor killed meanwhile
    /// still takes the child along. An unexpected reason is logged.
    task<exit_reason> stop(address child, std::string what, shutdown_policy how,
                           restart_type restart);
    /// Stops many children at once (OTP terminate_dynamic_children/1): every one is sent its
    /// signal first, then all are waited for; after the grace, those left are killed.
    task<> stop_all(std::vector<address> children, shutdown_policy how, restart_type restart);

private:
    struct pending_ack {
        address child;
        intrusive_ptr<async_state<ack_outcome>> state;
    };
    task<result<address>> await_ack(std::string what, address child, duration limit);
    void report_stop(const std::string& what, address child, const exit_reason& reason,
                     restart_type restart, bool brutal) const;

    local_actor* self_ = nullptr;
    restart_intensity intensity_;
    std::optional<pending_ack> ack_;
};

/// "child 'db'"
std::string child_label(const std::string& id);
/// "1500ms"
std::string to_millis(duration d);

}  // namespace troupe::detail

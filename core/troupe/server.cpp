#include <chrono>
#include <stdexcept>
#include <string>
#include <utility>

#include <spdlog/logger.h>

#include <troupe/detail/actor_extras.hpp>
#include <troupe/detail/running_handlers.hpp>
#include <troupe/detail/server_base.hpp>
#include <troupe/node.hpp>
#include <troupe/server.hpp>

namespace troupe::detail {
namespace {

// Puts an idle tick in the server's mailbox: a runtime message on the user lane, so it
// waits behind the messages already queued and never counts against a bounded mailbox.
class idle_timer final : public timer_node {
public:
    idle_timer(time_point at, intrusive_ptr<actor_cell> server, std::uint64_t generation) noexcept
        : timer_node(at, duration::zero()), server_(std::move(server)), generation_(generation) {}

private:
    void fire() noexcept override {
        try {
            auto* e = make_envelope<server_idle_tick>(priority::user, address{},
                                                      server_idle_tick{generation_});
            if (!server_->push_runtime(e)) e->ops->destroy(e);
        } catch (...) {
            // Out of memory: this tick is lost, like any failed send.
        }
    }
    void drop() noexcept override { server_.reset(); }

    intrusive_ptr<actor_cell> server_;
    std::uint64_t generation_;
};

}  // namespace

// Step 1.
void server_base::on_start() {
    local_actor::trap_exit(true);  // every signal reaches dispatch; see on_exit_signal
    init_result r;
    try {
        r = run_user_init();
    } catch (...) {
        throw std::runtime_error("init threw: " + describe_exception(std::current_exception()));
    }
    if (r.stops()) {
        throw std::runtime_error("init returned stop(" + r.stop_reason()->to_string() + ")");
    }
    if (r.timeout()) set_inactivity_timeout(*r.timeout());
    init_done();  // OTP's init_ack: a supervisor waiting for the start hears of it
}

// Step 5.
void server_base::on_stopped(const exit_reason& reason) {
    stopping_ = true;
    if (reason.what() == exit_reason::kind::killed) {
        term_ = term_state::skipped;  // killed: the actor is gone, no cleanup runs
        return;
    }
    run_terminate(reason);
}

// Step 4.
server_base::signal_action server_base::on_exit_signal(const exit_signal& sig) {
    if (!trapping_) {
        // What the runtime does for an actor that does not trap exits.
        if (sig.reason.is_normal() && sig.from != addr()) return signal_action::consumed;
        term_ = term_state::skipped;  // OTP: the process just dies
        stopping_ = true;
        quit(sig.reason);
        return signal_action::consumed;
    }
    if (sig.from && sig.from == parent()) {
        stop_now(sig.reason);  // gen_server: terminate(Reason), then exit(Reason)
        return signal_action::consumed;
    }
    return signal_action::to_info;
}

exit_reason server_base::stop_now(exit_reason reason) {
    stopping_ = true;
    exit_reason why = run_terminate(std::move(reason));
    quit(why);
    return why;
}

exit_reason server_base::run_terminate(exit_reason reason) {
    if (term_ != term_state::pending) return reason;
    term_ = term_state::done;
    try {
        run_user_terminate(reason);
    } catch (...) {
        auto what = describe_exception(std::current_exception());
        home().logger().error("{} {}: terminate({}) threw: {}", addr().to_string(), name(),
                              reason.to_string(), what);
        return exit_reason::error(std::move(what));
    }
    return reason;
}

// Step 3.
void server_base::callback_failed() noexcept {
    stopping_ = true;
    try {
        run_terminate(exit_reason::error(describe_exception(std::current_exception())));
    } catch (...) {
        // Out of memory describing the failure: the runtime still ends the actor.
    }
}

void server_base::fail_unanswered(const exit_reason& reason) noexcept {
    auto* e = current_envelope();
    auto* sink = e ? e->take_reply() : nullptr;
    if (!sink) return;
    try {
        sink->set_error(error{errc::no_reply, std::string{name()} + " stopped (" +
                                                  reason.to_string() + ") without replying"});
    } catch (...) {
        sink->set_error(error{errc::no_reply});
    }
    sink->release();
}

void server_base::unhandled_info(envelope& e) {
    if (e.type() == type_id_of<server_timeout>()) {
        home().logger().debug("{} {}: inactivity timeout, and no handle_info to take it",
                              addr().to_string(), name());
        return;
    }
    on_unhandled(message_view{e});
}

// Step 2.
void server_base::callback_done() {
    if (stopping_) return;
    last_activity_ = home().now();
    if (idle_ && !idle_armed_) arm_idle(last_activity_ + *idle_);
}

bool server_base::on_idle_tick(const server_idle_tick& tick) {
    if (tick.generation != idle_generation_ || stopping_) return false;  // stale
    idle_armed_ = false;
    if (!idle_) return false;
    const time_point due = last_activity_ + *idle_;
    if (home().now() < due) {
        arm_idle(due);  // a callback ran meanwhile: wait for the rest
        return false;
    }
    return true;
}

void server_base::set_inactivity_timeout(std::optional<duration> timeout) {
    if (timeout && *timeout < duration::zero()) {
        throw std::invalid_argument(
            "troupe: an inactivity timeout cannot be negative, got " +
            std::to_string(std::chrono::duration_cast<std::chrono::nanoseconds>(*timeout).count()) +
            "ns (clear_inactivity_timeout() turns it off)");
    }
    idle_timer_.cancel();
    idle_armed_ = false;
    ++idle_generation_;  // a tick already on its way is stale
    idle_ = timeout;
    if (idle_ && !stopping_) {
        last_activity_ = home().now();
        arm_idle(last_activity_ + *idle_);
    }
}

void server_base::arm_idle(time_point at) {
    idle_timer_ =
        own_timer(new idle_timer(at, intrusive_ptr<actor_cell>(&cell()), idle_generation_));
    idle_armed_ = true;
}

timer server_base::own_timer(timer_node* t) {
    timer handle = home().arm(t);
    extras().add_timer(t);
    return handle;
}

reply_sink* server_base::take_reply_sink() noexcept {
    auto* e = current_envelope();
    return e ? e->take_reply() : nullptr;
}

address server_base::current_sender() const noexcept {
    if (current_actor() != &cell()) return address{};
    auto* e = current_envelope();
    return e ? e->sender : address{};
}

}  // namespace troupe::detail

namespace troupe {

address server_context_base::addr() const noexcept {
    return s_.addr();
}
node& server_context_base::home() const noexcept {
    return s_.home();
}
time_point server_context_base::now() const noexcept {
    return s_.home().now();
}
std::string_view server_context_base::name() const noexcept {
    return s_.name();
}
address server_context_base::from() const noexcept {
    return s_.current_sender();
}
address server_context_base::parent() const noexcept {
    return s_.parent();
}
actor_log server_context_base::log() const noexcept {
    return actor_log{s_.home().logger(), s_.addr(), s_.name()};
}

void server_context_base::link(address other) {
    s_.link(other);
}
void server_context_base::unlink(address other) noexcept {
    s_.unlink(other);
}
monitor_ref server_context_base::monitor(address target) {
    return s_.monitor(target);
}
bool server_context_base::demonitor(monitor_ref ref, demonitor_option opt) noexcept {
    return s_.demonitor(ref, opt);
}
void server_context_base::trap_exit(bool on) noexcept {
    s_.set_trapping(on);
}
bool server_context_base::traps_exits() const noexcept {
    return s_.trapping();
}
void server_context_base::exit(address to, exit_reason reason) const {
    s_.exit(to, std::move(reason));
}

void server_context_base::set_inactivity_timeout(duration timeout) {
    s_.set_inactivity_timeout(timeout);
}
void server_context_base::clear_inactivity_timeout() {
    s_.set_inactivity_timeout(std::nullopt);
}
std::optional<duration> server_context_base::inactivity_timeout() const noexcept {
    return s_.inactivity_timeout();
}

detail::actor_cell& server_context_base::cell() const noexcept {
    return s_.cell();
}
detail::reply_sink* server_context_base::take_reply_sink() noexcept {
    return s_.take_reply_sink();
}
timer server_context_base::own(detail::timer_node* t) {
    return s_.own_timer(t);
}

}  // namespace troupe

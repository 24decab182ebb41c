#pragma once
// node: one troupe runtime. It owns the executor (scheduler + timers), the table of live
// actors, the name registry and the logger. Destroying a node shuts it down: every actor is
// stopped (its stopped hook runs), then the worker threads are joined.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include <troupe/address.hpp>
#include <troupe/clock.hpp>
#include <troupe/detail/actor_extras.hpp>
#include <troupe/detail/actor_hooks.hpp>
#include <troupe/detail/driver_list.hpp>
#include <troupe/detail/envelope.hpp>
#include <troupe/detail/type_id.hpp>
#include <troupe/error.hpp>
#include <troupe/executor.hpp>
#include <troupe/exit_reason.hpp>
#include <troupe/local_actor.hpp>
#include <troupe/pending.hpp>
#include <troupe/spawn_options.hpp>
#include <troupe/timer.hpp>

namespace spdlog {
class logger;
}

namespace troupe {

namespace internal {
class actor_table;
}  // namespace internal

template <class A>
class ref;

enum class log_level { trace, debug, info, warn, error, off };

struct node_config {
    /// Worker threads; 0 = one per hardware thread.
    std::size_t workers = 0;
    /// The addresses this node hands out.
    subnet net = subnet::default_local();
    /// Quiet by default: warnings and errors only.
    log_level level = log_level::warn;
    /// Used as the logger's name.
    std::string name = "troupe";
    /// Run on this executor instead of the work-stealing pool (e.g. the deterministic one).
    std::unique_ptr<troupe::executor> exec;
    /// How long shutdown() waits for actors to stop before killing them.
    duration shutdown_grace = std::chrono::seconds(5);
};

/// Called for every message that could not be delivered (thread-safe; keep it cheap).
using dead_letter_hook = std::function<void(address to, std::string_view type, errc why)>;
/// Called for every user message an actor is about to handle, on the actor's thread.
using trace_hook = std::function<void(address from, address to, std::string_view type)>;

class node {
public:
    node();
    explicit node(node_config cfg);
    ~node();
    node(const node&) = delete;
    node& operator=(const node&) = delete;

    // --- spawning (thread-safe) ----------------------------------------------------------
    /// Creates an actor of type A from args, runs its start hook, and lets it run.
    /// Fails with start_failed (the hook threw) or shutting_down.
    template <class A, class... Args>
    result<ref<A>> spawn(Args&&... args) {
        return spawn_with<A>(spawn_options{}, std::forward<Args>(args)...);
    }
    template <class A, class... Args>
    result<ref<A>> spawn_with(const spawn_options& opts, Args&&... args) {
        static_assert(std::is_base_of_v<local_actor, A>,
                      "troupe: spawn<A>() needs an actor type (derive from troupe::actor<A, "
                      "Messages...>)");
        if (stopping_.load(std::memory_order_acquire)) {
            return error{errc::shutting_down, "the node is shutting down; spawn refused"};
        }
        detail::actor_cell* parent = opts.link ? detail::current_actor() : nullptr;
        if (opts.link && !parent) return link_outside_actor();
        detail::intrusive_ptr<detail::actor_cell> cell{
            detail::actor_cell::create<A>(std::forward<Args>(args)...), detail::adopt};
        if (auto failed = admit(*cell, opts, parent)) return std::move(*failed);
        return ref<A>{std::move(cell)};
    }

    // --- messaging by address (thread-safe) ----------------------------------------------
    /// Fire and forget. Undeliverable messages go to the dead-letter hook.
    template <class M>
    void tell(address to, M&& msg) {
        deliver(to, make_user_envelope(std::forward<M>(msg)));
    }
    /// Like tell, but says whether the message was accepted.
    template <class M>
    result<void> try_tell(address to, M&& msg) {
        return try_deliver(to, make_user_envelope(std::forward<M>(msg)));
    }
    /// Asks the actor at `to`; the reply must be of type R (else errc::bad_reply_type).
    template <class R, class M>
    pending<R> ask(address to, M&& msg, duration timeout) {
        return ask_envelope<R>(lookup(to), to, make_user_envelope(std::forward<M>(msg)), timeout);
    }

    /// Asks for a graceful stop (the stopping hook may veto).
    void stop(address a);
    /// Kills at once: no stopping hook, no veto (the stopped hook still runs).
    void kill(address a);
    /// Sends an exit signal, as Erlang's exit(Pid, Reason): a trapping actor receives
    /// exit_signal{sender, reason}; otherwise a normal reason is ignored and any other ends
    /// the actor with it. exit_reason::kill() cannot be trapped (the actor ends `killed`).
    void exit(address a, exit_reason reason);
    /// Completes with the exit reason when the actor exits (noproc if it does not exist).
    pending<exit_reason> wait(address a);
    /// The same for an actor we hold: gives its exit reason even if it already exited.
    pending<exit_reason> wait(detail::actor_cell* a);
    /// Waits up to `timeout` for the actor's exit: its reason, noproc if it does not exist,
    /// or errc::timeout. An exit listener, like a monitor, but completing a pending instead
    /// of sending a message (usable while a coroutine handler holds the actor).
    pending<exit_reason> wait_for(address a, duration timeout);
    /// Stops gracefully and waits up to `timeout` for the exit (errc::timeout if not).
    pending<exit_reason> stop_and_wait(address a, duration timeout);

    // --- names (thread-safe) -------------------------------------------------------------
    /// Fails with duplicate_name if taken, no_such_actor if `a` is not alive. The name
    /// goes away when the actor exits.
    result<void> register_name(std::string name, address a);
    std::optional<address> whereis(std::string_view name) const;
    /// True if the name was registered.
    bool unregister(std::string_view name);

    // --- timers (thread-safe) ------------------------------------------------------------
    template <class M>
    timer send_after(address to, duration delay, M msg) {
        return arm(detail::make_send_timer(lookup(to), to, now() + delay, duration::zero(),
                                           std::move(msg), this));
    }
    template <class M>
    timer send_interval(address to, duration period, M msg) {
        static_assert(std::is_copy_constructible_v<M>,
                      "troupe: send_interval copies the message for each firing; make it copyable");
        detail::check_interval_period(period);
        return arm(
            detail::make_send_timer(lookup(to), to, now() + period, period, std::move(msg), this));
    }
    timer exit_after(address to, duration delay, exit_reason reason);
    timer kill_after(address to, duration delay);
    /// A pending that completes after `delay` (co_await node.sleep(1s)).
    pending<void> sleep(duration delay);

    // --- the rest --------------------------------------------------------------------------
    time_point now() const noexcept { return exec_->now(); }
    troupe::executor& executor() noexcept { return *exec_; }
    subnet net() const noexcept { return net_; }
    spdlog::logger& logger() noexcept { return *logger_; }
    void set_log_level(log_level level);
    void set_dead_letter_hook(dead_letter_hook hook);
    /// How many messages could not be delivered so far (what the hook saw).
    std::uint64_t dead_letter_count() const noexcept {
        return dead_letter_count_.load(std::memory_order_relaxed);
    }
    /// Observes every delivery (tests, debugging). Set it before spawning actors.
    void set_trace_hook(trace_hook hook) { trace_ = std::move(hook); }
    const trace_hook& trace_hook_fn() const noexcept { return trace_; }
    /// How many actors are alive.
    std::size_t actor_count() const noexcept { return live_.load(std::memory_order_acquire); }
    /// The live actor at `a`, or null.
    detail::intrusive_ptr<detail::actor_cell> lookup(address a) const;
    /// True while an actor lives at `a` (a snapshot: it may exit right after).
    bool is_alive(address a) const { return lookup(a) != nullptr; }

    /// Stops every actor (stopped hooks run; stopping hooks cannot veto), waits up to the
    /// configured grace, kills what is left, then joins the executor. Idempotent. Called
    /// from inside an actor, it only asks every actor to stop (a worker cannot join itself);
    /// the node's destructor finishes the shutdown.
    void shutdown();

    // --- used by actors and handles; not for applications ----------------------------------
    template <class M>
    static detail::envelope* make_user_envelope(M&& msg) {
        return detail::make_envelope<std::decay_t<M>>(priority::user, current_sender(),
                                                      std::forward<M>(msg));
    }
    static address current_sender() noexcept;
    /// Delivers or reports to the dead-letter hook; true if delivered.
    bool deliver(detail::actor_cell* to, detail::envelope* e) noexcept;
    bool deliver(address to, detail::envelope* e) noexcept;
    result<void> try_deliver(detail::actor_cell* to, detail::envelope* e) noexcept;
    result<void> try_deliver(address to, detail::envelope* e) noexcept;
    template <class R>
    pending<R> ask_envelope(const detail::intrusive_ptr<detail::actor_cell>& to, address addr,
                            detail::envelope* e, duration timeout);
    template <class R>
    pending<R> ask_envelope(detail::actor_cell* to, address addr, detail::envelope* e,
                            duration timeout);
    /// Sends with back-pressure: waits while a bounded mailbox is full.
    pending<void> send_envelope(detail::actor_cell* to, address addr, detail::envelope* e);
    timer arm(detail::timer_node* t);
    void report_dead_letter(address to, detail::envelope* e, errc why) noexcept;
    void on_actor_exit(detail::actor_cell& a) noexcept;
    detail::driver_list& drivers() noexcept { return drivers_; }
    std::uint64_t next_monitor_id() noexcept {
        return next_monitor_.fetch_add(1, std::memory_order_relaxed);
    }

private:
    std::optional<error> admit(detail::actor_cell& a, const spawn_options& opts,
                               detail::actor_cell* parent);
    static error link_outside_actor();
    void remove_names_of(address a);
    errc failure_of(detail::actor_cell* to, detail::envelope* e) noexcept;

    std::unique_ptr<troupe::executor> exec_;
    subnet net_;
    duration grace_;
    std::shared_ptr<spdlog::logger> logger_;
    std::atomic<std::uint64_t> next_id_{1};
    std::atomic<std::uint64_t> next_monitor_{1};
    std::atomic<std::uint64_t> dead_letter_count_{0};
    std::atomic<bool> stopping_{false};
    std::atomic<bool> shut_down_{false};
    std::atomic<std::size_t> live_{0};
    std::mutex live_mutex_;
    std::condition_variable live_cv_;
    std::unique_ptr<internal::actor_table> actors_;
    mutable std::mutex names_mutex_;
    std::unordered_map<std::string, address> names_;
    std::unordered_map<std::uint64_t, std::vector<std::string>> names_by_actor_;
    mutable std::mutex hook_mutex_;
    std::shared_ptr<const dead_letter_hook> dead_letters_;
    detail::driver_list drivers_;
    trace_hook trace_;
};

// --- templates ------------------------------------------------------------------------------

namespace detail {

/// Completes an ask with errc::timeout.
template <class R>
class ask_timeout final : public timer_node {
public:
    ask_timeout(time_point deadline, async_state<R>* st, address to, duration after,
                const char* what = "no reply from")
        : timer_node(deadline, duration::zero()), st_(st), to_(to), after_(after), what_(what) {}

private:
    void fire() noexcept override {
        auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(after_).count();
        st_->complete(error{errc::timeout, std::string{what_} + " " + to_.to_string() + " within " +
                                               std::to_string(ms) + "ms"});
    }
    void drop() noexcept override { st_.reset(); }
    intrusive_ptr<async_state<R>> st_;
    address to_;
    duration after_;
    const char* what_;
};

}  // namespace detail

template <class R>
pending<R> node::ask_envelope(const detail::intrusive_ptr<detail::actor_cell>& to, address addr,
                              detail::envelope* e, duration timeout) {
    return ask_envelope<R>(to.get(), addr, e, timeout);
}

template <class R>
pending<R> node::ask_envelope(detail::actor_cell* to, address addr, detail::envelope* e,
                              duration timeout) {
    detail::intrusive_ptr<detail::async_state<R>> st{new detail::async_state<R>(exec_.get()),
                                                     detail::adopt};
    if (!to) {
        e->ops->destroy(e);
        st->complete(error{errc::no_such_actor, "no actor at " + addr.to_string()});
        return pending<R>{std::move(st)};
    }
    if (timeout != duration::max()) {
        auto* t = new detail::ask_timeout<R>(now() + timeout, st.get(), addr, timeout);
        t->add_ref();  // one for the state, one for the executor
        st->set_timeout(t);
        exec_->schedule_timer(t);
    }
    st->add_ref();
    e->reply = st.get();
    if (auto why = failure_of(to, e); why != errc{}) {
        detail::fail(e, error{why, why == errc::mailbox_full
                                       ? "the mailbox of " + addr.to_string() + " is full"
                                       : addr.to_string() + " has exited"});
    }
    return pending<R>{std::move(st)};
}

}  // namespace troupe

// ref<A>'s members use the node: defined once node is complete.
#include <troupe/ref.hpp>

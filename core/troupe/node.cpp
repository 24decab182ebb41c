#include <algorithm>
#include <thread>

#include <spdlog/logger.h>
#include <spdlog/sinks/stdout_color_sinks.h>

#include <troupe/detail/running_handlers.hpp>
#include <troupe/detail/system_messages.hpp>
#include <troupe/internal/actor_table.hpp>
#include <troupe/node.hpp>

namespace troupe {
namespace {

spdlog::level::level_enum to_spdlog(log_level l) {
    switch (l) {
        case log_level::trace:
            return spdlog::level::trace;
        case log_level::debug:
            return spdlog::level::debug;
        case log_level::info:
            return spdlog::level::info;
        case log_level::warn:
            return spdlog::level::warn;
        case log_level::error:
            return spdlog::level::err;
        case log_level::off:
            return spdlog::level::off;
    }
    return spdlog::level::warn;
}

// Completes a wait() when the actor exits.
class wait_listener final : public detail::exit_listener {
public:
    explicit wait_listener(detail::intrusive_ptr<detail::async_state<exit_reason>> st)
        : st_(std::move(st)) {}
    void notify(address, const exit_reason& reason) noexcept override {
        st_->complete(reason);
        delete this;
    }

private:
    detail::intrusive_ptr<detail::async_state<exit_reason>> st_;
};

// Sends an exit or kill signal at its deadline.
class signal_timer final : public detail::timer_node {
public:
    signal_timer(time_point at, node* n, address to, std::optional<exit_reason> reason)
        : timer_node(at, duration::zero()), node_(n), to_(to), reason_(std::move(reason)) {}

private:
    void fire() noexcept override {
        if (reason_) {
            node_->exit(to_, std::move(*reason_));
        } else {
            node_->kill(to_);
        }
    }
    void drop() noexcept override { reason_.reset(); }
    node* node_;
    address to_;
    std::optional<exit_reason> reason_;
};

// Completes a sleep().
class sleep_timer final : public detail::timer_node {
public:
    sleep_timer(time_point at, detail::async_state<void>* st)
        : timer_node(at, duration::zero()), st_(st) {}

private:
    void fire() noexcept override { st_->complete(result<void>{}); }
    void drop() noexcept override { st_.reset(); }
    detail::intrusive_ptr<detail::async_state<void>> st_;
};

}  // namespace

namespace detail {

void deliver_from_timer(node* n, actor_cell* target, address to, envelope* e, bool periodic,
                        timer_node* self) noexcept {
    if (!target) {
        n->report_dead_letter(to, e, errc::no_such_actor);
        if (periodic) self->cancel();
        return;
    }
    if (auto why = target->enqueue(e); why != errc{}) {
        n->report_dead_letter(to, e, why);
        if (periodic && why == errc::no_such_actor) self->cancel();
    }
}

}  // namespace detail

node::node() : node(node_config{}) {}

node::node(node_config cfg)
    : exec_(cfg.exec ? std::move(cfg.exec) : make_work_stealing_executor(cfg.workers)),
      net_(cfg.net),
      grace_(cfg.shutdown_grace),
      logger_(std::make_shared<spdlog::logger>(
          cfg.name, std::make_shared<spdlog::sinks::stderr_color_sink_mt>())),
      actors_(std::make_unique<internal::actor_table>(net_.size() - 1)) {
    logger_->set_level(to_spdlog(cfg.level));
    logger_->set_pattern("[%H:%M:%S.%e] [%n] [%^%l%$] %v");
}

node::~node() {
    shutdown();
}

void node::set_log_level(log_level level) {
    logger_->set_level(to_spdlog(level));
}

void node::set_dead_letter_hook(dead_letter_hook hook) {
    auto p = std::make_shared<const dead_letter_hook>(std::move(hook));
    std::lock_guard lock{hook_mutex_};
    dead_letters_ = std::move(p);
}

address node::current_sender() noexcept {
    auto* a = detail::current_actor();
    return a ? a->addr() : address{};
}

error node::link_outside_actor() {
    return error{errc::invalid_argument,
                 "spawn_options::link links the new actor to the actor that spawns it; spawn "
                 "from inside an actor (a handler or hook), or spawn without link"};
}

std::optional<error> node::admit(detail::actor_cell& a, const spawn_options& opts,
                                 detail::actor_cell* parent) {
    auto id = next_id_.fetch_add(1, std::memory_order_relaxed);
    if (id >= net_.size()) {
        return error{errc::invalid_argument,
                     "the node's subnet " + net_.to_string() + " has no addresses left"};
    }
    address addr = net_.at(id);
    a.bind(*this, *exec_, addr, opts);
    actors_->insert(addr, a);
    live_.fetch_add(1, std::memory_order_acq_rel);
    if (parent) a.extras().parent = parent->addr();  // init_done() may run in on_start
    // The name first, as OTP does: once the start hook has run, whereis() finds the actor
    // (a supervisor's restarted child is reachable by name as soon as it is up).
    if (!opts.register_as.empty()) {
        if (auto r = register_name(opts.register_as, addr); !r) {
            a.abandon("its name is taken");
            return r.error();
        }
    }
    if (auto failure = a.start(); !failure.empty()) {
        return error{errc::start_failed, std::string{a.name()} + " at " + addr.to_string() +
                                             " failed to start: " + failure};
    }
    // Before launch: the actor cannot have handled anything yet, so it cannot exit unseen.
    if (parent) detail::link_cells(a, parent, parent->addr());
    a.launch();
    return std::nullopt;
}

detail::intrusive_ptr<detail::actor_cell> node::lookup(address a) const {
    return actors_->find(a);
}

void node::on_actor_exit(detail::actor_cell& a) noexcept {
    detail::actor_cell* removed = actors_->erase(a.addr());
    // After the erase: register_name marks the actor named before it checks that the actor
    // is still in the table (see there), so either it fails or this sees the mark.
    if (a.is_named()) remove_names_of(a.addr());
    if (live_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
        std::lock_guard lock{live_mutex_};
        live_cv_.notify_all();
    }
    // The caller (the running actor, or spawn) still holds a reference.
    if (removed) removed->release();
}

errc node::failure_of(detail::actor_cell* to, detail::envelope* e) noexcept {
    return to->enqueue(e);
}

bool node::deliver(detail::actor_cell* to, detail::envelope* e) noexcept {
    if (!to) {
        report_dead_letter(address{}, e, errc::no_such_actor);
        return false;
    }
    if (auto why = to->enqueue(e); why != errc{}) {
        report_dead_letter(to->addr(), e, why);
        return false;
    }
    return true;
}

bool node::deliver(address to, detail::envelope* e) noexcept {
    if (auto a = lookup(to)) return deliver(a.get(), e);
    report_dead_letter(to, e, errc::no_such_actor);
    return false;
}

result<void> node::try_deliver(address to, detail::envelope* e) noexcept {
    if (auto a = lookup(to)) return try_deliver(a.get(), e);
    detail::dispose(e, errc::no_such_actor, "no such actor");
    return error{errc::no_such_actor, "no actor at " + to.to_string()};
}

result<void> node::try_deliver(detail::actor_cell* to, detail::envelope* e) noexcept {
    if (!to) {
        detail::dispose(e, errc::no_such_actor, "no such actor");
        return error{errc::no_such_actor, "the receiver does not exist"};
    }
    auto why = to->enqueue(e);
    if (why == errc{}) return {};
    detail::dispose(e, why, "not delivered");
    return error{why, why == errc::mailbox_full
                          ? "the mailbox of " + to->addr().to_string() + " is full (capacity " +
                                std::to_string(to->capacity()) + ")"
                          : to->addr().to_string() + " has exited"};
}

void node::report_dead_letter(address to, detail::envelope* e, errc why) noexcept {
    dead_letter_count_.fetch_add(1, std::memory_order_relaxed);
    std::shared_ptr<const dead_letter_hook> hook;
    {
        std::lock_guard lock{hook_mutex_};
        hook = dead_letters_;
    }
    if (hook && *hook) {
        try {
            (*hook)(to, e->type()->name, why);
        } catch (...) {
        }
    }
    logger_->debug("dead letter: a {} for {} was not delivered ({})", e->type()->name,
                   to.to_string(), to_string(why));
    detail::dispose(e, why, "the message was not delivered");
}

pending<void> node::send_envelope(detail::actor_cell* to, address addr, detail::envelope* e) {
    if (!to) {
        detail::dispose(e, errc::no_such_actor, "no such actor");
        return pending<void>::ready(error{errc::no_such_actor, "no actor at " + addr.to_string()});
    }
    auto why = to->enqueue(e);
    if (why == errc{}) return pending<void>::ready(result<void>{});
    if (why == errc::no_such_actor) {
        detail::dispose(e, why, "not delivered");
        return pending<void>::ready(error{why, addr.to_string() + " has exited"});
    }
    // Full, or others wait already: queue behind them. The other half of the handshake is
    // actor_cell::release_slot.
    detail::intrusive_ptr<detail::async_state<void>> st{new detail::async_state<void>(exec_.get()),
                                                        detail::adopt};
    auto& b = *to->bounded();
    {
        std::unique_lock lock{b.mutex};
        b.has_waiters.store(true);
        if (b.waiters.empty() && b.queued.fetch_add(1) < b.capacity) {
            // Room after all, and nobody ahead of us.
            b.has_waiters.store(false);
            lock.unlock();
            if (to->push_counted(e)) return pending<void>::ready(result<void>{});
            b.queued.fetch_sub(1);
            detail::dispose(e, errc::no_such_actor, "not delivered");
            return pending<void>::ready(
                error{errc::no_such_actor, addr.to_string() + " has exited"});
        }
        if (b.waiters.empty()) b.queued.fetch_sub(1);  // the slot we tried to take
        b.waiters.push_back(detail::blocked_sender{e, st});
    }
    if (to->is_dead()) to->fail_blocked_senders();
    return pending<void>{std::move(st)};
}

void node::stop(address a) {
    if (auto p = lookup(a)) {
        p->enqueue_or_drop(detail::make_envelope<detail::stop_msg>(
            priority::exit, current_sender(), detail::stop_msg{exit_reason::normal(), false}));
    }
}

void node::kill(address a) {
    if (auto p = lookup(a)) {
        p->enqueue_or_drop(
            detail::make_envelope<detail::kill_msg>(priority::kill, current_sender()));
    }
}

void node::exit(address a, exit_reason reason) {
    if (auto p = lookup(a)) {
        auto from = current_sender();
        p->enqueue_or_drop(detail::make_envelope<detail::signal_msg>(
            priority::exit, from, detail::signal_msg{from, std::move(reason), {}}));
    }
}

pending<exit_reason> node::wait(address a) {
    return wait(lookup(a).get());
}

pending<exit_reason> node::wait(detail::actor_cell* a) {
    detail::intrusive_ptr<detail::async_state<exit_reason>> st{
        new detail::async_state<exit_reason>(exec_.get()), detail::adopt};
    if (a) {
        a->attach(new wait_listener(st));
    } else {
        st->complete(exit_reason::noproc());
    }
    return pending<exit_reason>{std::move(st)};
}

pending<exit_reason> node::wait_for(address a, duration timeout) {
    detail::intrusive_ptr<detail::async_state<exit_reason>> st{
        new detail::async_state<exit_reason>(exec_.get()), detail::adopt};
    auto p = lookup(a);
    if (!p) {
        st->complete(exit_reason::noproc());
        return pending<exit_reason>{std::move(st)};
    }
    auto* t =
        new detail::ask_timeout<exit_reason>(now() + timeout, st.get(), a, timeout, "no exit of");
    t->add_ref();
    st->set_timeout(t);
    exec_->schedule_timer(t);
    p->attach(new wait_listener(st));
    return pending<exit_reason>{std::move(st)};
}

pending<exit_reason> node::stop_and_wait(address a, duration timeout) {
    auto exited = wait_for(a, timeout);  // first: the exit cannot slip past
    stop(a);
    return exited;
}

result<void> node::register_name(std::string name, address a) {
    std::lock_guard lock{names_mutex_};
    if (auto it = names_.find(name); it != names_.end()) {
        return error{errc::duplicate_name,
                     "the name '" + name + "' is taken by " + it->second.to_string()};
    }
    // Mark first, then check that the actor is still in the table: an actor that leaves the
    // table after the check sees the mark and removes its names (on_actor_exit).
    auto cell = lookup(a);
    if (cell) cell->mark_named();
    if (!cell || !lookup(a)) {
        return error{errc::no_such_actor,
                     "cannot register '" + name + "': no live actor at " + a.to_string()};
    }
    names_by_actor_[a.bits()].push_back(name);
    names_.emplace(std::move(name), a);
    return {};
}

std::optional<address> node::whereis(std::string_view name) const {
    std::lock_guard lock{names_mutex_};
    auto it = names_.find(std::string{name});
    if (it == names_.end()) return std::nullopt;
    return it->second;
}

bool node::unregister(std::string_view name) {
    std::lock_guard lock{names_mutex_};
    auto it = names_.find(std::string{name});
    if (it == names_.end()) return false;
    auto owner = names_by_actor_.find(it->second.bits());
    if (owner != names_by_actor_.end()) {
        std::erase(owner->second, it->first);
        if (owner->second.empty()) names_by_actor_.erase(owner);
    }
    names_.erase(it);
    return true;
}

void node::remove_names_of(address a) {
    std::lock_guard lock{names_mutex_};
    auto owner = names_by_actor_.find(a.bits());
    if (owner == names_by_actor_.end()) return;
    for (auto& n : owner->second) names_.erase(n);
    names_by_actor_.erase(owner);
}

timer node::arm(detail::timer_node* t) {
    timer handle{detail::intrusive_ptr<detail::timer_node>(t, detail::adopt)};
    t->add_ref();
    exec_->schedule_timer(t);
    return handle;
}

timer node::exit_after(address to, duration delay, exit_reason reason) {
    return arm(new signal_timer(now() + delay, this, to, std::move(reason)));
}

timer node::kill_after(address to, duration delay) {
    return arm(new signal_timer(now() + delay, this, to, std::nullopt));
}

pending<void> node::sleep(duration delay) {
    detail::intrusive_ptr<detail::async_state<void>> st{new detail::async_state<void>(exec_.get()),
                                                        detail::adopt};
    arm(new sleep_timer(now() + delay, st.get()));
    return pending<void>{std::move(st)};
}

void node::shutdown() {
    // From an actor (a worker thread) the node cannot wait for its own workers: ask every
    // actor to stop and let the node's destructor, on its owner's thread, finish the job.
    bool from_worker = exec_->on_worker_thread();
    if (!from_worker && shut_down_.exchange(true)) return;
    if (from_worker && stopping_.exchange(true)) return;
    stopping_.store(true, std::memory_order_release);
    auto snapshot = [this] { return actors_->snapshot(); };
    auto all_gone = [this] { return live_.load(std::memory_order_acquire) == 0; };
    auto wait_all_gone = [&](duration limit) {
        if (exec_->drive_until(all_gone)) return;
        std::unique_lock lock{live_mutex_};
        live_cv_.wait_for(lock, limit, all_gone);
    };
    auto stop_all = [&] {
        for (auto& a : snapshot()) {
            a->enqueue_or_drop(detail::make_envelope<detail::stop_msg>(
                priority::exit, address{},
                detail::stop_msg{exit_reason::shutdown("the node is shutting down"), true}));
        }
    };
    stop_all();
    if (from_worker) return;
    wait_all_gone(grace_);
    if (!all_gone()) {
        auto left = snapshot();
        logger_->warn("shutdown: {} actors did not stop within the grace period; killing them",
                      left.size());
        for (auto& a : left) kill(a->addr());
        wait_all_gone(std::chrono::seconds(1));
    }
    exec_->shutdown();
    // Concurrent handlers still suspended can never resume now: destroy them (their askers
    // are answered, the actors they pin are released).
    drivers_.destroy_all();
    // Whatever is still in the table could not run any more; drop our references.
    actors_->clear();
}

}  // namespace troupe

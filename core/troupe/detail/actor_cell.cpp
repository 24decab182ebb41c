#include <algorithm>
#include <cstdint>
#include <optional>

#include <spdlog/logger.h>
#include <spdlog/spdlog.h>

#include <troupe/detail/actor_cell.hpp>
#include <troupe/detail/actor_extras.hpp>
#include <troupe/detail/links.hpp>
#include <troupe/detail/running_handlers.hpp>
#include <troupe/detail/system_messages.hpp>
#include <troupe/executor.hpp>
#include <troupe/internal/spin_mutex.hpp>
#include <troupe/local_actor.hpp>
#include <troupe/node.hpp>
#include <troupe/signals.hpp>

namespace troupe::detail {
namespace {

// The listener list's head word: a listener's address, with bit 0 set while a thread holds
// the list's lock; or `closed_mark` once the actor has exited (never locked again).
constexpr std::uintptr_t locked_bit = 1;
constexpr std::uintptr_t closed_mark = 2;

template <class M>
bool is(const envelope& e) noexcept {
    return e.type() == type_id_of<M>();
}

// Runtime messages that run the actor's own code (callbacks, coroutine continuations,
// graceful stops): they wait while concurrent handlers read the actor. Kill does not.
bool changes_the_actor(const envelope& e) noexcept {
    return is<call_msg>(e) || is<resume_msg>(e) || is<stop_msg>(e) || is<signal_msg>(e) ||
           is<init_done_msg>(e);
}

bool is_system(const envelope& e) noexcept {
    return e.type()->internal;
}

template <class M>
M& payload(envelope& e) noexcept {
    return static_cast<envelope_of<M>&>(e).value;
}

// Runs a coroutine handle as a job of its own (concurrent handlers).
class coroutine_job final : public resumable {
public:
    explicit coroutine_job(std::coroutine_handle<> h) noexcept : h_(h) {}
    resume_result resume(std::size_t) override {
        std::exchange(h_, {}).resume();
        return resume_result::done;
    }
    void add_ref() noexcept override {}
    // A job dropped unrun (the executor shut down) does not destroy the frame: it may be
    // part of another (a task awaited by a concurrent handler). Concurrent handlers' frames
    // are destroyed by the node (driver_list); a plain coroutine belongs to its owner.
    void release() noexcept override { delete this; }

private:
    std::coroutine_handle<> h_;
};

}  // namespace

void actor_add_ref(actor_cell* a) noexcept {
    a->add_ref();
}
void actor_release(actor_cell* a) noexcept {
    a->release();
}

void resume_in(actor_cell* a, std::coroutine_handle<> h, address sender) noexcept {
    // The resumed handler sees the sender of the message it is handling.
    auto* e = make_envelope<resume_msg>(priority::system, sender, resume_msg{h});
    if (a->enqueue(e) != errc{}) e->ops->destroy(e);
}

void resume_on(executor* exec, std::coroutine_handle<> h) noexcept {
    exec->schedule(new coroutine_job(h));
}

namespace {
// Runs a function as a job of its own; what it throws is logged, never propagated.
class function_job final : public resumable {
public:
    explicit function_job(unique_function<void()> fn) noexcept : fn_(std::move(fn)) {}
    resume_result resume(std::size_t) override {
        try {
            fn_();
        } catch (...) {
            spdlog::default_logger_raw()->error("a callback outside any actor threw: {}; ignored",
                                                describe_exception(std::current_exception()));
        }
        return resume_result::done;
    }
    void add_ref() noexcept override {}
    void release() noexcept override { delete this; }

private:
    unique_function<void()> fn_;
};
}  // namespace

void post(executor* exec, unique_function<void()> fn) noexcept {
    exec->schedule(new function_job(std::move(fn)));
}

address current_message_sender() noexcept {
    auto* a = tl_current;
    auto* e = a ? a->current_envelope() : nullptr;
    return e ? e->sender : address{};
}

void call_in(actor_cell* a, unique_function<void()> fn) noexcept {
    auto* e = make_envelope<call_msg>(priority::system, address{}, call_msg{std::move(fn)});
    if (a->enqueue(e) != errc{}) e->ops->destroy(e);
}

std::string describe_exception(std::exception_ptr ep) {
    try {
        std::rethrow_exception(ep);
    } catch (const std::exception& ex) {
        return ex.what();
    } catch (...) {
        return "an exception that is not a std::exception";
    }
}

void actor_extras::add_timer(timer_node* t) {
    timers.emplace_back(t);
    if (timers.size() < next_timer_sweep_) return;
    std::erase_if(timers, [](const intrusive_ptr<timer_node>& n) { return !n->is_pending(); });
    next_timer_sweep_ = std::max<std::size_t>(16, 2 * timers.size());
}

actor_cell::actor_cell(local_actor* behavior) noexcept : actor_cell(behavior, apart) {}

actor_cell::actor_cell(local_actor* behavior, std::uint8_t block) noexcept
    : block_(block), behavior_(behavior) {
    behavior->cell_ = this;
    type_name_ = behavior->type_name();
}

void actor_cell::destroy(actor_cell* c) noexcept {
    const std::uint8_t block = c->block_;
    c->~actor_cell();
    if (block == apart) {
        ::operator delete(c, sizeof(actor_cell));
    } else if (block == heap_block) {
        ::operator delete(c);
    } else {
        pool_free(c, (block + 1) * pool_granule);
    }
}

void actor_cell::destroy_behavior(local_actor* b) const noexcept {
    if (!b) return;
    if (block_ == apart) {
        delete b;
    } else {
        b->~local_actor();  // its memory goes with the cell's block
    }
}

void actor_cell::bind(node& n, executor& exec, address addr, const spawn_options& opts) {
    node_ = &n;
    exec_ = &exec;
    addr_ = addr;
    if (!opts.name.empty()) name_ = std::make_unique<const std::string>(opts.name);
    if (opts.capacity > 0) bounded_ = new bounded_state(opts.capacity);
}

std::string actor_cell::start() {
    auto* prev = std::exchange(tl_current, this);
    std::string failure;
    try {
        behavior()->on_start();
    } catch (...) {
        failure = describe_exception(std::current_exception());
        if (failure.empty()) failure = "the start hook failed";
    }
    tl_current = prev;
    if (!failure.empty()) abandon(failure);
    return failure;
}

void actor_cell::abandon(const std::string& failure) noexcept {
    // The actor never existed: no stopped hook; whoever sent it something learns so.
    life_ = life::dead;
    if (extras_) {
        for (auto& t : extras_->timers) t->cancel();  // armed in on_start
        drop_monitors(*this);
    }
    extras_.reset();
    for (auto* e = inbox_.close(); e;) {
        auto* next = e->next;
        dispose(e, errc::no_such_actor, "the actor failed to start");
        e = next;
    }
    fail_blocked_senders();
    node_->on_actor_exit(*this);
    close_listeners(exit_reason::error(failure));
    retire_behavior();
}

void actor_cell::launch() noexcept {
    life_ = life::running;
    if (inbox_.has_new() || !inbox_.try_block()) schedule_self();
}

actor_cell::~actor_cell() {
    // Normally empty: a dead actor closed its mailbox. Not so if the node was torn down
    // while the actor could not run any more.
    for (auto* e = inbox_.close(); e;) {
        auto* next = e->next;
        dispose(e, errc::no_such_actor, "the actor was destroyed");
        e = next;
    }
    for (auto* e = lanes_.take_all(); e;) {
        auto* next = e->next;
        dispose(e, errc::no_such_actor, "the actor was destroyed");
        e = next;
    }
    if (extras_ && extras_->held_head) lanes_.requeue_urgent(extras_->held_head);
    while (auto* e = pop_signal()) e->ops->destroy(e);
    for (auto* e = lanes_.take_all(); e;) {
        auto* next = e->next;
        dispose(e, errc::no_such_actor, "the actor was destroyed");
        e = next;
    }
    if (bounded_) {
        fail_blocked_senders();
        delete bounded_;
    }
    // An actor that never ran to its exit (its node was torn down): nothing else can use
    // the behaviour now, since concurrent handlers hold a reference to the cell.
    destroy_behavior(behavior_.load(std::memory_order_acquire));
}

actor_extras& actor_cell::extras() {
    if (!extras_) extras_ = std::make_unique<actor_extras>();
    return *extras_;
}

std::size_t actor_cell::capacity() const noexcept {
    return bounded_ ? bounded_->capacity : 0;
}

errc actor_cell::enqueue(envelope* e) noexcept {
    bool counted = bounded_ && e->prio == priority::user;
    if (counted) {
        if (inbox_.is_closed()) return errc::no_such_actor;
        // Blocked senders go first: a new message may not overtake them.
        if (bounded_->has_waiters.load()) return errc::mailbox_full;
        if (bounded_->queued.fetch_add(1) >= bounded_->capacity) {
            bounded_->queued.fetch_sub(1);
            return errc::mailbox_full;
        }
    }
    if (push_counted(e)) return errc{};
    if (counted) bounded_->queued.fetch_sub(1);
    return errc::no_such_actor;
}

bool actor_cell::push_counted(envelope* e) noexcept {
    switch (inbox_.push(e)) {
        case inbox::push_result::ok:
            break;
        case inbox::push_result::unblocked:
            schedule_self();
            break;
        case inbox::push_result::closed:
            return false;
    }
    // The receivers a handler wakes wait for it in its worker's LIFO slot, which no other
    // worker may take. A handler that keeps sending is not about to return: every so many
    // sends, let other workers take the receivers it woke (and wake one to do so), or a
    // consumer would wait for its producer's whole loop while a core idles.
    if (auto* sender = tl_current; sender && ++tl_sends_in_handler % share_after_sends == 0) {
        sender->exec_->share_local();
    }
    return true;
}

void actor_cell::enqueue_or_drop(envelope* e) noexcept {
    if (enqueue(e) != errc{}) dispose(e, errc::no_such_actor, "the actor has exited");
}

void actor_cell::schedule_self() noexcept {
    add_ref();
    exec_->schedule(this);
}

exit_listener* actor_cell::lock_listeners(bool& closed) noexcept {
    // Acquire throughout: seeing the closed mark must also show the final reason.
    std::uintptr_t head = listeners_.load(std::memory_order_acquire);
    for (;;) {
        if (head == closed_mark) {
            closed = true;
            return nullptr;
        }
        if (head & locked_bit) {
            internal::cpu_relax();
            head = listeners_.load(std::memory_order_acquire);
            continue;
        }
        if (listeners_.compare_exchange_weak(head, head | locked_bit, std::memory_order_acquire,
                                             std::memory_order_acquire)) {
            closed = false;
            return reinterpret_cast<exit_listener*>(head);
        }
    }
}

void actor_cell::unlock_listeners(exit_listener* head) noexcept {
    listeners_.store(reinterpret_cast<std::uintptr_t>(head), std::memory_order_release);
}

void actor_cell::unlock_listeners_unchanged() noexcept {
    listeners_.fetch_and(~locked_bit, std::memory_order_release);
}

bool actor_cell::attach_if_alive(exit_listener* l) noexcept {
    bool closed = false;
    exit_listener* head = lock_listeners(closed);
    if (closed) return false;
    l->prev_listener = nullptr;
    l->next_listener = head;
    if (head) head->prev_listener = l;
    unlock_listeners(l);
    return true;
}

void actor_cell::attach(exit_listener* l) noexcept {
    if (!attach_if_alive(l)) {
        l->notify(addr_, extras_ ? extras_->final_reason : exit_reason::normal());
    }
}

bool actor_cell::detach(exit_listener* l) noexcept {
    bool closed = false;
    exit_listener* head = lock_listeners(closed);
    if (closed) return false;
    if (!l->prev_listener && head != l) {  // not in the list: someone detached it already
        unlock_listeners_unchanged();
        return false;
    }
    if (l->prev_listener) {
        l->prev_listener->next_listener = l->next_listener;
    } else {
        head = l->next_listener;
    }
    if (l->next_listener) l->next_listener->prev_listener = l->prev_listener;
    l->next_listener = l->prev_listener = nullptr;
    unlock_listeners(head);
    return true;
}

void actor_cell::close_listeners(const exit_reason& reason) noexcept {
    // Kept for listeners that attach later. Most actors end normally and never needed their
    // extras: no allocation for them (attach() reads a missing record as normal).
    if (extras_ || !reason.is_normal()) extras().final_reason = reason;
    bool closed = false;
    exit_listener* head = lock_listeners(closed);
    listeners_.store(closed_mark, std::memory_order_release);
    if (closed || !head) return;
    // The list is newest first: notify from its tail, in attach order. A listener may be
    // deleted by its notify(), so read the link first.
    exit_listener* tail = head;
    while (tail->next_listener) tail = tail->next_listener;
    while (tail) {
        auto* prev = tail->prev_listener;
        tail->next_listener = tail->prev_listener = nullptr;
        tail->notify(addr_, reason);
        tail = prev;
    }
}

address actor_cell::parent() const noexcept {
    return extras_ ? extras_->parent : address{};
}

bool actor_cell::push_runtime(envelope* e) noexcept {
    e->runtime = true;
    switch (inbox_.push(e)) {
        case inbox::push_result::ok:
            return true;
        case inbox::push_result::unblocked:
            schedule_self();
            return true;
        case inbox::push_result::closed:
            return false;
    }
    return false;
}

void actor_cell::quit(exit_reason reason) {
    quit_requested_ = true;
    // A normal quit, by far the most common, needs no record (see resume).
    if (extras_ || !reason.is_normal()) extras().quit_reason = std::move(reason);
}

resumable::resume_result actor_cell::resume(std::size_t budget) {
    auto* prev = std::exchange(tl_current, this);
    std::size_t handled = 0;
    resume_result result = resume_result::done;
    for (;;) {
        if (auto* chain = inbox_.take_all()) lanes_.add_all(chain);
        envelope* e = lanes_.pop_urgent();
        if (e && concurrent_in_flight_ > 0 && changes_the_actor(*e)) {
            hold(e);  // concurrent handlers are reading the actor: no writer meanwhile
            continue;
        }
        if (!e && life_ != life::dead && !exclusive_busy_ && !draining_) {
            // Trapped exit signals first (the supervision lane), then user messages.
            e = pop_signal();
            if (!e) {
                e = lanes_.pop_user();
                if (e && bounded_ && !e->runtime) release_slot();
            }
        }
        if (!e) {
            if (life_ == life::dead || inbox_.try_block()) break;
            continue;
        }
        run_envelope(e);
        if (life_ == life::dead) break;
        if (++handled >= budget) {
            result = resume_result::again;
            break;
        }
    }
    tl_current = prev;
    return result;
}

void actor_cell::run_envelope(envelope* e) {
    current_ = e;
    tl_sends_in_handler = 0;
    // Static storage: still valid if the envelope is handed over.
    auto type = is<resume_msg>(*e) ? std::string_view{"a resumed coroutine"} : e->type()->name;
    try {
        if (is_system(*e)) {
            handle_system(*e);
        } else if (e->runtime && is<down>(*e) && !accept_down(*this, payload<down>(*e).ref)) {
            // Demonitored: as if it never came.
        } else {
            if (auto& trace = node_->trace_hook_fn(); trace && e->prio == priority::user) {
                trace(e->sender, addr_, type);
            }
            switch (behavior()->dispatch(*e)) {
                case local_actor::dispatch_result::handled:
                    break;
                case local_actor::dispatch_result::wait_for_concurrent:
                    current_ = nullptr;
                    if (e->runtime && is<exit_signal>(*e)) {
                        // Back to the front of the supervision lane.
                        auto& x = extras();
                        e->next = x.signals_head;
                        x.signals_head = e;
                        if (!x.signals_tail) x.signals_tail = e;
                    } else {
                        if (bounded_ && !e->runtime) bounded_->queued.fetch_add(1);
                        lanes_.push_front_user(e);
                    }
                    draining_ = true;
                    return;
                case local_actor::dispatch_result::kept:
                    current_ = nullptr;
                    break;
            }
        }
    } catch (...) {
        auto what = describe_exception(std::current_exception());
        if (auto* owned = std::exchange(current_, nullptr)) {
            fail(owned, error{errc::handler_failed, what});
        }
        node_->logger().error("{} {}: handler for {} threw: {}; the actor exits", addr_.to_string(),
                              name(), type, what);
        terminate(exit_reason::error(what));
        return;
    }
    if (auto* owned = std::exchange(current_, nullptr)) {
        dispose(owned, errc::no_reply, "the handler returned without replying");
    }
    if (quit_requested_ && life_ != life::dead) {
        terminate(extras_ ? extras_->quit_reason : exit_reason::normal());
    }
}

void actor_cell::handle_system(envelope& e) {
    if (is<resume_msg>(e)) {
        payload<resume_msg>(e).handle.resume();
        reap_handlers();
    } else if (is<call_msg>(e)) {
        payload<call_msg>(e).fn();
    } else if (is<concurrent_done_msg>(e)) {
        if (--concurrent_in_flight_ == 0) {
            draining_ = false;
            if (extras_ && extras_->held_head) {
                lanes_.requeue_urgent(std::exchange(extras_->held_head, nullptr));
                extras_->held_tail = nullptr;
            }
        }
        if (auto failure = payload<concurrent_done_msg>(e).failure) std::rethrow_exception(failure);
    } else if (is<stop_msg>(e)) {
        auto& m = payload<stop_msg>(e);
        handle_stop(m.forced, std::move(m.reason));
    } else if (is<signal_msg>(e)) {
        handle_signal(e);
    } else if (is<init_done_msg>(e)) {
        behavior()->on_init_done(payload<init_done_msg>(e).child);
    } else if (is<kill_msg>(e)) {
        terminate(exit_reason::killed());
    }
}

// OTP's rules for an exit signal.
void actor_cell::handle_signal(envelope& e) {
    auto& sig = payload<signal_msg>(e);
    if (sig.via && !link_deactivate(sig.via.get())) return;  // unlinked meanwhile
    if (!sig.via && sig.reason.what() == exit_reason::kind::kill) {
        terminate(exit_reason::killed());  // exit(addr, kill): untrappable
        return;
    }
    if (trapping_) {
        auto* m = make_envelope<exit_signal>(priority::user, sig.from,
                                             exit_signal{sig.from, std::move(sig.reason)});
        m->runtime = true;
        auto& x = extras();
        (x.signals_tail ? x.signals_tail->next : x.signals_head) = m;
        x.signals_tail = m;
        return;
    }
    if (sig.reason.is_normal()) {
        // A normal exit does not take linked actors along; exit(self, normal) does end it.
        if (!sig.via && sig.from == addr_) terminate(std::move(sig.reason));
        return;
    }
    terminate(std::move(sig.reason));
}

envelope* actor_cell::pop_signal() noexcept {
    if (!extras_ || !extras_->signals_head) return nullptr;
    auto* e = extras_->signals_head;
    extras_->signals_head = e->next;
    if (!extras_->signals_head) extras_->signals_tail = nullptr;
    e->next = nullptr;
    return e;
}

void actor_cell::handle_stop(bool forced, exit_reason reason) {
    if (!forced && !behavior()->on_stopping()) {
        node_->logger().debug("{} {}: stop vetoed by the stopping hook", addr_.to_string(), name());
        return;
    }
    terminate(std::move(reason));
}

running_handler* actor_cell::start_handler(std::unique_ptr<running_handler> h) {
    h->handle().resume();  // the message being dispatched is still current_ meanwhile
    if (h->handle().done()) {
        h->finish();
        return nullptr;
    }
    if (h->exclusive()) exclusive_busy_ = true;
    auto* kept = h.get();
    extras().handlers.push_back(std::move(h));
    return kept;
}

void actor_cell::start_concurrent(std::coroutine_handle<> driver, driver_list*& tracker) {
    ++concurrent_in_flight_;
    pins_.fetch_add(1, std::memory_order_relaxed);
    tracker = &node_->drivers();
    tracker->add(driver);
    exec_->schedule(new coroutine_job(driver));
}

void actor_cell::concurrent_finished(std::exception_ptr failure) noexcept {
    if (pins_.fetch_sub(1, std::memory_order_acq_rel) == (retired | 1)) {
        destroy_behavior(behavior_.exchange(nullptr, std::memory_order_acq_rel));  // last reader
    }
    auto* e = make_envelope<concurrent_done_msg>(priority::system, address{},
                                                 concurrent_done_msg{std::move(failure)});
    enqueue_or_drop(e);
}

void actor_cell::hold(envelope* e) {
    auto& x = extras();
    e->next = nullptr;
    (x.held_tail ? x.held_tail->next : x.held_head) = e;
    x.held_tail = e;
}

void actor_cell::retire_behavior() noexcept {
    // Concurrent handlers still reading the behaviour delete it when the last one ends.
    if ((pins_.fetch_or(retired, std::memory_order_acq_rel) & ~retired) == 0) {
        destroy_behavior(behavior_.exchange(nullptr, std::memory_order_acq_rel));
    }
}

void actor_cell::reap_handlers() {
    if (!extras_) return;
    auto& list = extras_->handlers;
    for (std::size_t i = 0; i < list.size();) {
        if (!list[i]->handle().done()) {
            ++i;
            continue;
        }
        auto finished = std::move(list[i]);
        list.erase(list.begin() + static_cast<std::ptrdiff_t>(i));
        exclusive_busy_ =
            std::any_of(list.begin(), list.end(), [](const auto& h) { return h->exclusive(); });
        finished->finish();  // may throw: the handler failed
    }
}

// The consumer's half of the bounded-mailbox handshake (the sender's half is
// node::send_envelope). A freed slot goes straight to the oldest blocked sender, so that new
// senders cannot overtake it. has_waiters and queued are both seq_cst: a sender stores
// has_waiters before it reads queued, the consumer decrements queued before it reads
// has_waiters, so at least one of them sees the other and no slot is lost.
void actor_cell::release_slot() noexcept {
    auto& b = *bounded_;
    std::optional<blocked_sender> served;
    if (b.has_waiters.load()) {
        std::lock_guard lock{b.mutex};
        if (!b.waiters.empty()) {
            served.emplace(std::move(b.waiters.front()));  // the slot passes to it
            b.waiters.pop_front();
            b.has_waiters.store(!b.waiters.empty());
        }
    }
    if (!served) {
        b.queued.fetch_sub(1);
        if (!b.has_waiters.load()) return;
        std::lock_guard lock{b.mutex};
        if (b.waiters.empty() || b.queued.load() >= b.capacity) return;
        b.queued.fetch_add(1);
        served.emplace(std::move(b.waiters.front()));
        b.waiters.pop_front();
        b.has_waiters.store(!b.waiters.empty());
    }
    // Outside the lock: completing may run the sender's code, which may send again.
    if (push_counted(served->message)) {
        served->done->complete(result<void>{});
    } else {
        dispose(served->message, errc::no_such_actor, "the actor has exited");
        served->done->complete(error{errc::no_such_actor, addr_.to_string() + " has exited"});
    }
}

void actor_cell::fail_blocked_senders() noexcept {
    if (!bounded_) return;
    std::deque<blocked_sender> waiters;
    {
        std::lock_guard lock{bounded_->mutex};
        waiters.swap(bounded_->waiters);
        bounded_->has_waiters.store(false);
    }
    for (auto& w : waiters) {
        dispose(w.message, errc::no_such_actor, "the actor has exited");
        w.done->complete(error{errc::no_such_actor, addr_.to_string() + " has exited"});
    }
}

void actor_cell::terminate(exit_reason reason) noexcept {
    if (life_ == life::dead) return;
    life_ = life::dead;
    if (extras_) {
        // Suspended handler frames die with the actor; their askers learn why.
        auto handlers = std::move(extras_->handlers);
        for (auto& h : handlers) h->abandon(reason);
        handlers.clear();
        for (auto& t : extras_->timers) t->cancel();
        extras_->timers.clear();
        drop_monitors(*this);
        while (auto* e = pop_signal()) e->ops->destroy(e);
    }
    exclusive_busy_ = draining_ = false;
    try {
        behavior()->on_stopped(reason);
    } catch (...) {
        node_->logger().error("{} {}: the stopped hook threw: {}", addr_.to_string(), name(),
                              describe_exception(std::current_exception()));
    }
    for (auto* e = inbox_.close(); e;) {
        auto* next = e->next;
        lanes_.add(e);
        e = next;
    }
    if (extras_ && extras_->held_head) {
        lanes_.requeue_urgent(std::exchange(extras_->held_head, nullptr));
        extras_->held_tail = nullptr;
    }
    for (auto* e = lanes_.take_all(); e;) {
        auto* next = e->next;
        if (e->prio == priority::user && !e->runtime) {
            node_->report_dead_letter(addr_, e, errc::no_such_actor);  // never silently
        } else {
            dispose(e, errc::no_such_actor, "the actor exited before handling the message");
        }
        e = next;
    }
    fail_blocked_senders();
    // Checked first: formatting the address and reason costs more than a whole spawn.
    const bool quiet = reason.is_normal() || reason.what() == exit_reason::kind::shutdown;
    const auto level = quiet ? spdlog::level::debug : spdlog::level::warn;
    if (node_->logger().should_log(level)) {
        node_->logger().log(level, "{} {}: exited ({})", addr_.to_string(), name(),
                            reason.to_string());
    }
    // Gone from the table and the registry before anyone hears of the exit.
    node_->on_actor_exit(*this);
    close_listeners(reason);
    retire_behavior();
}

}  // namespace troupe::detail

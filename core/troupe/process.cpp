#include <troupe/detail/actor_extras.hpp>
#include <troupe/detail/system_messages.hpp>
#include <troupe/process.hpp>

namespace troupe {
namespace {

// The process body as a handler coroutine: not exclusive (messages keep arriving while it
// waits in receive), and its end is the process's end.
class body_handler final : public detail::running_handler {
public:
    body_handler(task<> t, process& p) : task_(std::move(t)), p_(p) {}
    std::coroutine_handle<> handle() const noexcept override { return task_.handle(); }
    bool exclusive() const noexcept override { return false; }
    void finish() override {
        task_.handle().promise().take();  // rethrows: the process fails with error{what}
        p_.exit(exit_reason::normal());
    }
    void abandon(const exit_reason&) noexcept override {}
    void keep(detail::envelope_ptr) noexcept override {}

private:
    task<> task_;
    process& p_;
};

// Posts a time-out into the process at its deadline.
class receive_timer final : public detail::timer_node {
public:
    receive_timer(time_point at, detail::actor_cell* p, std::function<void()> fn)
        : timer_node(at, duration::zero()), p_(p), fn_(std::move(fn)) {}

private:
    void fire() noexcept override { detail::call_in(p_.get(), std::move(fn_)); }
    void drop() noexcept override {
        p_.reset();
        fn_ = nullptr;
    }
    detail::intrusive_ptr<detail::actor_cell> p_;
    std::function<void()> fn_;
};

}  // namespace

void process::on_start() {
    enqueue_self(detail::make_envelope<detail::call_msg>(
        priority::system, addr(), detail::call_msg{[this] {
            start_handler(std::make_unique<body_handler>(body_(*this), *this));
        }}));
}

void process::on_stopped(const exit_reason&) {
    waiting_ = nullptr;
    while (auto* e = take_from_stash(nullptr)) {
        detail::dispose(e, errc::no_such_actor, "the process exited before receiving it");
    }
}

local_actor::dispatch_result process::dispatch(detail::envelope& e) {
    if (waiting_ && (!waiting_->want || waiting_->want == e.type())) {
        auto& r = *std::exchange(waiting_, nullptr);
        r.got = take_current();
        deliver(r);
        return dispatch_result::kept;
    }
    if (catch_all_) {
        message m{take_current()};
        catch_all_(m);
        return dispatch_result::kept;
    }
    auto* kept = take_current();
    kept->next = nullptr;
    if (stash_tail_) {
        stash_tail_->next = kept;
    } else {
        stash_head_ = kept;
    }
    stash_tail_ = kept;
    ++stash_size_;
    return dispatch_result::kept;
}

void process::flush_down(monitor_ref ref) {
    detail::envelope* prev = nullptr;
    for (auto* e = stash_head_; e; prev = e, e = e->next) {
        if (e->type() != detail::type_id_of<down>()) continue;
        if (static_cast<detail::envelope_of<down>*>(e)->value.ref != ref) continue;
        (prev ? prev->next : stash_head_) = e->next;
        if (stash_tail_ == e) stash_tail_ = prev;
        --stash_size_;
        e->ops->destroy(e);
        return;
    }
}

detail::envelope* process::take_from_stash(detail::type_id want) noexcept {
    detail::envelope* prev = nullptr;
    for (auto* e = stash_head_; e; prev = e, e = e->next) {
        if (want && e->type() != want) continue;
        (prev ? prev->next : stash_head_) = e->next;
        if (stash_tail_ == e) stash_tail_ = prev;
        e->next = nullptr;
        --stash_size_;
        return e;
    }
    return nullptr;
}

void process::wait_for(request& r, bool timed, duration timeout) {
    r.seq = ++next_seq_;
    waiting_ = &r;
    if (timed) {
        auto seq = r.seq;
        auto* t =
            new receive_timer(home().now() + timeout, &cell(), [this, seq] { on_timeout(seq); });
        r.deadline = home().arm(t);
        extras().add_timer(t);
    }
}

void process::deliver(request& r) {
    r.deadline.cancel();
    r.waiter.resume();
    reap_handlers();
}

void process::on_timeout(std::uint64_t seq) {
    if (!waiting_ || waiting_->seq != seq) return;  // the receive was served meanwhile
    auto& r = *std::exchange(waiting_, nullptr);
    r.got = nullptr;
    r.waiter.resume();
    reap_handlers();
}

}  // namespace troupe

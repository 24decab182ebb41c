#pragma once
// actor_cell: the runtime's half of an actor. It owns the mailbox, runs the actor's
// handlers one at a time on the node's executor and carries the lifecycle. The user's half,
// a local_actor (the class with the handlers and the state), hangs off it and is destroyed
// when the actor exits; the cell lives on while refs, timers or pending sends name it, so
// that they fail cleanly instead of touching freed memory, and so that actors holding refs
// to each other never keep each other's state alive.
//
// Running an actor (resume, on a worker thread; the inbox handshake is in inbox.hpp):
//  1. Move new messages from the inbox to the lanes; take the highest-priority one. User
//     messages are taken only when no exclusive coroutine handler is suspended and no
//     concurrent handler must drain first.
//  2. Dispatch it to the behaviour. A handler that throws ends the actor with error{what}.
//  3. Repeat up to the executor's budget, then yield (`again`), so that one busy actor
//     cannot starve the others; or, with nothing to do, mark the inbox blocked (`done`).
// Exiting (terminate): the state becomes `dead`; suspended handler frames are destroyed;
// owned timers are cancelled; on_stopped runs; the inbox is closed and what it still held
// is failed back to its senders (askers get no_such_actor); the actor leaves the node's
// table and registry; exit listeners (wait, monitors) learn the reason; last, the
// behaviour is destroyed: at once, or when the last concurrent handler still reading it
// finishes (the `pins_` word counts those handlers and holds a `retired` bit, so that
// exactly one of them, or terminate, deletes it).

#include <atomic>
#include <coroutine>
#include <cstdint>
#include <memory>
#include <new>
#include <string>
#include <string_view>
#include <utility>

#include <troupe/address.hpp>
#include <troupe/detail/envelope.hpp>
#include <troupe/detail/inbox.hpp>
#include <troupe/detail/pool.hpp>
#include <troupe/exit_reason.hpp>
#include <troupe/resumable.hpp>
#include <troupe/spawn_options.hpp>

namespace troupe {

class node;
class executor;
class local_actor;

namespace detail {

class actor_cell;
struct actor_extras;
struct bounded_state;
class running_handler;
class driver_list;

/// Something that wants to know when an actor exits (wait(), monitors, links). The actor
/// keeps its listeners in an intrusive list; notify() is called once, after the listener has
/// left the list, and owns the listener from then on (most delete themselves).
class exit_listener {
public:
    virtual void notify(address who, const exit_reason& reason) noexcept = 0;
    /// For a link's end: the actor it tells. Null for every other listener.
    virtual actor_cell* link_peer() const noexcept { return nullptr; }
    exit_listener* next_listener = nullptr;
    exit_listener* prev_listener = nullptr;

protected:
    ~exit_listener() = default;
};

/// A handler coroutine the actor keeps while it is suspended.
class running_handler {
public:
    // One is made per message for coroutine handlers: from the per-thread pool. The
    // deleting destructor passes the most derived type's size.
    static void* operator new(std::size_t size) { return pool_allocate(size); }
    static void operator delete(void* p, std::size_t size) noexcept { pool_free(p, size); }

    virtual ~running_handler() = default;
    virtual std::coroutine_handle<> handle() const noexcept = 0;
    /// Delivers the finished coroutine's reply; rethrows its exception.
    virtual void finish() = 0;
    /// The actor exits while the handler is suspended: fail its asker.
    virtual void abandon(const exit_reason& reason) noexcept = 0;
    virtual bool exclusive() const noexcept = 0;
    /// Keeps the message the coroutine may refer to, until it finishes.
    virtual void keep(envelope_ptr msg) noexcept = 0;
};

class actor_cell final : public resumable {
public:
    /// A new actor: its cell and its behaviour A(args...) in one block (from the per-thread
    /// pool when small enough), with one reference, the caller's.
    template <class A, class... Args>
    static actor_cell* create(Args&&... args);

    /// Takes ownership of a behaviour allocated with `new`.
    explicit actor_cell(local_actor* behavior) noexcept;
    actor_cell(const actor_cell&) = delete;
    actor_cell& operator=(const actor_cell&) = delete;

    // --- thread-safe ---------------------------------------------------------------------
    address addr() const noexcept { return addr_; }
    node& home() const noexcept { return *node_; }
    /// The spawn name, else the behaviour's type name.
    std::string_view name() const noexcept { return name_ ? std::string_view{*name_} : type_name_; }
    /// The behaviour while the actor lives; null once it has exited and been destroyed.
    local_actor* behavior() const noexcept { return behavior_.load(std::memory_order_acquire); }

    void add_ref() noexcept override { refs_.fetch_add(1, std::memory_order_relaxed); }
    void release() noexcept override {
        if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) destroy(this);
    }

    /// Puts an envelope in the mailbox. On failure (no_such_actor, mailbox_full) the
    /// envelope is NOT consumed: the caller disposes of it and reports the error.
    /// Returns errc{} (value 0) on success.
    errc enqueue(envelope* e) noexcept;
    /// enqueue, disposing of the envelope on failure.
    void enqueue_or_drop(envelope* e) noexcept;
    /// Pushes without the capacity check (the caller holds a slot). False if dead.
    bool push_counted(envelope* e) noexcept;

    bool is_dead() const noexcept { return inbox_.is_closed(); }
    /// The node registered a name for this actor (it then removes the names at exit).
    void mark_named() noexcept { named_.store(true, std::memory_order_release); }
    bool is_named() const noexcept { return named_.load(std::memory_order_acquire); }
    /// Calls `listener->notify(reason)` when the actor exits (at once, with the final
    /// reason, if it has).
    void attach(exit_listener* listener) noexcept;
    /// Attaches unless the actor has exited (then returns false and leaves `listener` alone).
    bool attach_if_alive(exit_listener* listener) noexcept;
    /// Removes a listener that has not been notified: true if it was (the caller owns it
    /// again); false if the actor has exited and notify() has run or is running.
    bool detach(exit_listener* listener) noexcept;
    /// The listener list's lock (a bit of its head word), for links.cpp, which must lock two
    /// actors at once to link them. Returns the head, or null with `closed` set.
    exit_listener* lock_listeners(bool& closed) noexcept;
    /// Unlocks, with `head` as the new first listener.
    void unlock_listeners(exit_listener* head) noexcept;
    /// Unlocks without changes (after lock_listeners found the list closed or unchanged).
    void unlock_listeners_unchanged() noexcept;
    /// The capacity of a bounded mailbox, 0 if unbounded.
    std::size_t capacity() const noexcept;

    /// A concurrent handler ended (any thread): unpins the behaviour, then tells the actor.
    void concurrent_finished(std::exception_ptr failure) noexcept;

    // --- set up by the node, before the actor is shared ----------------------------------
    void bind(node& n, executor& exec, address addr, const spawn_options& opts);
    /// Runs the start hook; on failure returns the reason and the actor is gone.
    std::string start();
    /// Ends an actor that never started (its spawn failed before the start hook ran).
    void abandon(const std::string& failure) noexcept;
    /// Lets a started actor run (schedules it if messages arrived during start).
    void launch() noexcept;
    /// Fails every sender waiting for room in a bounded mailbox.
    void fail_blocked_senders() noexcept;
    bounded_state* bounded() const noexcept { return bounded_; }

    // --- only from inside the actor (its handlers and hooks) ------------------------------
    void quit(exit_reason reason);
    /// trap_exit(true): exit signals arrive as exit_signal messages instead of ending the
    /// actor (except exit(addr, kill)).
    void set_trap_exit(bool on) noexcept { trapping_ = on; }
    bool traps_exits() const noexcept { return trapping_; }
    /// The actor that spawned this one linked; null if none.
    address parent() const noexcept;
    /// Puts a runtime message in this actor's own mailbox, past the capacity check (a
    /// down, a noproc signal). False if the actor has exited.
    bool push_runtime(envelope* e) noexcept;
    /// Runs a handler coroutine to its first suspension; keeps it if it did not finish
    /// (and returns it), else delivers its result.
    running_handler* start_handler(std::unique_ptr<running_handler> h);
    void start_concurrent(std::coroutine_handle<> driver, driver_list*& tracker);
    bool concurrent_in_flight() const noexcept { return concurrent_in_flight_ > 0; }
    envelope* current_envelope() const noexcept { return current_; }
    envelope* take_current() noexcept { return std::exchange(current_, nullptr); }
    actor_extras& extras();
    void reap_handlers();

private:
    // The block's size class in the pool, or one of these.
    static constexpr std::uint8_t apart = 0xFF;       // `new actor_cell`, behaviour apart
    static constexpr std::uint8_t heap_block = 0xFE;  // one block from operator new

    actor_cell(local_actor* behavior, std::uint8_t block) noexcept;
    ~actor_cell();
    static void destroy(actor_cell* c) noexcept;
    void destroy_behavior(local_actor* b) const noexcept;

    resume_result resume(std::size_t budget) override;
    void handle_system(envelope& e);
    void handle_stop(bool forced, exit_reason reason);
    void handle_signal(envelope& e);
    envelope* pop_signal() noexcept;
    void run_envelope(envelope* e);
    void terminate(exit_reason reason) noexcept;
    void schedule_self() noexcept;
    void release_slot() noexcept;
    void close_listeners(const exit_reason& reason) noexcept;
    void retire_behavior() noexcept;
    void hold(envelope* e);

    static constexpr std::uint32_t retired = 1u << 31;
    /// See push_counted.
    static constexpr std::uint32_t share_after_sends = 64;

    std::atomic<std::uint32_t> refs_{1};
    enum class life : std::uint8_t { starting, running, dead };
    life life_ = life::starting;
    bool exclusive_busy_ : 1 = false;  // an exclusive handler coroutine is suspended
    bool draining_ : 1 = false;        // a mutating handler waits for concurrent ones
    bool quit_requested_ : 1 = false;
    bool trapping_ : 1 = false;  // trap_exit(true)
    std::atomic<bool> named_{false};
    const std::uint8_t block_;                // how the cell (and behaviour) were allocated
    std::uint32_t concurrent_in_flight_ = 0;  // counted in the actor's context
    std::atomic<std::uint32_t> pins_{0};      // concurrent handlers | retired
    std::atomic<local_actor*> behavior_;
    address addr_;
    node* node_ = nullptr;
    executor* exec_ = nullptr;
    bounded_state* bounded_ = nullptr;  // set before the actor is shared
    std::string_view type_name_;
    inbox inbox_;
    lanes lanes_;
    std::atomic<std::uintptr_t> listeners_{0};  // head | locked bit, or the closed mark
    envelope* current_ = nullptr;
    std::unique_ptr<const std::string> name_;  // set before the actor is shared
    std::unique_ptr<actor_extras> extras_;
};

template <class A, class... Args>
actor_cell* actor_cell::create(Args&&... args) {
    constexpr std::size_t offset = (sizeof(actor_cell) + alignof(A) - 1) / alignof(A) * alignof(A);
    constexpr std::size_t size = offset + sizeof(A);
    if constexpr (alignof(A) > __STDCPP_DEFAULT_NEW_ALIGNMENT__) {
        return new actor_cell(new A(std::forward<Args>(args)...));
    } else {
        constexpr bool pooled = size <= pool_max_block;
        void* mem = pooled ? pool_allocate(size) : ::operator new(size);
        A* behavior;
        try {
            behavior = ::new (static_cast<char*>(mem) + offset) A(std::forward<Args>(args)...);
        } catch (...) {
            pooled ? pool_free(mem, size) : ::operator delete(mem);
            throw;
        }
        auto block = pooled ? static_cast<std::uint8_t>(pool_class_of(size)) : heap_block;
        return ::new (mem) actor_cell(behavior, block);
    }
}

}  // namespace detail
}  // namespace troupe

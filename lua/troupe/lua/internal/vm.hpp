#pragma once
// vm: one Lua state owned by one script_actor. It sets up the sandbox, counts memory and
// instructions, and runs the three scripts.
//
// How a message runs (handle):
//  1. start() resets the instruction budget and resumes the handler coroutine with a C entry
//     function. The entry converts the message into Lua inside the coroutine (so that a
//     memory error is a Lua error, never a panic), sets ctx.msg and calls the chunk.
//  2. If the script calls ctx.send, the C function stores the request in `pending_send` and
//     yields. start() returns step::send; the actor's C++ coroutine asks and co_awaits.
//  3. resume() hands the reply (or the error) back through a light userdata; the yield's
//     continuation turns it into the Lua result of ctx.send, or raises the error where
//     ctx.send was called (so pcall catches it). Back to 2 until the chunk returns.
//  4. The chunk's first result, converted to a value, is the reply (step::done). A Lua
//     error, or a limit hit even if the script caught it with pcall, is step::failed.
//
// started and stopped run on the main thread under lua_pcall: they cannot wait (ctx.send
// says so), so they need no coroutine.
//
// Every Lua call that may raise runs inside a protected call: the library is the C++ build
// of Lua, whose errors are C++ exceptions, and an error outside protection would abort.
//
// Thread contract: only the owning actor uses a vm, one message at a time.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include <troupe/codec/registry.hpp>
#include <troupe/codec/value.hpp>
#include <troupe/lua/script.hpp>
#include <troupe/lua/script_actor.hpp>

struct lua_State;

namespace troupe::lua::internal {

/// What ctx.send asked for, carried out by the actor's C++ coroutine.
struct send_request {
    address to;
    std::optional<codec::endpoint> endpoint;  // a typed C++ actor, reached by type name
    std::string type;
    value msg;
    duration timeout{};
};

/// Where a run of the handle script stands.
struct step {
    enum class kind : std::uint8_t { done, send, failed };
    kind what = kind::done;
    value reply;            // done
    std::string error;      // failed
    std::string traceback;  // failed
};

/// Where the VM is: ctx.send may only wait in handle, on the handler coroutine.
enum class phase : std::uint8_t { idle, started, handle, stopped };

class vm {
public:
    /// Creates the VM, opens the sandbox, runs the set-up functions and loads the scripts.
    /// Throws std::runtime_error with the reason (the spawn fails with it).
    vm(script_actor& owner, const script& s);
    ~vm();
    vm(const vm&) = delete;
    vm& operator=(const vm&) = delete;

    /// The vm of a state (any of its threads).
    static vm& of(lua_State* L) noexcept;

    /// Runs started; throws std::runtime_error with "started:3: message" on failure, after
    /// logging the traceback.
    void run_started();
    /// Runs stopped with ctx.reason; a failure is logged.
    void run_stopped(const exit_reason& reason) noexcept;

    step start(value msg);
    step resume(result<value> reply);

    /// Loads the three scripts of `next` in place of the current ones (see reload_mode);
    /// the other settings (limits, recipients, registry...) stay the actor's.
    result<void> reload(const script& next, reload_mode mode);

    std::size_t memory_used() const noexcept { return mem_used_; }

    // --- for the ctx functions (ctx.cpp); they run inside the VM ------------------------
    phase where() const noexcept { return phase_; }
    lua_State* handler_thread() const noexcept { return co_; }
    const script& current() const noexcept { return script_; }
    void set_pending(send_request r) { pending_ = std::move(r); }
    /// The request of the step::send just returned (kept here so steps stay small).
    send_request& pending() noexcept { return *pending_; }
    /// The reply ctx.send's continuation turns into its result (set during resume()).
    result<value>* reply() const noexcept { return reply_; }
    address self() const noexcept;
    node& home() const noexcept;
    /// A name given by builder::add_recipient, else a registered name.
    std::optional<address> recipient(std::string_view name) const;
    /// The endpoint of a typed actor exposed in the script's registry, if any.
    std::optional<codec::endpoint> endpoint_at(address a) const;
    void tell(address to, value msg);
    /// Sends the message to the actor itself, now or after `delay`; refused when the
    /// messages it has sent itself and not yet handled would take more than limits::memory
    /// (`bytes` is the message's size).
    result<void> notify(value msg, std::optional<duration> delay, std::size_t bytes);
    /// A message from notify() has been handled: its bytes are free again.
    void noted(std::size_t bytes) noexcept { self_bytes_ -= std::min(bytes, self_bytes_); }
    result<address> spawn(const script& child, bool link, std::string name);
    /// What the messages a run sends may still take (bytes, once converted): each run may
    /// send as much as limits::memory, since that memory is outside the VM's count.
    std::size_t& output_left() noexcept { return output_left_; }
    /// True for the thread at `index` if the instruction limit stopped it: Lua left its
    /// hooks off, so its to-be-closed variables must not run (coroutine.close and wrap ask).
    static bool stopped_by_budget(lua_State* L, int index);
    /// The error every instruction raises once the budget is spent.
    std::string budget_message() const;
    /// Before a C function takes `bytes` without Lua's collect-and-retry (string.rep): a
    /// full collection first if they would not fit beside what the heap holds now.
    void make_room(lua_State* L, std::size_t bytes) noexcept;
    /// A new coroutine: its first instructions run before its own count hook first fires,
    /// so they are paid for now. Raises once the budget is spent.
    static void charge_thread(lua_State* L);
    void terminate();
    /// True once the script called ctx.terminate().
    bool terminate_requested() const noexcept { return terminate_requested_; }
    void log(log_level level, std::string_view text) const;

private:
    static void* allocate(void* ud, void* ptr, std::size_t osize, std::size_t nsize) noexcept;
    static void count_hook(lua_State* L, struct lua_Debug* ar);
    /// Marks the budget spent and raises the budget error in L, at the position of the
    /// function `level` up (0 in the hook: the running Lua function).
    [[noreturn]] static void over_budget(lua_State* L, int level);
    static int open(lua_State* L);
    static int run_protected_script(lua_State* L);
    static int handle_entry(lua_State* L);
    static int handle_done(lua_State* L, int status, std::ptrdiff_t ctx);
    static int capture_traceback(lua_State* L);

    void arm_budget(lua_State* L) noexcept;
    /// A full collection when the heap nears the limit: string buffers (string.rep,
    /// table.concat) take memory without Lua's collect-and-retry, so garbage left for the
    /// next cycle would otherwise count against them.
    void collect_if_crowded(lua_State* L) noexcept;
    /// Runs f(L) under lua_pcall on the main thread; false if it raised (the error is
    /// popped; a limit hit is remembered as usual).
    template <class F>
    bool protect(F& f);
    step after_resume(int status, int nres);
    /// Runs a script on the main thread (started, stopped); the error text if it failed.
    std::optional<std::string> run_on_main(int chunk);
    step failure(lua_State* thread, int status);
    std::string describe_error(lua_State* L, int status) const;
    std::string limit_reason(std::string fallback) const;
    result<void> load_scripts(const script& s);
    result<address> spawn_child(const script& child, bool link, std::string name);

    script_actor& owner_;
    script script_;
    lua_State* L_ = nullptr;
    lua_State* co_ = nullptr;  // the handler coroutine, reused while it finishes cleanly
    int co_ref_ = -2;          // keeps co_ alive (LUA_NOREF)
    int ctx_ref_ = -2;
    int started_ = -2, handle_ = -2, stopped_ = -2;  // the compiled chunks
    phase phase_ = phase::idle;
    std::optional<send_request> pending_;
    result<value>* reply_ = nullptr;  // the reply being handed to ctx.send's continuation
    value* incoming_ = nullptr;       // the message being handed to handle_entry
    std::string traceback_;
    std::string stop_reason_;
    // Limits.
    std::size_t mem_used_ = 0;
    std::size_t mem_limit_ = 0;
    // Refused allocations not made good by Lua's retry: any left means the limit was hit.
    std::size_t refusals_ = 0;
    bool mem_hit() const noexcept { return refusals_ > 0; }
    struct denial {
        void* ptr = nullptr;
        std::size_t osize = 0, nsize = 0;
        friend bool operator==(const denial&, const denial&) = default;
    };
    denial last_denial_;
    bool reporting_ = false;      // lets an error report allocate past the limit
    std::size_t collect_at_ = 0;  // collect_if_crowded's threshold
    std::uint64_t instructions_used_ = 0;
    bool budget_hit_ = false;
    std::size_t output_left_ = 0;
    std::uint32_t spawned_ = 0;   // children this run, with those their started scripts spawned
    std::size_t self_bytes_ = 0;  // sent to itself, not yet handled
    bool terminate_requested_ = false;
};

}  // namespace troupe::lua::internal

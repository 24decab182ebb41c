#pragma once
// script_actor: an actor whose behaviour is a Lua script (script.hpp), with a VM of its
// own. It takes troupe::value messages and replies with values, so C++ talks to it like
// to any actor:
//
//   auto a = node.spawn<lua::script_actor>(script).value();
//   a.tell(value{1});
//   result<value> r = a.ask(value::map{{"op", "sum"}}, 1s).get();
//
// and a supervisor restarts it like any worker:
//   child_spec::worker<lua::script_actor>("rules", script)
//
// What the script sees is the `ctx` table (docs/lua.md has the whole API):
//   ctx.msg, ctx.state, ctx.self, ctx.reason (in stopped)
//   ctx.send(to, [type,] msg [, seconds])   asks and waits for the reply
//   ctx.do_send(to, [type,] msg)            tells
//   ctx.notify(msg), ctx.notify_later(msg, seconds), ctx.terminate()
//   ctx.spawn{handle = "...", ...}, ctx.whereis(name), ctx.log(level, ...), ctx.array(t)
//
// While ctx.send waits, the actor handles no other message (as in actix-lua): the Lua
// coroutine is suspended and the C++ handler with it. A Lua error fails the actor with
// reason error{"handle:3: message"} and logs the traceback; a script over its memory or
// instruction limit fails the same way. Nothing else is affected.
//
// Thread contract: the VM is only touched by the actor, one message at a time; a ref may
// be used from any thread.

#include <cstddef>
#include <memory>
#include <string>

#include <troupe/actor.hpp>
#include <troupe/codec/value.hpp>
#include <troupe/lua/script.hpp>

namespace troupe::lua {

namespace internal {
class vm;
}  // namespace internal

namespace detail {
/// What ctx.notify and ctx.notify_later send: the message, and the bytes it holds, which
/// count against limits::memory until it is handled.
struct note {
    value msg;
    std::size_t bytes = 0;
};
}  // namespace detail

/// What a hot reload does with ctx.state.
enum class reload_mode : std::uint8_t {
    /// Keep ctx.state and the globals; the new started does not run.
    keep_state,
    /// Start over: ctx.state is a new table and the new started runs.
    fresh_state,
};

/// Replaces the running actor's three scripts (limits, libraries and recipients stay).
/// The ask completes once the new scripts are in place, or fails with the reason (the
/// started script of a fresh_state reload failing); the old scripts then keep running.
///   a.ask(lua::reload{new_script, lua::reload_mode::keep_state}, 1s).get();
struct reload {
    script next;
    reload_mode mode = reload_mode::keep_state;
};

class script_actor : public actor<script_actor, value, reload, detail::note> {
public:
    explicit script_actor(script s);
    ~script_actor() override;

    /// Runs the handle script with ctx.msg = msg; its return value is the reply (nil when
    /// it returns nothing).
    task<value> handle(value msg);
    deferred<void> handle(reload r);
    /// A message the script sent itself: handled as any value.
    task<value> handle(detail::note n);

    /// Bytes the VM holds now (tests, monitoring). Only from inside the actor, or through
    /// ref::get() in tests.
    std::size_t memory_used() const noexcept;

private:
    friend class internal::vm;

    void on_start() override;
    void on_stopped(const exit_reason& reason) override;
    /// Logs the traceback, then fails the actor with error{what}.
    [[noreturn]] void fail(const std::string& what, const std::string& traceback);

    script script_;
    std::unique_ptr<internal::vm> vm_;
};

}  // namespace troupe::lua

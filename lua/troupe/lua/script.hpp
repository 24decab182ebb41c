#pragma once
// script: what a Lua actor runs, built once and shared by every actor spawned from it (and
// by every restart of a supervised one). Three scripts, each from a file or a string; a
// missing one does nothing:
//
//   started   runs once when the actor starts (an error fails the spawn)
//   handle    runs for each message: ctx.msg is the message, its return value the reply
//   stopped   runs once when the actor exits (ctx.reason says why)
//
//   auto s = troupe::lua::builder{}
//                .on_handle("return ctx.msg + 42")
//                .add_recipient("callback", logger.addr())
//                .build();                       // syntax errors come back here
//   auto a = node.spawn<troupe::lua::script_actor>(s.value()).value();
//   a.ask(troupe::value{100}, 1s).get();         // 142
//
// Files are read by build(): a restart never touches the file system. The script is
// immutable after build(); copies share it. Thread contract: build() may run on any thread;
// a built script is read-only and may be shared across threads.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <troupe/address.hpp>
#include <troupe/clock.hpp>
#include <troupe/error.hpp>

struct lua_State;

namespace troupe::codec {
class registry;
}  // namespace troupe::codec

namespace troupe::lua {

/// What one Lua actor may use. A runaway script fails its own actor with a clear reason;
/// nothing else is affected.
struct limits {
    /// Bytes the actor's VM may allocate in all (its globals, ctx.state, messages).
    std::size_t memory = 64u << 20;
    /// Lua VM instructions per message (per run of started, handle or stopped, counting
    /// the time spent around ctx.send). Checked every 1000 instructions.
    std::uint64_t instructions = 100'000'000;
    /// Child actors ctx.spawn may start in one run (a loop of spawns is refused past it).
    std::uint32_t children = 1000;
};

/// Standard libraries beyond the sandbox. The sandbox has: basic functions (without
/// dofile, loadfile, and with load() restricted to text chunks), coroutine, string, table,
/// math and utf8. These are only opened when granted.
enum class library : std::uint8_t { os, io, debug, package };

/// A function that adds the host's own globals and modules to each new VM, after the
/// sandbox is set up and before any script runs. Runs inside a protected call: it may
/// raise Lua errors (the spawn then fails with the message). It may also throw.
using setup_fn = std::function<void(lua_State*)>;

/// One script's source text and the name Lua uses for it in errors ("handle:3: ...",
/// "scripts/handle.lua:3: ...").
struct source {
    std::string code;
    std::string chunk_name;
    bool empty() const noexcept { return code.empty(); }
};

namespace detail {
struct script_data;
}  // namespace detail

/// A built, syntax-checked script and its settings. Cheap to copy.
class script {
public:
    const source& started() const noexcept;
    const source& handle() const noexcept;
    const source& stopped() const noexcept;
    const lua::limits& limits() const noexcept;
    /// The default time-out of ctx.send.
    duration send_timeout() const noexcept;

    /// The same settings (limits, libraries, set-up, recipients, registry) with other
    /// scripts, checked like build(): what ctx.spawn and hot reload use.
    result<script> with_sources(source started, source handle, source stopped) const;

    const detail::script_data& data() const noexcept { return *data_; }

private:
    friend class builder;
    explicit script(std::shared_ptr<const detail::script_data> d) noexcept : data_(std::move(d)) {}
    std::shared_ptr<const detail::script_data> data_;
};

/// Builds a script. Each setter returns the builder, so calls chain.
class builder {
public:
    builder();
    ~builder();
    builder(const builder&);
    builder& operator=(const builder&);

    /// The scripts, as Lua source text (chunk names "started", "handle", "stopped")...
    builder& on_started(std::string code);
    builder& on_handle(std::string code);
    builder& on_stopped(std::string code);
    /// ...or read from files by build() (chunk names are the paths).
    builder& on_started_file(std::filesystem::path path);
    builder& on_handle_file(std::filesystem::path path);
    builder& on_stopped_file(std::filesystem::path path);

    /// A name the script can send to: ctx.send("callback", msg).
    builder& add_recipient(std::string name, address to);
    /// The registry through which the script reaches typed C++ actors: a recipient whose
    /// actor was exposed there (registry::expose) takes messages by type name, converted
    /// and checked by the codec. The registry must outlive the actors.
    builder& registry(codec::registry& reg);
    builder& limits(lua::limits l);
    /// Opens a library the sandbox leaves out.
    builder& grant(library lib);
    /// Adds a set-up function; they run in the order added.
    builder& setup(setup_fn fn);
    /// The time-out of ctx.send when the script gives none (5 s by default).
    builder& send_timeout(duration d);

    /// Reads the files and compiles each script in a scratch VM: a missing file or a syntax
    /// error is errc::invalid_argument with Lua's message ("handle:1: unexpected symbol
    /// near '+'"). Limits of zero are invalid too.
    result<script> build() const;

private:
    std::unique_ptr<detail::script_data> data_;
    std::filesystem::path started_path_, handle_path_, stopped_path_;
};

}  // namespace troupe::lua

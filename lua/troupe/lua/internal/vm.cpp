#include <algorithm>
#include <cstdlib>
#include <stdexcept>

#include <lua.hpp>

#include <troupe/lua/convert.hpp>
#include <troupe/lua/detail/script_data.hpp>
#include <troupe/lua/internal/ctx.hpp>
#include <troupe/lua/internal/sandbox.hpp>
#include <troupe/lua/internal/vm.hpp>

namespace troupe::lua::internal {

namespace {

/// The count hook runs every kSlice instructions: cheap, and a runaway loop is caught
/// within a microsecond or so of crossing the budget.
constexpr int kSlice = 1000;
/// What an error report (message, traceback) may allocate past the memory limit.
constexpr std::size_t kReportHeadroom = 256 * 1024;
/// An error text longer than this is cut (it becomes the exit reason, the log line and
/// the askers' error).
constexpr std::size_t kMaxErrorText = 4096;
/// What a timer costs beside its message (the timer, the scheduling).
constexpr std::size_t kTimerOverhead = 128;
/// ctx.spawn runs the child's started script inline: a started script that spawns itself
/// would recurse until the C stack ends.
constexpr int kMaxSpawnDepth = 16;
thread_local int spawn_depth = 0;
/// What the started scripts of children spawned inline cost: charged to the run that
/// spawned them, so a tree of spawns cannot multiply a run's budget.
struct inline_tally {
    std::uint64_t instructions = 0;
    std::uint32_t spawns = 0;
};
thread_local inline_tally tally;
/// The registry key of the weak-keyed set of threads the instruction limit stopped.
const char killed_key = 0;

std::string mib(std::size_t bytes) {
    if (bytes % (1u << 20) == 0) return std::to_string(bytes >> 20) + " MiB";
    return std::to_string(bytes) + " bytes";
}

/// At most kMaxErrorText bytes of `text` (only those are copied).
std::string cut(std::string_view text) {
    if (text.size() <= kMaxErrorText) return std::string{text};
    std::string out{text.substr(0, kMaxErrorText)};
    out += "... (" + std::to_string(text.size()) + " bytes in all)";
    return out;
}

}  // namespace

// --- allocation and the instruction budget ----------------------------------------------

void* vm::allocate(void* ud, void* ptr, std::size_t osize, std::size_t nsize) noexcept {
    auto& v = *static_cast<vm*>(ud);
    std::size_t old = ptr ? osize : 0;
    if (nsize == 0) {
        v.mem_used_ -= old;
        std::free(ptr);
        return nullptr;
    }
    std::size_t limit = v.mem_limit_ + (v.reporting_ ? kReportHeadroom : 0);
    bool grows = nsize > old;
    denial d{ptr, osize, nsize};
    if (grows && v.mem_used_ - old + nsize > limit) {
        // A refusal is a limit hit (a script may catch the error with pcall, so it is
        // remembered here, not read from the error), except when Lua collects garbage and
        // retries the same request at once, and the retry succeeds. String buffers
        // (string.rep, table.concat) call the allocator directly and never retry.
        if (v.last_denial_ == d) {
            v.last_denial_ = denial{};  // the retry failed too: the refusal stands
        } else {
            ++v.refusals_;
            v.last_denial_ = d;
        }
        return nullptr;
    }
    // Compared before realloc: `ptr` may not be looked at after it. Only the next growing
    // request can be the retry (a collection between them only frees and shrinks).
    bool retry = grows && v.last_denial_ == d;
    if (grows) v.last_denial_ = denial{};
    void* p = std::realloc(ptr, nsize);
    if (!p) return nullptr;
    if (retry) --v.refusals_;  // the retry after a collection: that refusal did no harm
    v.mem_used_ = v.mem_used_ - old + nsize;
    return p;
}

void vm::count_hook(lua_State* L, lua_Debug*) {
    vm& v = of(L);
    v.instructions_used_ += kSlice;
    auto budget = v.script_.limits().instructions;
    if (v.instructions_used_ <= budget) {
        v.collect_if_crowded(L);
        return;
    }
    // An error raised in a hook leaves that thread's hooks off if nothing inside it catches
    // the error: remember the thread (weakly: a collected thread's address is reused).
    v.reporting_ = true;  // room for the entry past a memory limit
    lua_rawgetp(L, LUA_REGISTRYINDEX, &killed_key);
    lua_pushthread(L);
    lua_pushboolean(L, 1);
    lua_rawset(L, -3);
    lua_pop(L, 1);
    v.reporting_ = false;
    over_budget(L, 0);
}

void vm::over_budget(lua_State* L, int level) {
    vm& v = of(L);
    v.budget_hit_ = true;
    // From now on every instruction raises, so a script that catches the error with pcall
    // cannot keep running: the error reaches the top at its next instruction.
    lua_sethook(L, &vm::count_hook, LUA_MASKCOUNT, 1);
    luaL_where(L, level);
    lua_pushfstring(L,
                    "instruction limit exceeded: more than %I instructions in one run "
                    "(limits::instructions)",
                    static_cast<lua_Integer>(v.script_.limits().instructions));
    lua_concat(L, 2);
    lua_error(L);
    std::abort();  // lua_error does not return
}

bool vm::stopped_by_budget(lua_State* L, int index) {
    index = lua_absindex(L, index);
    lua_rawgetp(L, LUA_REGISTRYINDEX, &killed_key);
    lua_pushvalue(L, index);
    bool killed = lua_rawget(L, -2) != LUA_TNIL;
    lua_pop(L, 2);
    return killed;
}

void vm::charge_thread(lua_State* L) {
    vm& v = of(L);
    v.instructions_used_ += kSlice;
    if (v.budget_hit_ || v.instructions_used_ > v.script_.limits().instructions) over_budget(L, 1);
}

std::string vm::budget_message() const {
    return "instruction limit exceeded: more than " +
           std::to_string(script_.limits().instructions) +
           " instructions in one run (limits::instructions)";
}

void vm::collect_if_crowded(lua_State* L) noexcept {
    if (mem_used_ <= collect_at_) return;
    lua_gc(L, LUA_GCCOLLECT);
    // Next when the heap has grown half-way to the limit again, and by at least a
    // sixteenth of it, so a script living near its limit does not collect all the time.
    std::size_t room = mem_limit_ > mem_used_ ? mem_limit_ - mem_used_ : 0;
    collect_at_ = mem_used_ + std::max(room / 2, mem_limit_ / 16);
}

void vm::make_room(lua_State* L, std::size_t bytes) noexcept {
    if (bytes <= mem_limit_ && mem_used_ + bytes > mem_limit_) lua_gc(L, LUA_GCCOLLECT);
}

void vm::arm_budget(lua_State* L) noexcept {
    instructions_used_ = 0;
    budget_hit_ = false;
    // A refusal in an earlier run (a failed reload) does not count against this one.
    refusals_ = 0;
    last_denial_ = denial{};
    output_left_ = mem_limit_;
    spawned_ = 0;
    lua_sethook(L, &vm::count_hook, LUA_MASKCOUNT, kSlice);
}

std::string vm::limit_reason(std::string fallback) const {
    if (mem_hit()) {
        return "memory limit exceeded: the script needed more than " + mib(mem_limit_) +
               " (limits::memory)";
    }
    if (budget_hit_ && fallback.find("instruction limit exceeded") == std::string::npos) {
        return budget_message();
    }
    return fallback;
}

// --- creation ------------------------------------------------------------------------------

vm& vm::of(lua_State* L) noexcept {
    return **static_cast<vm**>(lua_getextraspace(L));
}

vm::vm(script_actor& owner, const script& s)
    : owner_(owner), script_(s), mem_limit_(s.limits().memory), collect_at_(mem_limit_ / 4 * 3) {
    L_ = lua_newstate(&vm::allocate, this);
    if (!L_) {
        throw std::runtime_error("cannot create a Lua state within the memory limit of " +
                                 mib(mem_limit_) + " (limits::memory)");
    }
    // Threads copy the main thread's extra space when they are created: every thread of
    // this state finds its vm there.
    *static_cast<vm**>(lua_getextraspace(L_)) = this;
    lua_pushcfunction(L_, &vm::open);
    if (lua_pcall(L_, 0, 0, 0) != LUA_OK) {
        std::string why = limit_reason(describe_error(L_, LUA_ERRRUN));
        lua_close(L_);
        L_ = nullptr;
        throw std::runtime_error(why);
    }
}

vm::~vm() {
    if (L_) lua_close(L_);
}

int vm::open(lua_State* L) {
    vm& v = of(L);
    lua_newtable(L);  // the threads the instruction limit stopped, as weak keys
    lua_createtable(L, 0, 1);
    lua_pushliteral(L, "k");
    lua_setfield(L, -2, "__mode");
    lua_setmetatable(L, -2);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &killed_key);
    open_sandbox(L, v.script_.data());
    open_ctx(L);
    v.ctx_ref_ = luaL_ref(L, LUA_REGISTRYINDEX);
    for (const auto& fn : v.script_.data().setup) {
        try {
            fn(L);
        } catch (const std::exception& ex) {
            luaL_error(L, "a set-up function threw: %s", ex.what());
        }
    }
    v.co_ = lua_newthread(L);
    v.co_ref_ = luaL_ref(L, LUA_REGISTRYINDEX);
    if (auto r = v.load_scripts(v.script_); !r) {
        lua_pushstring(L, r.error().reason().c_str());
        return lua_error(L);
    }
    return 0;
}

result<void> vm::load_scripts(const script& s) {
    // Runs inside a protected call. Loads all three before replacing any.
    const source* sources[] = {&s.started(), &s.handle(), &s.stopped()};
    int refs[3] = {LUA_NOREF, LUA_NOREF, LUA_NOREF};
    for (int i = 0; i < 3; ++i) {
        if (sources[i]->empty()) continue;
        // "@": Lua shortens a long name from the front ("...scripts/handle.lua:3:"), so
        // that a deep file path keeps its file name; "=" would cut the end off.
        std::string name = "@" + sources[i]->chunk_name;
        if (luaL_loadbufferx(L_, sources[i]->code.data(), sources[i]->code.size(), name.c_str(),
                             "t") != LUA_OK) {
            std::string why = lua_tostring(L_, -1);
            lua_pop(L_, 1);
            for (int r : refs) luaL_unref(L_, LUA_REGISTRYINDEX, r);
            return error{errc::invalid_argument, limit_reason(std::move(why))};
        }
        refs[i] = luaL_ref(L_, LUA_REGISTRYINDEX);
    }
    for (int* slot : {&started_, &handle_, &stopped_}) luaL_unref(L_, LUA_REGISTRYINDEX, *slot);
    started_ = refs[0];
    handle_ = refs[1];
    stopped_ = refs[2];
    return {};
}

// --- started and stopped --------------------------------------------------------------------

int vm::capture_traceback(lua_State* L) {
    vm& v = of(L);
    // The report may allocate past a memory limit the script hit, within the headroom.
    v.reporting_ = true;
    std::size_t len = 0;
    const char* msg = lua_type(L, 1) == LUA_TSTRING ? lua_tolstring(L, 1, &len) : nullptr;
    std::string text = msg ? cut({msg, len}) : "(error object is not a string)";
    luaL_traceback(L, L, text.c_str(), 1);
    v.traceback_ = lua_tostring(L, -1);
    lua_pop(L, 1);
    v.reporting_ = false;
    return 1;  // the error object itself
}

namespace {
/// ctx[key] = the value on top (popped), without metamethods a script may have set.
void set_ctx_field(lua_State* L, int ctx, const char* key) {
    ctx = lua_absindex(L, ctx);
    lua_pushstring(L, key);
    lua_insert(L, -2);
    lua_rawset(L, ctx);
}
}  // namespace

int vm::run_protected_script(lua_State* L) {
    vm& v = of(L);
    int chunk = static_cast<int>(lua_tointeger(L, 1));
    lua_rawgeti(L, LUA_REGISTRYINDEX, v.ctx_ref_);
    int ctx = lua_gettop(L);
    lua_pushnil(L);
    set_ctx_field(L, ctx, "msg");
    if (v.phase_ == phase::stopped) {
        lua_pushlstring(L, v.stop_reason_.data(), v.stop_reason_.size());
        set_ctx_field(L, ctx, "reason");
    }
    lua_pop(L, 1);
    lua_rawgeti(L, LUA_REGISTRYINDEX, chunk);
    lua_call(L, 0, 0);
    return 0;
}

std::optional<std::string> vm::run_on_main(int chunk) {
    if (chunk == LUA_NOREF) return std::nullopt;
    arm_budget(L_);
    traceback_.clear();
    lua_pushcfunction(L_, &vm::capture_traceback);
    lua_pushcfunction(L_, &vm::run_protected_script);
    lua_pushinteger(L_, chunk);
    reporting_ = false;
    int status = lua_pcall(L_, 1, 0, -3);
    std::optional<std::string> failed;
    if (status != LUA_OK) {
        failed = limit_reason(describe_error(L_, status));
        lua_pop(L_, 1);
        if (traceback_.empty()) traceback_ = *failed;
    } else if (mem_hit() || budget_hit_) {
        failed = limit_reason({});
        traceback_ = *failed + " (the script caught the error; the actor fails anyway)";
    }
    lua_pop(L_, 1);  // the message handler
    return failed;
}

void vm::run_started() {
    phase_ = phase::started;
    auto failed = run_on_main(started_);
    phase_ = phase::idle;
    if (spawn_depth > 0) {  // spawned inline by a script: its run pays for this one
        tally.instructions += instructions_used_;
        tally.spawns += spawned_;
    }
    if (failed) {
        owner_.log().error("the started script failed: {}", traceback_);
        throw std::runtime_error(*failed);
    }
}

void vm::run_stopped(const exit_reason& reason) noexcept {
    try {
        phase_ = phase::stopped;
        stop_reason_ = reason.to_string();
        // A script that failed on a limit still gets a clean budget to say goodbye
        // (run_on_main arms one).
        if (auto failed = run_on_main(stopped_)) {
            owner_.log().error("the stopped script failed: {}", traceback_);
        }
    } catch (const std::exception& ex) {
        owner_.log().error("the stopped script could not run: {}", ex.what());
    }
    phase_ = phase::idle;
}

// --- handle --------------------------------------------------------------------------------

int vm::handle_entry(lua_State* L) {
    vm& v = of(L);
    lua_rawgeti(L, LUA_REGISTRYINDEX, v.ctx_ref_);
    push(L, *v.incoming_);
    lua_setfield(L, -2, "msg");  // ctx's metatable is locked and has no metamethods
    lua_pop(L, 1);
    lua_rawgeti(L, LUA_REGISTRYINDEX, v.handle_);
    lua_callk(L, 0, 1, 0, &vm::handle_done);
    return handle_done(L, LUA_OK, 0);
}

int vm::handle_done(lua_State*, int, lua_KContext) {
    return 1;  // the chunk's first result (nil if it returned none)
}

step vm::start(value msg) {
    phase_ = phase::handle;
    pending_.reset();
    arm_budget(co_);
    if (handle_ == LUA_NOREF) {
        phase_ = phase::idle;
        return step{};
    }
    incoming_ = &msg;
    lua_pushcfunction(co_, &vm::handle_entry);
    int nres = 0;
    int status = lua_resume(co_, nullptr, 0, &nres);
    incoming_ = nullptr;
    return after_resume(status, nres);
}

step vm::resume(result<value> reply) {
    pending_.reset();
    reply_ = &reply;
    int nres = 0;
    int status = lua_resume(co_, nullptr, 0, &nres);
    reply_ = nullptr;
    return after_resume(status, nres);
}

step vm::after_resume(int status, int nres) {
    if (status == LUA_YIELD) {
        lua_pop(co_, nres);
        if (pending_) return step{step::kind::send, {}, {}, {}};
        phase_ = phase::idle;
        return step{step::kind::failed,
                    {},
                    "the handle script yielded outside ctx.send (coroutine.yield in the "
                    "handler itself; yield only inside coroutines the script creates)",
                    {}};
    }
    if (status != LUA_OK) return failure(co_, status);
    phase_ = phase::idle;
    if (mem_hit() || budget_hit_) {
        auto why = limit_reason({});
        return step{step::kind::failed,
                    {},
                    why,
                    why + " (the script caught the error; the actor fails anyway)"};
    }
    // A scalar reply is a value's own size: only strings and tables count against what the
    // run may send.
    int type = lua_type(co_, -1);
    auto reply = type == LUA_TSTRING || type == LUA_TTABLE
                     ? to_value(co_, -1, output_left_, "reply")
                     : to_value(co_, -1, "reply");
    lua_pop(co_, nres);
    if (!reply) {
        return step{
            step::kind::failed,
            {},
            "the handle script returned a value that cannot be sent: " + reply.error().reason(),
            {}};
    }
    return step{step::kind::done, std::move(*reply), {}, {}};
}

template <class F>
bool vm::protect(F& f) {
    lua_pushcfunction(L_, [](lua_State* L) -> int {
        (*static_cast<F*>(lua_touserdata(L, 1)))(L);
        return 0;
    });
    lua_pushlightuserdata(L_, &f);
    if (lua_pcall(L_, 1, 0, 0) == LUA_OK) return true;
    lua_pop(L_, 1);
    return false;
}

step vm::failure(lua_State* thread, int status) {
    phase_ = phase::idle;
    step s;
    s.what = step::kind::failed;
    s.error = limit_reason(describe_error(thread, status));
    // The failed coroutine's stack is intact: walk it for the traceback, in a protected
    // call with room to allocate past a memory limit the script hit. The message is pushed
    // in there too: outside protection a refused allocation would abort the process.
    reporting_ = true;
    auto walk = [&](lua_State* L) {
        luaL_traceback(L, thread, s.error.c_str(), 0);
        s.traceback = lua_tostring(L, -1);
    };
    if (!protect(walk)) s.traceback = s.error + " (no traceback: not enough memory)";
    reporting_ = false;
    return s;
}

std::string vm::describe_error(lua_State* L, int status) const {
    if (status == LUA_ERRMEM) return "not enough memory";
    if (status != LUA_ERRRUN && status != LUA_ERRSYNTAX && status != LUA_ERRERR) {
        // The C++ build of Lua turns a C++ exception that is not a Lua error into this.
        return "a function called from Lua threw a C++ exception (functions bound to Lua "
               "must raise errors with lua_error or luaL_error)";
    }
    // Nothing here may allocate in the Lua heap: this runs outside protection.
    if (lua_type(L, -1) == LUA_TSTRING) {
        std::size_t len = 0;
        const char* text = lua_tolstring(L, -1, &len);
        return cut({text, len});
    }
    // error(42) reads "42", as Lua prints it; error({code = 7}) shows the table as a value
    // (a big one is shown as too large rather than converted whole).
    int type = lua_type(L, -1);
    if (type == LUA_TNUMBER || type == LUA_TTABLE) {
        std::size_t room = 4 * kMaxErrorText;
        if (auto v = to_value(L, -1, room, "error", 8)) {
            return cut(type == LUA_TNUMBER ? v->to_string() : "error object " + v->to_string());
        }
    }
    return std::string{"(error object is a "} + luaL_typename(L, -1) + " value)";
}

// --- reload --------------------------------------------------------------------------------

namespace {
struct reload_args {
    vm* self;
    const script* next;
    result<void> outcome;
};
}  // namespace

result<void> vm::reload(const script& given, reload_mode mode) {
    // Only the three scripts change: the limits, libraries, set-up, recipients, registry
    // and send time-out stay the running actor's, whatever `given` was built with.
    auto merged = script_.with_sources(given.started(), given.handle(), given.stopped());
    if (!merged) return merged.error();
    const script& next = *merged;
    // Load the new chunks under protection; the old ones stay if any fails to load.
    struct call {
        static int run(lua_State* L) {
            auto* a = static_cast<reload_args*>(lua_touserdata(L, 1));
            a->outcome = a->self->load_scripts(*a->next);
            return 0;
        }
    };
    int old_started = started_, old_handle = handle_, old_stopped = stopped_;
    // Keep the old chunks alive until the new ones are in place and started has run.
    started_ = handle_ = stopped_ = LUA_NOREF;
    reload_args args{this, &next, {}};
    lua_pushcfunction(L_, &call::run);
    lua_pushlightuserdata(L_, &args);
    if (lua_pcall(L_, 1, 0, 0) != LUA_OK) {
        args.outcome = error{errc::invalid_argument, limit_reason(describe_error(L_, LUA_ERRRUN))};
        lua_pop(L_, 1);
    }
    auto restore = [&] {
        for (int* slot : {&started_, &handle_, &stopped_}) luaL_unref(L_, LUA_REGISTRYINDEX, *slot);
        started_ = old_started;
        handle_ = old_handle;
        stopped_ = old_stopped;
    };
    if (!args.outcome) {
        restore();
        return args.outcome;
    }
    if (mode == reload_mode::fresh_state) {
        // A new ctx.state; the old one comes back if the new started fails. Raw accesses
        // (the script may have given ctx a metatable), under protection (they allocate).
        int old_state = LUA_NOREF;
        auto swap = [&](lua_State* L) {
            lua_rawgeti(L, LUA_REGISTRYINDEX, ctx_ref_);
            lua_pushliteral(L, "state");
            lua_rawget(L, -2);
            old_state = luaL_ref(L, LUA_REGISTRYINDEX);
            lua_newtable(L);
            set_ctx_field(L, -2, "state");
        };
        auto put_back = [&](lua_State* L) {
            lua_rawgeti(L, LUA_REGISTRYINDEX, ctx_ref_);
            lua_rawgeti(L, LUA_REGISTRYINDEX, old_state);
            set_ctx_field(L, -2, "state");
        };
        std::optional<std::string> failed;
        if (!protect(swap)) {
            failed = limit_reason("not enough memory for a new ctx.state");
        } else {
            phase_ = phase::started;
            failed = run_on_main(started_);
            phase_ = phase::idle;
            // Putting the old table back only stores into a field that exists.
            if (failed && !protect(put_back)) failed = *failed + " (and the old ctx.state is lost)";
        }
        luaL_unref(L_, LUA_REGISTRYINDEX, old_state);
        if (failed) {
            restore();
            return error{errc::start_failed, "the new started script failed: " + *failed};
        }
    }
    for (int r : {old_started, old_handle, old_stopped}) luaL_unref(L_, LUA_REGISTRYINDEX, r);
    script_ = next;
    return {};
}

// --- what ctx needs from the actor ---------------------------------------------------------

address vm::self() const noexcept {
    return owner_.addr();
}

node& vm::home() const noexcept {
    return owner_.home();
}

std::optional<address> vm::recipient(std::string_view name) const {
    for (const auto& [n, a] : script_.data().recipients)
        if (n == name) return a;
    return owner_.home().whereis(name);
}

std::optional<codec::endpoint> vm::endpoint_at(address a) const {
    if (auto* reg = script_.data().registry) return reg->endpoint_at(a);
    return std::nullopt;
}

void vm::tell(address to, value msg) {
    owner_.tell(to, std::move(msg));
}

result<void> vm::notify(value msg, std::optional<duration> delay, std::size_t bytes) {
    bytes += kTimerOverhead;
    std::size_t limit = script_.limits().memory;
    if (self_bytes_ + bytes > limit) {
        return error{errc::invalid_argument,
                     "the messages this actor sent itself and has not handled yet would take "
                     "more than " +
                         mib(limit) + " (limits::memory bounds them too)"};
    }
    self_bytes_ += bytes;
    detail::note n{std::move(msg), bytes};
    if (delay) {
        owner_.notify_later(*delay, std::move(n));
    } else {
        owner_.tell(owner_.addr(), std::move(n));
    }
    return {};
}

result<address> vm::spawn(const script& child, bool link, std::string name) {
    if (budget_hit_ || instructions_used_ > script_.limits().instructions) {
        budget_hit_ = true;
        return error{errc::invalid_argument, budget_message()};
    }
    if (spawned_ >= script_.limits().children) {
        return error{errc::invalid_argument,
                     "more than " + std::to_string(script_.limits().children) +
                         " children in one run, counting those their started scripts spawn "
                         "(limits::children)"};
    }
    if (spawn_depth >= kMaxSpawnDepth) {
        return error{errc::invalid_argument,
                     "started scripts spawning children nest more than " +
                         std::to_string(kMaxSpawnDepth) +
                         " deep (does a started script spawn a copy of itself?)"};
    }
    ++spawned_;
    // The child's started script runs now, inside this call: what it (and what it spawns)
    // costs is this run's.
    struct nesting {
        inline_tally saved = tally;
        nesting() {
            tally = {};
            ++spawn_depth;
        }
        ~nesting() {
            --spawn_depth;
            tally = saved;
        }
    };
    inline_tally cost;
    auto r = [&] {
        nesting nested;
        auto out = spawn_child(child, link, std::move(name));
        cost = tally;
        return out;
    }();
    instructions_used_ += cost.instructions;
    spawned_ += cost.spawns;
    return r;
}

result<address> vm::spawn_child(const script& child, bool link, std::string name) {
    spawn_options opts;
    opts.link = link;
    // A named child is registered under its name (so scripts reach it with ctx.send(name)
    // and ctx.whereis(name)); the name also labels its log lines.
    opts.register_as = name;
    opts.name = std::move(name);
    auto r = owner_.home().spawn_with<script_actor>(opts, child);
    if (!r) return r.error();
    return r->addr();
}

void vm::terminate() {
    terminate_requested_ = true;
    owner_.quit();
}

void vm::log(log_level level, std::string_view text) const {
    auto lg = owner_.log();
    switch (level) {
        case log_level::trace:
            lg.trace("{}", text);
            break;
        case log_level::debug:
            lg.debug("{}", text);
            break;
        case log_level::info:
            lg.info("{}", text);
            break;
        case log_level::warn:
            lg.warn("{}", text);
            break;
        case log_level::error:
        case log_level::off:
            lg.error("{}", text);
            break;
    }
}

}  // namespace troupe::lua::internal

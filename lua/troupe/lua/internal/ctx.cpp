// The ctx table: what a script sees of its actor (docs/lua.md lists it with examples).
// Every function checks its arguments and raises a Lua error naming the function and the
// wrong value, so a script can pcall it and a failure points at the script's line.

#include <charconv>
#include <cmath>
#include <exception>
#include <new>
#include <string>

#include <lua.hpp>

#include <troupe/codec/registry.hpp>
#include <troupe/lua/convert.hpp>
#include <troupe/lua/detail/script_data.hpp>
#include <troupe/lua/internal/ctx.hpp>
#include <troupe/lua/internal/vm.hpp>

namespace troupe::lua::internal {

namespace {

/// Raises `msg` as a Lua error at the calling script's line.
[[noreturn]] void raise(lua_State* L, std::string_view msg) {
    luaL_where(L, 1);
    lua_pushlstring(L, msg.data(), msg.size());
    lua_concat(L, 2);
    lua_error(L);
    std::abort();  // lua_error does not return
}

std::string_view string_at(lua_State* L, int index) {
    std::size_t len = 0;
    const char* s = lua_tolstring(L, index, &len);
    return {s, len};
}

/// A recipient: a name ("callback", a registered name) or an address string ("<fff8:3>").
struct target {
    address to;
    std::optional<codec::endpoint> endpoint;
    std::string_view name;  // how the script named it (valid during the call)

    /// For errors only (it formats the address): "\"callback\" (<fff8:3>)" or "<fff8:3>".
    std::string label() const {
        if (!name.empty() && name.front() == '<') return std::string{name};
        // Appended piece by piece: GCC 12 warns (-Wrestrict, a false positive) about
        // "\"" + std::string here.
        std::string out;
        out.reserve(name.size() + 16);
        out.append(1, '"').append(name).append("\" (").append(to.to_string()).append(1, ')');
        return out;
    }
};

target resolve(lua_State* L, int index, const char* fn) {
    vm& v = vm::of(L);
    if (lua_type(L, index) != LUA_TSTRING) {
        raise(L, std::string{fn} +
                     ": the recipient must be a name or an address string such "
                     "as \"<fff8:3>\", got a " +
                     luaL_typename(L, index));
    }
    auto text = string_at(L, index);
    target t;
    if (!text.empty() && text.front() == '<') {
        auto a = address::parse(text);
        if (!a) raise(L, std::string{fn} + ": \"" + std::string{text} + "\" is not an address");
        t.to = *a;
    } else {
        auto a = v.recipient(text);
        if (!a) {
            raise(L, std::string{fn} + ": no recipient named \"" + std::string{text} +
                         "\" (add it with builder::add_recipient, or register the actor under "
                         "that name)");
        }
        t.to = *a;
    }
    t.name = text;
    t.endpoint = v.endpoint_at(t.to);
    return t;
}

/// The message at `index` as a value, counted against what the run may send; raises
/// naming the bad part.
value message_at(lua_State* L, int index, const char* fn) {
    auto v = to_value(L, index, vm::of(L).output_left(), "msg");
    if (!v) raise(L, std::string{fn} + ": " + v.error().reason());
    return std::move(*v);
}

}  // namespace

void charge_log(lua_State* L, std::size_t bytes, const char* fn) {
    auto& left = vm::of(L).output_left();
    if (bytes > left) {
        raise(L, std::string{fn} +
                     ": what this run logged and sent passes limits::memory (the bound on "
                     "what one run may make C++ hold)");
    }
    left -= bytes;
}

namespace {

/// Refuses what would only reach the actor after it has exited.
void refuse_when_stopping(lua_State* L, const char* fn) {
    if (vm::of(L).where() == phase::stopped) {
        raise(L, std::string{fn} +
                     ": the actor is stopping (this is the stopped script); nothing sent to "
                     "itself now would be handled");
    }
}

/// seconds -> duration, for time-outs and delays.
duration seconds_at(lua_State* L, int index, const char* fn, const char* what, bool allow_zero) {
    if (!lua_isnumber(L, index)) {
        raise(L, std::string{fn} + ": " + what + " must be a number of seconds, got a " +
                     luaL_typename(L, index));
    }
    double s = lua_tonumber(L, index);
    constexpr double max_seconds = 366.0 * 24 * 3600;  // a year: far enough, and no overflow
    if (!std::isfinite(s) || s < 0 || (s == 0 && !allow_zero) || s > max_seconds) {
        raise(L, std::string{fn} + ": " + what + " must be " +
                     (allow_zero ? "between 0" : "above 0") + " and a year in seconds, got " +
                     std::string{luaL_tolstring(L, index, nullptr)});
    }
    return std::chrono::duration_cast<duration>(std::chrono::duration<double>(s));
}

/// For a typed recipient: the type name at `index`, checked against what the actor handles.
std::string type_at(lua_State* L, int index, const target& t, const char* fn) {
    std::string handled;
    for (auto name : t.endpoint->message_types()) {
        handled += handled.empty() ? "" : ", ";
        handled += name;
    }
    if (lua_type(L, index) != LUA_TSTRING) {
        raise(L, std::string{fn} + ": " + t.label() +
                     " is a typed actor: name the message type, as in " + fn +
                     "(to, \"Type\", "
                     "msg) (it handles " +
                     handled + ")");
    }
    std::string type{string_at(L, index)};
    if (!t.endpoint->find(type)) {
        raise(L, std::string{fn} + ": " + t.label() + " handles no message named \"" + type +
                     "\" (it handles " + handled + ")");
    }
    return type;
}

/// True when the call looks typed, (to, "Type", msg, ...), but `t` has no endpoint: the
/// recipient is gone (a typed actor that exited is no longer in the registry), or it is an
/// untyped actor. Raises for a live untyped recipient, since the type name would otherwise
/// be sent as the message; returns true for a gone one.
bool typed_call_to_untyped(lua_State* L, const target& t, const char* fn, const char* usage) {
    if (t.endpoint || lua_type(L, 2) != LUA_TSTRING || lua_type(L, 3) != LUA_TTABLE) return false;
    if (!vm::of(L).home().is_alive(t.to)) return true;
    raise(L, std::string{fn} + ": " + t.label() +
                 " is not a typed actor (none exposed in the script's registry at that "
                 "address): call " +
                 usage);
}

// --- the functions ---------------------------------------------------------------------------

int send_done(lua_State* L, int, lua_KContext) {
    vm& v = vm::of(L);
    result<value>* r = v.reply();
    if (!r) raise(L, "ctx.send: resumed without a reply");
    if (*r) {
        push(L, **r);
        return 1;
    }
    raise(L, "ctx.send: " + r->error().message());
}

/// Checks the arguments of ctx.send and leaves the request with the vm.
int prepare_send(lua_State* L) {
    vm& v = vm::of(L);
    if (v.where() != phase::handle) {
        raise(L,
              "ctx.send: only the handle script can wait for a reply (started and stopped "
              "cannot); use ctx.do_send there");
    }
    if (L != v.handler_thread()) {
        raise(L,
              "ctx.send: cannot wait inside a coroutine the script created; call it from "
              "the handler itself");
    }
    if (!lua_isyieldable(L)) {
        raise(L,
              "ctx.send: cannot wait inside a function called from C (a table.sort "
              "comparator, a string.gsub replacement, a metamethod, load's reader); call it "
              "from the handler itself");
    }
    target t = resolve(L, 1, "ctx.send");
    if (typed_call_to_untyped(L, t, "ctx.send", "ctx.send(to, msg [, seconds])")) {
        // The same error an ask to a missing actor gives, not a complaint about the time-out.
        raise(L, "ctx.send: " +
                     error{errc::no_such_actor, "no actor at " + t.to.to_string()}.message());
    }
    if (t.to == v.self()) {
        raise(L,
              "ctx.send: an actor cannot wait for its own reply (it handles one message at "
              "a time); use ctx.notify");
    }
    send_request req;
    int next = 2;
    if (t.endpoint) req.type = type_at(L, next++, t, "ctx.send");
    req.msg = message_at(L, next++, "ctx.send");
    req.timeout = lua_isnoneornil(L, next) ? v.current().send_timeout()
                                           : seconds_at(L, next, "ctx.send", "the time-out", false);
    req.to = t.to;
    req.endpoint = std::move(t.endpoint);
    v.set_pending(std::move(req));
    return 0;
}

/// Runs a ctx function, turning a C++ exception (out of memory in C++, say) into a Lua
/// error: the C++ build of Lua would otherwise report it as a broken status that pcall
/// does not see. Lua's own errors and yields are not std::exceptions and pass through.
template <int (*F)(lua_State*)>
int guarded(lua_State* L) {
    std::string what;
    try {
        return F(L);
    } catch (const std::bad_alloc&) {
        what = "out of memory (C++)";
    } catch (const std::exception& ex) {
        what = ex.what();
    }
    raise(L, "a ctx function failed: " + what);
}

int ctx_send(lua_State* L) {
    guarded<prepare_send>(L);
    // With the C++ build of Lua a yield is an exception: nothing with a destructor may be
    // alive in this frame, or the unwinder stops here for it and starts over (a third of
    // the cost of a ctx.send).
    return lua_yieldk(L, 0, 0, &send_done);
}

/// ctx.notify and ctx.notify_later: the message at `index`, to the actor itself.
void notify_self(lua_State* L, int index, std::optional<duration> delay, const char* fn) {
    vm& v = vm::of(L);
    refuse_when_stopping(L, fn);
    std::size_t before = v.output_left();
    auto msg = message_at(L, index, fn);
    auto sent = v.notify(std::move(msg), delay, before - v.output_left());
    if (!sent) raise(L, std::string{fn} + ": " + sent.error().reason());
}

int ctx_do_send(lua_State* L) {
    vm& v = vm::of(L);
    target t = resolve(L, 1, "ctx.do_send");
    if (t.to == v.self() && !t.endpoint) {
        // To itself: counted as ctx.notify is, so that it cannot fill its own mailbox.
        notify_self(L, 2, std::nullopt, "ctx.do_send");
        return 0;
    }
    if (typed_call_to_untyped(L, t, "ctx.do_send", "ctx.do_send(to, msg)")) {
        // A typed actor that has exited: a dead letter, as for any tell.
        v.tell(t.to, message_at(L, 3, "ctx.do_send"));
        return 0;
    }
    if (t.endpoint) {
        auto type = type_at(L, 2, t, "ctx.do_send");
        auto msg = message_at(L, 3, "ctx.do_send");
        auto r = t.endpoint->tell(type, msg);
        // A conversion error is the script's; delivery failures are dead letters, as for
        // any tell.
        if (!r && (r.error() == errc::bad_message || r.error() == errc::not_found))
            raise(L, "ctx.do_send: " + r.error().message());
        return 0;
    }
    v.tell(t.to, message_at(L, 2, "ctx.do_send"));
    return 0;
}

int ctx_notify(lua_State* L) {
    notify_self(L, 1, std::nullopt, "ctx.notify");
    return 0;
}

int ctx_notify_later(lua_State* L) {
    auto delay = seconds_at(L, 2, "ctx.notify_later", "the delay", true);
    notify_self(L, 1, delay, "ctx.notify_later");
    return 0;
}

int ctx_terminate(lua_State* L) {
    vm::of(L).terminate();
    return 0;
}

int ctx_whereis(lua_State* L) {
    auto name = luaL_checkstring(L, 1);
    if (auto a = vm::of(L).home().whereis(name)) {
        auto s = a->to_string();
        lua_pushlstring(L, s.data(), s.size());
    } else {
        lua_pushnil(L);
    }
    return 1;
}

/// ctx.spawn{handle = "...", started = "...", stopped = "...", name = "...", link = true}
int ctx_spawn(lua_State* L) {
    vm& v = vm::of(L);
    luaL_checktype(L, 1, LUA_TTABLE);
    auto field = [&](const char* key) -> std::string {
        int type = lua_getfield(L, 1, key);
        std::string out;
        if (type == LUA_TSTRING) {
            out = std::string{string_at(L, -1)};
        } else if (type != LUA_TNIL) {
            raise(L, std::string{"ctx.spawn: "} + key + " must be a string of Lua source, got a " +
                         luaL_typename(L, -1));
        }
        lua_pop(L, 1);
        return out;
    };
    source started{field("started"), "started"};
    source handle{field("handle"), "handle"};
    source stopped{field("stopped"), "stopped"};
    std::string name = field("name");
    // The child's sources stay in C++ memory: they count against what this run may send.
    std::size_t bytes =
        started.code.size() + handle.code.size() + stopped.code.size() + name.size();
    if (bytes > v.output_left()) {
        raise(L,
              "ctx.spawn: the child's scripts, with what this run sent before, take more than "
              "limits::memory allows one run to send");
    }
    v.output_left() -= bytes;
    bool link = true;
    if (lua_getfield(L, 1, "link") != LUA_TNIL) link = lua_toboolean(L, -1);
    lua_pop(L, 1);
    auto child =
        v.current().with_sources(std::move(started), std::move(handle), std::move(stopped));
    if (!child) raise(L, "ctx.spawn: " + child.error().reason());
    auto a = v.spawn(*child, link, std::move(name));
    if (!a) raise(L, "ctx.spawn: " + a.error().message());
    auto s = a->to_string();
    lua_pushlstring(L, s.data(), s.size());
    return 1;
}

/// ctx.log(level, ...): level is "trace", "debug", "info", "warn" or "error".
int ctx_log(lua_State* L) {
    static const char* const names[] = {"trace", "debug", "info", "warn", "error", nullptr};
    int level = luaL_checkoption(L, 1, nullptr, names);
    int n = lua_gettop(L);
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    for (int i = 2; i <= n; ++i) {
        if (i > 2) luaL_addchar(&b, ' ');
        luaL_tolstring(L, i, nullptr);
        luaL_addvalue(&b);
    }
    luaL_pushresult(&b);
    auto text = string_at(L, -1);
    charge_log(L, text.size(), "ctx.log");
    vm::of(L).log(static_cast<log_level>(level), text);
    return 0;
}

/// ctx.array(t): marks t (or a new table) as an array, so that an empty one stays an array.
int ctx_array(lua_State* L) {
    if (lua_isnoneornil(L, 1)) {
        lua_settop(L, 0);
        lua_newtable(L);
    }
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_settop(L, 1);
    mark_array(L, 1);
    return 1;
}

}  // namespace

void open_ctx(lua_State* L) {
    static const luaL_Reg functions[] = {
        {"send", ctx_send},
        {"do_send", guarded<ctx_do_send>},
        {"notify", guarded<ctx_notify>},
        {"notify_later", guarded<ctx_notify_later>},
        {"terminate", ctx_terminate},
        {"whereis", guarded<ctx_whereis>},
        {"spawn", guarded<ctx_spawn>},
        {"log", guarded<ctx_log>},
        {"array", ctx_array},
        {nullptr, nullptr},
    };
    luaL_newlib(L, functions);
    lua_newtable(L);
    lua_setfield(L, -2, "state");
    auto self = vm::of(L).self().to_string();
    lua_pushlstring(L, self.data(), self.size());
    lua_setfield(L, -2, "self");
    // ctx is the runtime's: a metatable of the script's would run its code whenever the
    // runtime sets ctx.msg. A locked, empty metatable keeps it off.
    lua_createtable(L, 0, 1);
    lua_pushliteral(L, "ctx");
    lua_setfield(L, -2, "__metatable");
    lua_setmetatable(L, -2);
    lua_pushvalue(L, -1);
    lua_setglobal(L, "ctx");
}

}  // namespace troupe::lua::internal

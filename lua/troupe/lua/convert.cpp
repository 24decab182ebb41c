#include <simdjson.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <string>
#include <vector>

#include <lua.hpp>

#include <troupe/lua/convert.hpp>

namespace troupe::lua {

namespace {

/// The registry key of the array metatable (its address is the key).
const char array_key = 0;

void push_array_metatable(lua_State* L) {
    if (lua_rawgetp(L, LUA_REGISTRYINDEX, &array_key) != LUA_TNIL) return;
    lua_pop(L, 1);
    lua_createtable(L, 0, 2);
    lua_pushliteral(L, "troupe.array");
    lua_setfield(L, -2, "__name");
    // Shared by every marked table: scripts see this string, not the table, so that none
    // can give it metamethods (a __gc would run outside the instruction limit).
    lua_pushliteral(L, "troupe.array");
    lua_setfield(L, -2, "__metatable");
    lua_pushvalue(L, -1);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &array_key);
}

/// A key written as ".key" in a path: a short identifier. Others are ["..."], shortened.
bool is_identifier(std::string_view s) {
    if (s.empty() || s.size() > 64 || (s[0] >= '0' && s[0] <= '9')) return false;
    for (char c : s) {
        bool ok =
            (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
        if (!ok) return false;
    }
    return true;
}

/// A key as it appears in a path, printable and at most 64 characters.
std::string printable(std::string_view key) {
    std::string out;
    for (char c : key.substr(0, 64)) {
        auto u = static_cast<unsigned char>(c);
        out += (u < 0x20 || u >= 0x7f || c == '"' || c == '\\') ? '?' : c;
    }
    if (key.size() > 64) out += "...";
    return out;
}

std::string number_text(lua_State* L, int index) {
    if (lua_isinteger(L, index)) return std::to_string(lua_tointeger(L, index));
    char buf[32];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, lua_tonumber(L, index));
    return ec == std::errc{} ? std::string{buf, end} : std::string{"a float"};
}

/// What a converted value may take at least, and at most this many times the Lua heap
/// (a tree of tables converts to a few times its size in Lua; more means sharing).
constexpr std::size_t kMinOutput = std::size_t{64} << 20;
constexpr std::size_t kHeapFactor = 8;

/// The bytes a conversion of L's values may produce: a table referenced many times (t =
/// {t, t} nested 60 deep) or one big string in many slots would otherwise expand without
/// end, in C++ code outside the instruction and memory limits. Whole MiB.
std::size_t output_budget(lua_State* L) {
    int kib = lua_gc(L, LUA_GCCOUNT);  // -1 while a finalizer runs: use the floor
    std::size_t heap = kib > 0 ? static_cast<std::size_t>(kib) << 10 : 0;
    std::size_t budget = std::max(kMinOutput, heap * kHeapFactor);
    constexpr std::size_t mib = std::size_t{1} << 20;
    return (budget + mib - 1) / mib * mib;
}

/// Lua -> value. Never raises: only non-raising API calls (no metamethods, no allocation
/// in the Lua heap).
class reader {
public:
    reader(lua_State* L, std::string_view root, std::size_t max_depth)
        : L_(L), root_(root), max_depth_(max_depth), budget_(output_budget(L)), left_(budget_) {}
    /// Within a budget the caller keeps (the messages of one run).
    reader(lua_State* L, std::string_view root, std::size_t max_depth, std::size_t budget)
        : L_(L),
          root_(root),
          max_depth_(max_depth),
          budget_(budget),
          left_(budget),
          shared_budget_(true) {}

    result<value> read(int index) {
        value out;
        if (!convert(lua_absindex(L_, index), out))
            return error{errc::bad_message, std::move(why_)};
        return out;
    }

    std::size_t used() const noexcept { return budget_ - left_; }

private:
    struct segment {
        std::string_view key;  // empty: an array index
        lua_Integer index = 0;
    };

    bool fail(std::string what) {
        why_ = path() + ": " + std::move(what);
        return false;
    }

    /// Counts `n` bytes of output against the budget.
    bool charge(std::size_t n) {
        if (n <= left_) {
            left_ -= n;
            return true;
        }
        if (shared_budget_) {
            return fail(
                "the value is too large to send: what one run sends may take up to "
                "limits::memory once converted, and this would pass it (a table or string "
                "that appears several times counts each time)");
        }
        return fail("the value is too large to send: more than " + std::to_string(budget_ >> 20) +
                    " MiB once converted (a table or string that appears several times counts "
                    "each time)");
    }

    std::string path() const {
        std::string p{root_};
        for (const auto& s : path_) {
            if (s.key.data() == nullptr) {
                p += '[';
                p += std::to_string(s.index);
                p += ']';
            } else if (is_identifier(s.key)) {
                p += ".";
                p += s.key;
            } else {
                p += "[\"";
                p += printable(s.key);
                p += "\"]";
            }
        }
        return p;
    }

    bool convert(int index, value& out) {
        if (!charge(sizeof(value))) return false;
        switch (lua_type(L_, index)) {
            case LUA_TNIL:
                out = value{};
                return true;
            case LUA_TBOOLEAN:
                out = value{lua_toboolean(L_, index) != 0};
                return true;
            case LUA_TNUMBER:
                if (lua_isinteger(L_, index)) {
                    out = value{static_cast<std::int64_t>(lua_tointeger(L_, index))};
                } else {
                    out = value{static_cast<double>(lua_tonumber(L_, index))};
                }
                return true;
            case LUA_TSTRING: {
                std::size_t len = 0;
                const char* s = lua_tolstring(L_, index, &len);
                if (!charge(len)) return false;
                if (simdjson::validate_utf8(s, len)) {
                    out = value{std::string{s, len}};
                } else {
                    const auto* p = reinterpret_cast<const std::byte*>(s);
                    out = value{troupe::bytes(p, p + len)};
                }
                return true;
            }
            case LUA_TTABLE:
                return table(index, out);
            default:
                return fail(std::string{"a "} + lua_typename(L_, lua_type(L_, index)) +
                            " cannot be sent (only nil, booleans, numbers, strings and tables "
                            "of them)");
        }
    }

    bool is_marked_array(int index) {
        if (!lua_getmetatable(L_, index)) return false;
        lua_rawgetp(L_, LUA_REGISTRYINDEX, &array_key);
        bool marked = lua_rawequal(L_, -1, -2);
        lua_pop(L_, 2);
        return marked;
    }

    bool table(int index, value& out) {
        if (open_.size() >= max_depth_) {
            return fail("nested deeper than " + std::to_string(max_depth_) + " levels");
        }
        const void* self = lua_topointer(L_, index);
        for (const void* t : open_)
            if (t == self) return fail("the table contains itself (a cycle cannot be sent)");
        if (!lua_checkstack(L_, 4)) return fail("too deeply nested for the Lua stack");

        // First pass: what kind of keys? Arrays have exactly the integer keys 1..n.
        std::size_t ints = 0, strings = 0;
        lua_Integer max_int = 0;
        lua_pushnil(L_);
        while (lua_next(L_, index) != 0) {
            lua_pop(L_, 1);  // the value
            int kt = lua_type(L_, -1);
            if (kt == LUA_TNUMBER && lua_isinteger(L_, -1) && lua_tointeger(L_, -1) >= 1) {
                ++ints;
                max_int = std::max(max_int, lua_tointeger(L_, -1));
            } else if (kt == LUA_TSTRING) {
                ++strings;
            } else {
                std::string key = kt == LUA_TNUMBER
                                      ? "the key " + number_text(L_, -1)
                                      : std::string{"a "} + lua_typename(L_, kt) + " key";
                lua_pop(L_, 1);
                return fail(key +
                            " cannot be sent: a table is an array (keys 1..n) or a map "
                            "(string keys)");
            }
        }
        if (ints > 0 && strings > 0) {
            return fail(
                "the table mixes array items (keys 1..n) and string keys; send one or "
                "the other");
        }
        if (ints > 0 && static_cast<lua_Integer>(ints) != max_int) {
            return fail("the array has a gap: " + std::to_string(ints) + " items but the key " +
                        std::to_string(max_int) + " (nil cannot be an array item)");
        }
        bool marked = is_marked_array(index);
        if (marked && strings > 0) {
            return fail("a table marked with ctx.array has string keys");
        }

        open_.push_back(self);
        bool ok = ints > 0 || marked ? array(index, ints, out) : map(index, strings, out);
        open_.pop_back();
        return ok;
    }

    bool array(int index, std::size_t n, value& out) {
        value::array items(n);
        for (std::size_t i = 0; i < n; ++i) {
            lua_rawgeti(L_, index, static_cast<lua_Integer>(i + 1));
            path_.push_back(segment{{}, static_cast<lua_Integer>(i + 1)});
            bool ok = convert(lua_gettop(L_), items[i]);
            path_.pop_back();
            lua_pop(L_, 1);
            if (!ok) return false;
        }
        out = value{std::move(items)};
        return true;
    }

    bool map(int index, std::size_t n, value& out) {
        value::map fields;
        fields.reserve(n);
        lua_pushnil(L_);
        while (lua_next(L_, index) != 0) {
            std::size_t len = 0;
            const char* k = lua_tolstring(L_, -2, &len);  // a string: no conversion in place
            path_.push_back(segment{{k, len}, 0});
            value v;
            bool ok = charge(sizeof(std::string) + len) && convert(lua_gettop(L_), v);
            path_.pop_back();
            lua_pop(L_, 1);
            if (!ok) {
                lua_pop(L_, 1);
                return false;
            }
            fields.append_unique(std::string{k, len}, std::move(v));
        }
        out = value{std::move(fields)};
        return true;
    }

    lua_State* L_;
    std::string_view root_;
    std::size_t max_depth_;
    std::size_t budget_;
    std::size_t left_;  // of budget_
    bool shared_budget_ = false;
    std::vector<const void*> open_;  // the tables on the current path
    std::vector<segment> path_;
    std::string why_;
};

}  // namespace

void mark_array(lua_State* L, int index) {
    index = lua_absindex(L, index);
    push_array_metatable(L);
    lua_setmetatable(L, index);
}

void push(lua_State* L, const value& v) {
    luaL_checkstack(L, 3, "a message nested too deeply for the Lua stack");
    switch (v.type()) {
        case value::kind::nil:
            lua_pushnil(L);
            return;
        case value::kind::boolean:
            lua_pushboolean(L, v.as_bool());
            return;
        case value::kind::int64:
            lua_pushinteger(L, v.as_int64());
            return;
        case value::kind::float64:
            lua_pushnumber(L, v.as_double());
            return;
        case value::kind::string: {
            const auto& s = v.as_string();
            lua_pushlstring(L, s.data(), s.size());
            return;
        }
        case value::kind::bytes: {
            const auto& b = v.as_bytes();
            lua_pushlstring(L, reinterpret_cast<const char*>(b.data()), b.size());
            return;
        }
        case value::kind::array: {
            const auto& items = v.as_array();
            lua_createtable(L, static_cast<int>(std::min<std::size_t>(items.size(), INT32_MAX)), 0);
            lua_Integer i = 0;
            for (const auto& item : items) {
                push(L, item);
                lua_rawseti(L, -2, ++i);
            }
            if (items.empty()) mark_array(L, -1);
            return;
        }
        case value::kind::map: {
            const auto& fields = v.as_map();
            lua_createtable(L, 0,
                            static_cast<int>(std::min<std::size_t>(fields.size(), INT32_MAX)));
            for (const auto& [key, item] : fields) {
                lua_pushlstring(L, key.data(), key.size());
                push(L, item);
                lua_rawset(L, -3);
            }
            return;
        }
    }
}

result<value> to_value(lua_State* L, int index, std::string_view path, std::size_t max_depth) {
    // Scalars, the common reply, need no reader (nor its output budget).
    switch (lua_type(L, index)) {
        case LUA_TNIL:
            return value{};
        case LUA_TBOOLEAN:
            return value{lua_toboolean(L, index) != 0};
        case LUA_TNUMBER:
            if (lua_isinteger(L, index))
                return value{static_cast<std::int64_t>(lua_tointeger(L, index))};
            return value{static_cast<double>(lua_tonumber(L, index))};
        default:
            return reader{L, path, max_depth}.read(index);
    }
}

result<value> to_value(lua_State* L, int index, std::size_t& bytes_left, std::string_view path,
                       std::size_t max_depth) {
    int type = lua_type(L, index);
    if ((type == LUA_TNIL || type == LUA_TBOOLEAN || type == LUA_TNUMBER) &&
        bytes_left >= sizeof(value)) {
        bytes_left -= sizeof(value);
        return to_value(L, index, path, max_depth);  // a scalar: no reader
    }
    reader r{L, path, max_depth, bytes_left};
    auto out = r.read(index);
    if (out) bytes_left -= r.used();
    return out;
}

}  // namespace troupe::lua

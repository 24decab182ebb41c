// Lua values <-> troupe::value, as the table in convert.hpp says: through an actor (a
// message in, a reply out, and the arguments of ctx.send and ctx.notify), and through the
// public push()/to_value() on a bare lua_State, with a randomised round trip.

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <lua.hpp>

#include <troupe/lua/convert.hpp>
#include <troupe/lua/script_actor.hpp>
#include <troupe/testing/runtime.hpp>

#include "support/lua_test.hpp"

using namespace lua_test;
using testing::HasSubstr;
using testing::StartsWith;

namespace {

// --- through an actor ------------------------------------------------------------------------

/// One Lua actor on the deterministic runtime, asked one message at a time.
class LuaConvert : public ::testing::Test {
protected:
    troupe::ref<lua::script_actor> spawn(const std::string& handle) {
        return lua_test::spawn(rt, handler(handle));
    }

    /// The reply of a fresh actor running `handle` to `msg`.
    troupe::result<value> reply(const std::string& handle, value msg = {}) {
        auto a = spawn(handle);
        return a.ask(std::move(msg), 1s).get();
    }

    /// The exit reason of an actor whose reply cannot be converted (the ask must fail).
    std::string failure(const std::string& handle, value msg = {}) {
        return crash(spawn(handle), std::move(msg)).to_string();
    }

    troupe::testing::runtime rt;
};

/// The exit reason an unsendable reply gives, for `what` at `path`.
std::string reply_error(const std::string& path_and_what) {
    return "error{the handle script returned a value that cannot be sent: " + path_and_what + "}";
}

const std::string only_plain =
    " cannot be sent (only nil, booleans, numbers, strings and tables of them)";

TEST_F(LuaConvert, IntegersAndFloatsStayApartInReplies) {
    EXPECT_EQ(reply("return 1").value(), value{std::int64_t{1}});
    EXPECT_TRUE(reply("return 1").value().is_int64());
    EXPECT_EQ(reply("return 1.0").value(), value{1.0});
    EXPECT_TRUE(reply("return 1.0").value().is_double());
    EXPECT_TRUE(reply("return 3 / 1").value().is_double());  // '/' always makes a float
    EXPECT_TRUE(reply("return 7 // 2").value().is_int64());
    EXPECT_EQ(reply("return math.maxinteger").value(),
              value{std::numeric_limits<std::int64_t>::max()});
    EXPECT_EQ(reply("return math.mininteger").value(),
              value{std::numeric_limits<std::int64_t>::min()});
    EXPECT_EQ(reply("return -0.0").value(), value{-0.0});
    EXPECT_TRUE(std::signbit(reply("return -0.0").value().as_double()));
    EXPECT_EQ(reply("return math.huge").value(), value{std::numeric_limits<double>::infinity()});
    EXPECT_TRUE(std::isnan(reply("return 0/0").value().as_double()));
}

TEST_F(LuaConvert, TheScriptSeesIntegersAndFloatsAsSent) {
    const std::string h = "return math.type(ctx.msg)";
    EXPECT_EQ(reply(h, value{std::int64_t{5}}).value(), value{"integer"});
    EXPECT_EQ(reply(h, value{5.0}).value(), value{"float"});
    EXPECT_EQ(reply(h, value{0}).value(), value{"integer"});
    EXPECT_EQ(reply(h, value{-0.0}).value(), value{"float"});
    // And back unchanged.
    EXPECT_TRUE(reply("return ctx.msg", value{5.0}).value().is_double());
    EXPECT_TRUE(reply("return ctx.msg", value{5}).value().is_int64());
    EXPECT_EQ(reply("return ctx.msg", value{std::numeric_limits<std::int64_t>::min()}).value(),
              value{std::numeric_limits<std::int64_t>::min()});
    // Nested too.
    EXPECT_EQ(reply("return {math.type(ctx.msg[1]), math.type(ctx.msg[2].x)}",
                    value{value::array{value{1}, value{value::map{{"x", value{2.5}}}}}})
                  .value(),
              (value{value::array{value{"integer"}, value{"float"}}}));
}

TEST_F(LuaConvert, BooleansAndNil) {
    EXPECT_EQ(reply("return true").value(), value{true});
    EXPECT_EQ(reply("return false").value(), value{false});
    EXPECT_EQ(reply("return nil").value(), value{});
    EXPECT_EQ(reply("").value(), value{});  // no return at all
    EXPECT_EQ(reply("return type(ctx.msg)", value{}).value(), value{"nil"});
    EXPECT_EQ(reply("return type(ctx.msg)", value{false}).value(), value{"boolean"});
}

TEST_F(LuaConvert, StringsKeepEmbeddedZeroBytes) {
    const std::string with_zeros{"a\0b\0\0c", 6};
    EXPECT_EQ(reply("return #ctx.msg", value{with_zeros}).value(), value{6});
    EXPECT_EQ(reply("return ctx.msg:byte(2)", value{with_zeros}).value(), value{0});
    EXPECT_EQ(reply("return ctx.msg", value{with_zeros}).value(), value{with_zeros});
    // Made in Lua: "\0" is valid UTF-8 (U+0000), so it stays a string.
    auto made = reply("return 'x\\0y'").value();
    ASSERT_TRUE(made.is_string());
    EXPECT_EQ(made.as_string(), (std::string{"x\0y", 3}));
}

TEST_F(LuaConvert, InvalidUtf8BecomesBytesAndBytesArriveAsLuaStrings) {
    // Made in Lua: not UTF-8, so bytes.
    EXPECT_EQ(
        reply("return '\\xff\\xfe\\0A'").value(),
        (value{troupe::bytes{std::byte{0xff}, std::byte{0xfe}, std::byte{0x00}, std::byte{'A'}}}));
    // A lone continuation byte, an overlong encoding and an encoded surrogate are not UTF-8.
    EXPECT_TRUE(reply("return '\\x80'").value().is_bytes());
    EXPECT_TRUE(reply("return '\\xc0\\xaf'").value().is_bytes());
    EXPECT_TRUE(reply("return '\\xed\\xa0\\x80'").value().is_bytes());
    // Valid multi-byte UTF-8 is a string.
    EXPECT_EQ(reply("return utf8.char(233, 0x1F600)").value(), value{"\xc3\xa9\xf0\x9f\x98\x80"});

    // Bytes from C++ are a Lua string of those bytes, and come back as the same bytes.
    const troupe::bytes raw{std::byte{0x00}, std::byte{0xff}, std::byte{0x80}, std::byte{0x41}};
    EXPECT_EQ(reply("return type(ctx.msg)", value{raw}).value(), value{"string"});
    EXPECT_EQ(reply("return #ctx.msg", value{raw}).value(), value{4});
    EXPECT_EQ(reply("return {ctx.msg:byte(1, -1)}", value{raw}).value(),
              (value{value::array{value{0}, value{255}, value{128}, value{65}}}));
    EXPECT_EQ(reply("return ctx.msg", value{raw}).value(), value{raw});
    // Bytes that happen to be valid UTF-8 come back as a string: Lua has one string type.
    EXPECT_EQ(reply("return ctx.msg", value{troupe::to_bytes("abc")}).value(), value{"abc"});
    EXPECT_EQ(reply("return ctx.msg", value{troupe::bytes{}}).value(), value{""});
}

TEST_F(LuaConvert, NestedTablesKeepTheirShape) {
    // An array of maps of arrays, made in Lua.
    auto made = reply(R"(
        return {
            {name = "a", items = {1, 2, {3, 4}}},
            {name = "b", items = {}, tags = ctx.array{}},
            {["not an identifier"] = {true, false, 1.5}},
        })");
    ASSERT_TRUE(made) << made.error().message();
    value expected{value::array{
        value{value::map{{"name", value{"a"}},
                         {"items", value{value::array{value{1}, value{2},
                                                      value{value::array{value{3}, value{4}}}}}}}},
        value{value::map{
            {"name", value{"b"}}, {"items", value{value::map{}}}, {"tags", value{value::array{}}}}},
        value{value::map{
            {"not an identifier", value{value::array{value{true}, value{false}, value{1.5}}}}}},
    }};
    EXPECT_EQ(*made, expected);

    // The same shape from C++ comes back unchanged (empty arrays stay arrays).
    value sent{value::array{
        value{value::map{
            {"rows", value{value::array{value{value::array{}}, value{value::array{value{"x"}}}}}},
            {"none", value{value::array{}}},
            {"empty", value{value::map{}}}}},
        value{value::array{}},
    }};
    EXPECT_EQ(reply("return ctx.msg", sent).value(), sent);
    // The script can tell the empty array from the empty map by its marking: #t is 0 for
    // both, and both round trip as they came.
    EXPECT_EQ(reply("return {#ctx.msg[1].none, #ctx.msg[1].empty, #ctx.msg[2]}", sent).value(),
              (value{value::array{value{0}, value{0}, value{0}}}));
}

TEST_F(LuaConvert, EmptyTablesAreMapsUnlessMarked) {
    EXPECT_EQ(reply("return {}").value(), value{value::map{}});
    EXPECT_EQ(reply("return ctx.array{}").value(), value{value::array{}});
    EXPECT_EQ(reply("return ctx.array()").value(), value{value::array{}});
    // Marking keeps the table: filled later, it is an ordinary array.
    EXPECT_EQ(reply("local t = ctx.array{} t[1] = 'x' return t").value(),
              value{value::array{value{"x"}}});
    EXPECT_EQ(reply("local t = {} ctx.array(t) return {t, t}").value(),
              (value{value::array{value{value::array{}}, value{value::array{}}}}));
    // An empty array from C++ comes back as an empty array...
    EXPECT_EQ(reply("return ctx.msg", value{value::array{}}).value(), value{value::array{}});
    // ...also after the script emptied and refilled it...
    EXPECT_EQ(reply("ctx.msg[1] = nil return ctx.msg", value{value::array{value{1}}}).value(),
              value{value::map{}});  // not marked: it was not empty when it arrived
    EXPECT_EQ(reply("table.insert(ctx.msg, 7) return ctx.msg", value{value::array{}}).value(),
              value{value::array{value{7}}});
    // ...and an empty map from C++ comes back as a map.
    EXPECT_EQ(reply("return ctx.msg", value{value::map{}}).value(), value{value::map{}});
}

TEST_F(LuaConvert, ASharedSubtableIsNotACycle) {
    EXPECT_EQ(reply("local t = {1} return {a = t, b = {t, t}}").value(),
              (value{value::map{{"a", value{value::array{value{1}}}},
                                {"b", value{value::array{value{value::array{value{1}}},
                                                         value{value::array{value{1}}}}}}}}));
}

TEST_F(LuaConvert, MetatablesAreIgnoredExceptTheArrayMark) {
    // Raw access: __index and __pairs do not make fields appear.
    EXPECT_EQ(reply("return setmetatable({}, {__index = function() return 1 end, "
                    "__pairs = function() error('called') end})")
                  .value(),
              value{value::map{}});
    EXPECT_EQ(reply("return setmetatable({a = 1}, {__len = function() return 9 end})").value(),
              (value{value::map{{"a", value{1}}}}));
}

// --- unsendable replies: the actor fails naming the path ------------------------------------

TEST_F(LuaConvert, AFunctionInAReplyNamesItsPath) {
    EXPECT_EQ(failure("return {items = {1, function() end}}"),
              reply_error("reply.items[2]: a function" + only_plain));
    EXPECT_EQ(failure("return print"), reply_error("reply: a function" + only_plain));
    EXPECT_EQ(failure("return {['a b'] = {x = {print}}}"),
              reply_error("reply[\"a b\"].x[1]: a function" + only_plain));
}

TEST_F(LuaConvert, AThreadInAReplyNamesItsPath) {
    EXPECT_EQ(failure("return {co = coroutine.create(function() end)}"),
              reply_error("reply.co: a thread" + only_plain));
}

TEST_F(LuaConvert, AGapInAnArrayNamesItsPath) {
    EXPECT_EQ(failure("return {1, nil, 3}"),
              reply_error("reply: the array has a gap: 2 items but the key 3 (nil cannot be an "
                          "array item)"));
    EXPECT_EQ(failure("return {list = {{1, 2}, {1, nil, nil, 4}}}"),
              reply_error("reply.list[2]: the array has a gap: 2 items but the key 4 (nil cannot "
                          "be an array item)"));
}

TEST_F(LuaConvert, MixedKeysNameTheirPath) {
    EXPECT_EQ(failure("return {x = {1, 2, name = 'n'}}"),
              reply_error("reply.x: the table mixes array items (keys 1..n) and string keys; "
                          "send one or the other"));
}

TEST_F(LuaConvert, KeysThatAreNeitherIndexesNorStringsNameTheKey) {
    const std::string why =
        " cannot be sent: a table is an array (keys 1..n) or a map (string keys)";
    EXPECT_EQ(failure("return {[1.5] = 'x'}"), reply_error("reply: the key 1.5" + why));
    EXPECT_EQ(failure("return {a = {[0] = 'x'}}"), reply_error("reply.a: the key 0" + why));
    EXPECT_EQ(failure("return {a = {[-3] = 'x'}}"), reply_error("reply.a: the key -3" + why));
    EXPECT_EQ(failure("return {{[true] = 1}}"), reply_error("reply[1]: a boolean key" + why));
    EXPECT_EQ(failure("return {[{}] = 1}"), reply_error("reply: a table key" + why));
    // A float key with an integral value is an integer key in Lua: {[2.0] = x} is {[2] = x}.
    EXPECT_EQ(reply("return {[1.0] = 'a', [2.0] = 'b'}").value(),
              (value{value::array{value{"a"}, value{"b"}}}));
}

TEST_F(LuaConvert, AMarkedArrayWithStringKeysIsAnError) {
    EXPECT_EQ(failure("local t = ctx.array{} t.x = 1 return {t}"),
              reply_error("reply[1]: a table marked with ctx.array has string keys"));
}

TEST_F(LuaConvert, ACycleNamesWhereItCloses) {
    EXPECT_EQ(failure("local t = {} t.self = t return t"),
              reply_error("reply.self: the table contains itself (a cycle cannot be sent)"));
    EXPECT_EQ(failure("local a, b = {}, {} a[1] = b b.back = a return {root = a}"),
              reply_error("reply.root[1].back: the table contains itself (a cycle cannot be "
                          "sent)"));
}

TEST_F(LuaConvert, NestingUpTo64LevelsIsSentAndDeeperIsAnError) {
    // 64 tables deep, the innermost holding 1.
    auto ok = reply("local t = {1} for i = 2, 64 do t = {t} end return t");
    ASSERT_TRUE(ok) << ok.error().message();
    const value* v = &*ok;
    int depth = 0;
    while (v->is_array()) {
        ++depth;
        v = &v->as_array().at(0);
    }
    EXPECT_EQ(depth, 64);
    EXPECT_EQ(*v, value{1});

    std::string path = "reply";
    for (int i = 0; i < 64; ++i) path += "[1]";
    EXPECT_EQ(failure("local t = {1} for i = 2, 65 do t = {t} end return t"),
              reply_error(path + ": nested deeper than 64 levels"));
}

TEST_F(LuaConvert, ATableSharedExponentiallyFailsInsteadOfExpanding) {
    // 2^60 paths through 60 tables: converting it would never end.
    auto why = failure("local t = {1} for i = 1, 60 do t = {t, t} end return t");
    EXPECT_THAT(why, HasSubstr("the handle script returned a value that cannot be sent: reply"));
    EXPECT_THAT(why, HasSubstr("too large to send")) << why;
}

TEST_F(LuaConvert, BigRepliesAreFineAndOneStringInManySlotsIsCounted) {
    auto big = reply("return {data = string.rep('x', 20000000)}");
    ASSERT_TRUE(big) << big.error().message();
    EXPECT_EQ(big->at("data").as_string().size(), 20'000'000u);
    // 200 MB once converted from a 10 MB heap.
    auto why = failure(
        "local s = string.rep('y', 10000000) local t = {} for i = 1, 20 do "
        "t[i] = s end return t");
    EXPECT_THAT(why, HasSubstr("cannot be sent: reply[")) << why;  // at some item
    EXPECT_THAT(why, HasSubstr("]: the value is too large to send: what one run sends may take "
                               "up to limits::memory once converted"))
        << why;
}

// --- unsendable arguments: a Lua error the script catches -------------------------------------

TEST_F(LuaConvert, NotifyArgumentsAreCheckedWithTheirPath) {
    auto h = [](const std::string& arg) {
        return "local ok, err = pcall(function()\n ctx.notify(" + arg +
               ")\n end)\nreturn {ok, err}";
    };
    auto caught = [&](const std::string& arg) -> std::string {
        auto r = reply(h(arg));
        EXPECT_TRUE(r) << r.error().message();
        if (!r) return {};
        EXPECT_EQ(r->as_array().at(0), value{false});
        return r->as_array().at(1).as_string();
    };
    EXPECT_EQ(caught("{items = {1, function() end}}"),
              "handle:2: ctx.notify: msg.items[2]: a function" + only_plain);
    EXPECT_EQ(caught("{1, nil, 3}"),
              "handle:2: ctx.notify: msg: the array has a gap: 2 items but the key 3 (nil cannot "
              "be an array item)");
    EXPECT_EQ(caught("{a = {1, b = 2}}"),
              "handle:2: ctx.notify: msg.a: the table mixes array items (keys 1..n) and string "
              "keys; send one or the other");
    EXPECT_EQ(caught("{[2.5] = 1}"),
              "handle:2: ctx.notify: msg: the key 2.5 cannot be sent: a table is an array (keys "
              "1..n) or a map (string keys)");
    EXPECT_EQ(caught("{x = {[false] = 1}}"),
              "handle:2: ctx.notify: msg.x: a boolean key cannot be sent: a table is an array "
              "(keys 1..n) or a map (string keys)");
    EXPECT_EQ(caught("{{}, {[0] = 1}}"),
              "handle:2: ctx.notify: msg[2]: the key 0 cannot be sent: a table is an array "
              "(keys 1..n) or a map (string keys)");
    EXPECT_EQ(caught("(function() local t = {} t[1] = t return t end)()"),
              "handle:2: ctx.notify: msg[1]: the table contains itself (a cycle cannot be sent)");
    EXPECT_EQ(
        caught("(function() local t = 0 for i = 1, 65 do t = {t} end return t end)()"),
        "handle:2: ctx.notify: msg" +
            [] {
                std::string p;
                for (int i = 0; i < 64; ++i) p += "[1]";
                return p;
            }() +
            ": nested deeper than 64 levels");
    EXPECT_EQ(caught("{co = coroutine.running()}"),
              "handle:2: ctx.notify: msg.co: a thread" + only_plain);
}

TEST_F(LuaConvert, SendArgumentsAreCheckedBeforeAnythingIsSent) {
    auto peer = spawn("return 'peer saw ' .. tostring(ctx.msg)");
    auto s = lua::builder{}
                 .on_handle(R"(
                    local ok, err = pcall(function()
                        return ctx.send('peer', {list = {{f = print}}})
                    end)
                    local ok2, err2 = pcall(function()
                        return ctx.send('peer', {1, nil, 3})
                    end)
                    return {ok, err, ok2, err2, ctx.send('peer', 'hi')})")
                 .add_recipient("peer", peer.addr())
                 .build();
    ASSERT_TRUE(s) << s.error().message();
    auto a = rt.node().spawn<lua::script_actor>(*s).value();
    rt.clear_deliveries();
    auto r = a.ask(value{}, 1s).get();
    ASSERT_TRUE(r) << r.error().message();
    EXPECT_EQ(*r, (value{value::array{
                      value{false},
                      value{"handle:3: ctx.send: msg.list[1].f: a function" + only_plain},
                      value{false},
                      value{"handle:6: ctx.send: msg: the array has a gap: 2 items but the key 3 "
                            "(nil cannot be an array item)"},
                      value{"peer saw hi"},
                  }}));
    // The peer got only the good message.
    EXPECT_EQ(rt.received_by(peer.addr()).size(), 1u);
}

// --- push() and to_value() on a bare state ----------------------------------------------------

using state_ptr = std::unique_ptr<lua_State, void (*)(lua_State*)>;

state_ptr new_state() {
    return state_ptr{luaL_newstate(), lua_close};
}

/// push(v) under lua_pcall (it may raise); leaves the value on the stack.
void push_protected(lua_State* L, const value& v) {
    lua_pushcfunction(L, [](lua_State* S) {
        troupe::lua::push(S, *static_cast<const value*>(lua_touserdata(S, 1)));
        return 1;
    });
    lua_pushlightuserdata(L, const_cast<value*>(&v));
    ASSERT_EQ(lua_pcall(L, 1, 1, 0), LUA_OK) << lua_tostring(L, -1);
}

/// Runs Lua source that returns one value; leaves it on the stack.
void eval(lua_State* L, const std::string& code) {
    ASSERT_EQ(luaL_loadstring(L, code.c_str()), LUA_OK) << lua_tostring(L, -1);
    ASSERT_EQ(lua_pcall(L, 0, 1, 0), LUA_OK) << lua_tostring(L, -1);
}

TEST(LuaConvertApi, PushGivesTheLuaTypesOfTheTable) {
    auto L = new_state();
    luaL_openlibs(L.get());
    auto kind_of = [&](const value& v) {
        push_protected(L.get(), v);
        lua_setglobal(L.get(), "v");
        eval(L.get(), "return type(v) == 'number' and math.type(v) or type(v)");
        std::string t = lua_tostring(L.get(), -1);
        lua_pop(L.get(), 1);
        return t;
    };
    EXPECT_EQ(kind_of(value{}), "nil");
    EXPECT_EQ(kind_of(value{true}), "boolean");
    EXPECT_EQ(kind_of(value{1}), "integer");
    EXPECT_EQ(kind_of(value{1.0}), "float");
    EXPECT_EQ(kind_of(value{"s"}), "string");
    EXPECT_EQ(kind_of(value{troupe::to_bytes("\xff")}), "string");
    EXPECT_EQ(kind_of(value{value::array{}}), "table");
    EXPECT_EQ(kind_of(value{value::map{}}), "table");
    EXPECT_EQ(lua_gettop(L.get()), 0);
}

TEST(LuaConvertApi, ToValueReadsEachKind) {
    auto L = new_state();
    auto read = [&](const std::string& code) {
        eval(L.get(), code);
        auto r = troupe::lua::to_value(L.get(), -1);
        lua_pop(L.get(), 1);
        return r;
    };
    EXPECT_EQ(read("return nil").value(), value{});
    EXPECT_EQ(read("return true").value(), value{true});
    EXPECT_EQ(read("return 42").value(), value{42});
    EXPECT_EQ(read("return 4.5").value(), value{4.5});
    EXPECT_EQ(read("return 'hé'").value(), value{"h\xc3\xa9"});
    EXPECT_EQ(read("return '\\xff'").value(), value{troupe::to_bytes("\xff")});
    EXPECT_EQ(read("return {1, 'two', {3}}").value(),
              (value{value::array{value{1}, value{"two"}, value{value::array{value{3}}}}}));
    EXPECT_EQ(read("return {a = {b = {}}}").value(),
              (value{value::map{{"a", value{value::map{{"b", value{value::map{}}}}}}}}));
    EXPECT_EQ(lua_gettop(L.get()), 0);
}

TEST(LuaConvertApi, ToValueLeavesTheStackAsItFoundIt) {
    auto L = new_state();
    lua_pushinteger(L.get(), 7);  // something below
    for (const char* code : {"return {1, 2, {a = 3}}", "return {1, nil, 3}", "return {x = print}",
                             "return {a = {b = {c = {d = {}}}}}", "return {[true] = 1}"}) {
        eval(L.get(), code);
        auto r = troupe::lua::to_value(L.get(), -1, "v");
        (void)r;
        EXPECT_EQ(lua_gettop(L.get()), 2) << code;
        lua_pop(L.get(), 1);
    }
    EXPECT_EQ(lua_tointeger(L.get(), 1), 7);
}

TEST(LuaConvertApi, ToValueErrorsAreBadMessageNamingThePath) {
    auto L = new_state();
    auto error_of = [&](const std::string& code, std::string_view root, std::size_t depth = 64) {
        eval(L.get(), code);
        auto r = troupe::lua::to_value(L.get(), -1, root, depth);
        lua_pop(L.get(), 1);
        EXPECT_FALSE(r);
        if (r) return std::string{};
        EXPECT_EQ(r.error().code(), troupe::errc::bad_message);
        return r.error().reason();
    };
    EXPECT_EQ(error_of("return {a = {function() end}}", "args"),
              "args.a[1]: a function" + only_plain);
    EXPECT_EQ(error_of("return {1, 2, nil, 4}", "value"),
              "value: the array has a gap: 3 items but the key 4 (nil cannot be an array item)");
    EXPECT_EQ(error_of("return {{{1}}}", "x", 2), "x[1][1]: nested deeper than 2 levels");
    EXPECT_EQ(error_of("return {}", "x", 0), "x: nested deeper than 0 levels");
    // A long or unprintable key is shortened and made printable in the path.
    EXPECT_EQ(error_of("return {['" + std::string(70, 'k') + "'] = function() end}", "m"),
              "m[\"" + std::string(64, 'k') + "...\"]: a function" + only_plain);
    EXPECT_EQ(error_of("return {['a\\nb\"c'] = function() end}", "m"),
              "m[\"a?b?c\"]: a function" + only_plain);

    // Userdata, full and light.
    lua_newuserdatauv(L.get(), 8, 0);
    auto full = troupe::lua::to_value(L.get(), -1, "u");
    lua_pop(L.get(), 1);
    ASSERT_FALSE(full);
    EXPECT_EQ(full.error().reason(), "u: a userdata" + only_plain);
    lua_createtable(L.get(), 0, 1);
    lua_pushlightuserdata(L.get(), L.get());
    lua_setfield(L.get(), -2, "p");
    auto light = troupe::lua::to_value(L.get(), -1, "t");
    lua_pop(L.get(), 1);
    ASSERT_FALSE(light);
    EXPECT_EQ(light.error().reason(), "t.p: a userdata" + only_plain);
    EXPECT_EQ(lua_gettop(L.get()), 0);
}

TEST(LuaConvertApi, MarkArrayKeepsAnEmptyTableAnArray) {
    auto L = new_state();
    lua_newtable(L.get());
    EXPECT_EQ(troupe::lua::to_value(L.get(), -1).value(), value{value::map{}});
    lua_pushcfunction(L.get(), [](lua_State* S) {
        troupe::lua::mark_array(S, 1);
        return 0;
    });
    lua_pushvalue(L.get(), -2);
    ASSERT_EQ(lua_pcall(L.get(), 1, 0, 0), LUA_OK);
    EXPECT_EQ(troupe::lua::to_value(L.get(), -1).value(), value{value::array{}});
    // push() marks empty arrays the same way: one metatable for all.
    push_protected(L.get(), value{value::array{}});
    ASSERT_TRUE(lua_getmetatable(L.get(), -1));
    ASSERT_TRUE(lua_getmetatable(L.get(), -3));
    EXPECT_TRUE(lua_rawequal(L.get(), -1, -2));
    lua_settop(L.get(), 0);
    // A non-empty array from push() has no mark (the script may turn it into anything).
    push_protected(L.get(), value{value::array{value{1}}});
    EXPECT_FALSE(lua_getmetatable(L.get(), -1));
}

TEST(LuaConvertApi, PushRaisesALuaErrorWhenMemoryRunsOut) {
    // An allocator that refuses after a budget: push must raise (caught by pcall), not crash.
    struct budget {
        std::size_t left;
    } b{200 * 1024};
    lua_State* L = lua_newstate(
        [](void* ud, void* ptr, std::size_t osize, std::size_t nsize) -> void* {
            auto& bud = *static_cast<budget*>(ud);
            std::size_t old = ptr ? osize : 0;
            if (nsize == 0) {
                bud.left += old;
                std::free(ptr);
                return nullptr;
            }
            if (nsize > old && nsize - old > bud.left) return nullptr;
            void* p = std::realloc(ptr, nsize);
            if (p) bud.left = bud.left + old - nsize;
            return p;
        },
        &b);
    ASSERT_NE(L, nullptr);
    value big{value::array(10000, value{std::string(100, 'x')})};
    lua_pushcfunction(L, [](lua_State* S) {
        troupe::lua::push(S, *static_cast<const value*>(lua_touserdata(S, 1)));
        return 1;
    });
    lua_pushlightuserdata(L, &big);
    EXPECT_EQ(lua_pcall(L, 1, 1, 0), LUA_ERRMEM);
    lua_close(L);
}

// --- property: random values round trip -------------------------------------------------------

/// Strict UTF-8 (no overlongs, no surrogates, at most U+10FFFF), as the mapping decides.
bool valid_utf8(const troupe::bytes& b) {
    std::size_t i = 0, n = b.size();
    auto at = [&](std::size_t k) { return static_cast<unsigned>(b[k]); };
    while (i < n) {
        unsigned c = at(i);
        std::size_t len;
        std::uint32_t cp;
        if (c < 0x80) {
            ++i;
            continue;
        } else if ((c & 0xe0) == 0xc0) {
            len = 2;
            cp = c & 0x1f;
        } else if ((c & 0xf0) == 0xe0) {
            len = 3;
            cp = c & 0x0f;
        } else if ((c & 0xf8) == 0xf0) {
            len = 4;
            cp = c & 0x07;
        } else {
            return false;
        }
        if (i + len > n) return false;
        for (std::size_t k = 1; k < len; ++k) {
            if ((at(i + k) & 0xc0) != 0x80) return false;
            cp = (cp << 6) | (at(i + k) & 0x3f);
        }
        static constexpr std::uint32_t min_for[] = {0, 0, 0x80, 0x800, 0x10000};
        if (cp < min_for[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
        i += len;
    }
    return true;
}

class random_values {
public:
    explicit random_values(std::uint32_t seed) : rng_(seed) {}

    /// A random value, nested up to `depth` more levels. Nil appears at the top and as map
    /// values (where it means "no such key"), never as an array item (that is a gap).
    value make(int depth, bool top) {
        int kinds = depth > 0 ? 8 : 6;
        switch (pick(kinds)) {
            case 0:
                return top ? value{} : value{pick(2) == 0};
            case 1:
                return value{pick(2) == 0};
            case 2:
                return value{int64()};
            case 3:
                return value{float64()};
            case 4:
                return value{text()};
            case 5:
                return value{raw()};
            case 6: {
                value::array items;
                int n = pick(5);
                for (int i = 0; i < n; ++i) items.push_back(make(depth - 1, false));
                return value{std::move(items)};
            }
            default: {
                value::map fields;
                int n = pick(5);
                for (int i = 0; i < n; ++i) {
                    value v = pick(8) == 0 ? value{} : make(depth - 1, false);
                    fields.insert_or_assign(text(), std::move(v));
                }
                return value{std::move(fields)};
            }
        }
    }

    int pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }

private:
    std::int64_t int64() {
        switch (pick(4)) {
            case 0:
                return std::numeric_limits<std::int64_t>::min() + pick(3);
            case 1:
                return std::numeric_limits<std::int64_t>::max() - pick(3);
            case 2:
                return pick(2001) - 1000;
            default:
                return std::uniform_int_distribution<std::int64_t>()(rng_);
        }
    }

    double float64() {
        switch (pick(5)) {
            case 0:
                return static_cast<double>(pick(200) - 100);  // integral floats stay floats
            case 1:
                return pick(2) ? std::numeric_limits<double>::infinity()
                               : -std::numeric_limits<double>::infinity();
            case 2:
                return pick(2) ? -0.0 : std::numeric_limits<double>::denorm_min();
            default: {
                double d;
                do {
                    std::uint64_t bits = std::uniform_int_distribution<std::uint64_t>()(rng_);
                    std::memcpy(&d, &bits, sizeof d);
                } while (std::isnan(d));  // NaN is not equal to itself
                return d;
            }
        }
    }

    /// Valid UTF-8: ASCII (with zero bytes) and 2-, 3- and 4-byte code points.
    std::string text() {
        std::string s;
        int n = pick(12);
        for (int i = 0; i < n; ++i) {
            std::uint32_t cp;
            switch (pick(4)) {
                case 0:
                    cp = static_cast<std::uint32_t>(pick(0x80));
                    break;
                case 1:
                    cp = 0x80 + static_cast<std::uint32_t>(pick(0x800 - 0x80));
                    break;
                case 2:
                    do {
                        cp = 0x800 + static_cast<std::uint32_t>(pick(0x10000 - 0x800));
                    } while (cp >= 0xd800 && cp <= 0xdfff);
                    break;
                default:
                    cp = 0x10000 + static_cast<std::uint32_t>(pick(0x110000 - 0x10000));
            }
            if (cp < 0x80) {
                s += static_cast<char>(cp);
            } else if (cp < 0x800) {
                s += static_cast<char>(0xc0 | (cp >> 6));
                s += static_cast<char>(0x80 | (cp & 0x3f));
            } else if (cp < 0x10000) {
                s += static_cast<char>(0xe0 | (cp >> 12));
                s += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
                s += static_cast<char>(0x80 | (cp & 0x3f));
            } else {
                s += static_cast<char>(0xf0 | (cp >> 18));
                s += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
                s += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
                s += static_cast<char>(0x80 | (cp & 0x3f));
            }
        }
        return s;
    }

    /// Random bytes: mostly not UTF-8, sometimes by chance (short ones, ASCII ones).
    troupe::bytes raw() {
        troupe::bytes b(static_cast<std::size_t>(pick(10)));
        bool ascii = pick(4) == 0;
        for (auto& x : b) x = std::byte(static_cast<unsigned char>(pick(ascii ? 0x80 : 0x100)));
        return b;
    }

    std::mt19937 rng_;
};

/// What a value becomes after Lua: bytes that are valid UTF-8 turn into strings, and a nil
/// map value is an absent key. Everything else is kept exactly.
value expected_after_lua(const value& v) {
    switch (v.type()) {
        case value::kind::bytes: {
            const auto& b = v.as_bytes();
            if (valid_utf8(b))
                return value{std::string(reinterpret_cast<const char*>(b.data()), b.size())};
            return v;
        }
        case value::kind::array: {
            value::array out;
            for (const auto& item : v.as_array()) out.push_back(expected_after_lua(item));
            return value{std::move(out)};
        }
        case value::kind::map: {
            value::map out;
            for (const auto& [k, item] : v.as_map())
                if (!item.is_nil()) out.insert_or_assign(k, expected_after_lua(item));
            return value{std::move(out)};
        }
        default:
            return v;
    }
}

TEST(LuaConvertProperty, TwoThousandRandomValuesRoundTrip) {
    auto L = new_state();
    random_values gen{20261122};
    int kinds_seen[8] = {};
    int bytes_kept = 0, bytes_to_string = 0;
    for (int i = 0; i < 2000; ++i) {
        value v = gen.make(5, true);
        ++kinds_seen[static_cast<int>(v.type())];
        push_protected(L.get(), v);
        auto back = troupe::lua::to_value(L.get(), -1, "v");
        lua_pop(L.get(), 1);
        ASSERT_TRUE(back) << "#" << i << " " << v << ": " << back.error().message();
        value expected = expected_after_lua(v);
        ASSERT_EQ(*back, expected) << "#" << i << " sent " << v;
        if (v.is_bytes()) ++(back->is_bytes() ? bytes_kept : bytes_to_string);
        // Read twice: reading has no effect on the Lua side.
        push_protected(L.get(), expected);
        ASSERT_EQ(troupe::lua::to_value(L.get(), -1, "v").value(), expected) << "#" << i;
        lua_pop(L.get(), 1);
    }
    EXPECT_EQ(lua_gettop(L.get()), 0);
    for (int k = 0; k < 8; ++k) EXPECT_GT(kinds_seen[k], 20) << "kind " << k;
    EXPECT_GT(bytes_kept, 0);
    EXPECT_GT(bytes_to_string, 0);
}

TEST_F(LuaConvert, RandomValuesRoundTripThroughAnActor) {
    auto a = spawn("return ctx.msg");
    random_values gen{7};
    for (int i = 0; i < 300; ++i) {
        value v = gen.make(5, true);
        auto r = a.ask(v, 1s).get();
        ASSERT_TRUE(r) << "#" << i << " " << v << ": " << r.error().message();
        ASSERT_EQ(*r, expected_after_lua(v)) << "#" << i << " sent " << v;
    }
}

}  // namespace

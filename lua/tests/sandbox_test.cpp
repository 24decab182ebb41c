// The sandbox a script starts in: what is missing by default, load() of text only, print()
// into the actor's log, libraries by grant, and the host's set-up functions.

#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <lua.hpp>
#include <spdlog/logger.h>
#include <spdlog/sinks/ostream_sink.h>

#include <troupe/lua/script_actor.hpp>
#include <troupe/testing/runtime.hpp>

#include "support/lua_test.hpp"

using namespace lua_test;
using testing::HasSubstr;

namespace {

class LuaSandbox : public ::testing::Test {
protected:
    /// The reply of a fresh actor built by `b` to `msg`.
    troupe::result<value> reply(const lua::builder& b, value msg = {}) {
        auto s = b.build();
        EXPECT_TRUE(s) << s.error().message();
        if (!s) return s.error();
        auto a = rt.node().spawn<lua::script_actor>(*s);
        EXPECT_TRUE(a) << a.error().message();
        if (!a) return a.error();
        return a->ask(std::move(msg), 1s).get();
    }
    troupe::result<value> reply(const std::string& handle, value msg = {}) {
        return reply(lua::builder{}.on_handle(handle), std::move(msg));
    }

    troupe::testing::runtime rt;
};

TEST_F(LuaSandbox, DangerousLibrariesAndFileFunctionsAreAbsentByDefault) {
    EXPECT_EQ(reply("return {type(os), type(io), type(debug), type(package), type(require), "
                    "type(dofile), type(loadfile)}")
                  .value(),
              value{strings({"nil", "nil", "nil", "nil", "nil", "nil", "nil"})});
    // What the sandbox has.
    EXPECT_EQ(reply("return {type(coroutine), type(string), type(table), type(math), "
                    "type(utf8), type(pcall), type(load), type(print), type(setmetatable)}")
                  .value(),
              value{strings({"table", "table", "table", "table", "table", "function", "function",
                             "function", "function"})});
    // Nor are they reachable through the string metatable or _G.
    EXPECT_EQ(reply("return {type(_G.os), type(('').os), type(_ENV.io)}").value(),
              value{strings({"nil", "nil", "nil"})});
}

TEST_F(LuaSandbox, LoadRunsSourceText) {
    EXPECT_EQ(reply("return load('return 1 + 2')()").value(), value{3});
    EXPECT_EQ(reply("return load('return x * 2', 'chunk', 't', {x = 21})()").value(), value{42});
    EXPECT_EQ(reply("local parts = {'return ', '5'} local i = 0\n"
                    "return load(function() i = i + 1 return parts[i] end)()")
                  .value(),
              value{5});
    // A syntax error is load's usual nil and message.
    EXPECT_EQ(reply("local f, err = load('return +', 'bad') return {f == nil, err}").value(),
              (value{value::array{value{true},
                                  value{"[string \"bad\"]:1: unexpected symbol near \'+\'"}}}));
}

TEST_F(LuaSandbox, LoadRefusesBinaryChunks) {
    const std::string refused =
        "load: binary chunks are not allowed in the sandbox (they bypass Lua's checks); load "
        "source text";
    auto result_of = [&](const std::string& call) {
        return reply(
            "local bin = string.dump(function() return 1 end)\n"
            "local f, err = " +
            call + "\nreturn {f == nil, err}");
    };
    value expected{value::array{value{true}, value{refused}}};
    EXPECT_EQ(result_of("load(bin)").value(), expected);
    EXPECT_EQ(result_of("load(bin, 'x')").value(), expected);
    EXPECT_EQ(result_of("load(bin, 'x', 'b')").value(), expected);
    EXPECT_EQ(result_of("load(bin, 'x', 'bt')").value(), expected);
    EXPECT_EQ(result_of("load(bin, 'x', 'bt', {})").value(), expected);
    // Even asking for binary with source text is refused.
    EXPECT_EQ(result_of("load('return 1', 'x', 'b')").value(), expected);
    // A binary chunk handed over piece by piece is refused by Lua itself (mode "t").
    auto pieces = reply(
        "local bin = string.dump(function() return 1 end) local done = false\n"
        "local f, err = load(function() if done then return nil end done = true return bin end)\n"
        "return {f == nil, err}");
    ASSERT_TRUE(pieces) << pieces.error().message();
    EXPECT_EQ(pieces->as_array().at(0), value{true});
    EXPECT_THAT(pieces->as_array().at(1).as_string(),
                HasSubstr("attempt to load a binary chunk (mode is 't')"));
}

TEST_F(LuaSandbox, XpcallWorksAsUsual) {
    EXPECT_EQ(
        reply("return {xpcall(error, function(e) return 'handled: ' .. e end, 'x', 0)}").value(),
        (value{value::array{value{false}, value{"handled: x"}}}));
    EXPECT_EQ(reply("return {xpcall(function(a, b) return a + b end, print, 2, 3)}").value(),
              (value{value::array{value{true}, value{5}}}));
    EXPECT_EQ(reply("return select(2, pcall(xpcall, print, 'not a function'))").value(),
              value{"bad argument #2 to 'xpcall' (function expected, got string)"});
}

TEST_F(LuaSandbox, FinalizersAreRefused) {
    // A __gc function would run with hooks off, outside the instruction limit.
    EXPECT_EQ(reply("return select(2, pcall(setmetatable, {}, {__gc = function() end}))").value(),
              value{"setmetatable: __gc is not allowed in the sandbox (a finalizer runs outside "
                    "the instruction limit)"});
    // Added after setmetatable, __gc never runs (Lua marks objects for finalization only in
    // setmetatable); setting that metatable again is refused.
    EXPECT_EQ(reply(R"(
        local ran = false
        local mt = {}
        local t = setmetatable({}, mt)
        mt.__gc = function() ran = true end
        t = nil
        collectgarbage() collectgarbage()
        local ok = pcall(setmetatable, {}, mt)
        return {ran, ok, getmetatable(setmetatable({}, {__index = {x = 1}})).__index.x})")
                  .value(),
              (value{value::array{value{false}, value{false}, value{1}}}));
}

TEST_F(LuaSandbox, PrintGoesToTheActorsLog) {
    std::ostringstream out;
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_st>(out);
    rt.node().logger().sinks().push_back(sink);
    rt.node().set_log_level(troupe::log_level::info);
    auto s = lua::builder{}.on_handle("print('hello', 1, 2.5, nil, true) return 'printed'").build();
    ASSERT_TRUE(s);
    auto a = rt.node().spawn<lua::script_actor>(*s).value();
    EXPECT_EQ(a.ask(value{}, 1s).get().value(), value{"printed"});
    rt.node().logger().sinks().pop_back();
    const std::string text = out.str();
    EXPECT_THAT(text, HasSubstr(a.addr().to_string()));
    EXPECT_THAT(text, HasSubstr("hello\t1\t2.5\tnil\ttrue")) << text;
    EXPECT_THAT(text, HasSubstr("[info]")) << text;
}

TEST_F(LuaSandbox, PrintIsQuietBelowTheLogLevel) {
    std::ostringstream out;
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_st>(out);
    rt.node().logger().sinks().push_back(sink);  // the runtime logs warnings and up
    EXPECT_EQ(reply("print('not shown') return 1").value(), value{1});
    rt.node().logger().sinks().pop_back();
    EXPECT_THAT(out.str(), testing::Not(HasSubstr("not shown")));
}

TEST_F(LuaSandbox, GrantingOsOpensOsOnly) {
    auto r = reply(lua::builder{}
                       .on_handle("return {math.type(os.time()), type(os.clock()), type(io), "
                                  "type(debug), type(dofile)}")
                       .grant(lua::library::os));
    EXPECT_EQ(r.value(), (value{value::array{value{"integer"}, value{"number"}, value{"nil"},
                                             value{"nil"}, value{"nil"}}}));
}

TEST_F(LuaSandbox, GrantingIoOpensIoAndTextOnlyFileLoading) {
    auto dir = std::filesystem::temp_directory_path() / "troupe_lua_sandbox_test";
    std::filesystem::create_directories(dir);
    auto source = (dir / "chunk.lua").string();
    auto binary = (dir / "chunk.luac").string();
    { std::ofstream{source} << "return 40 + 2"; }
    auto r = reply(lua::builder{}
                       .on_handle(R"(
                           local src, bin = ctx.msg[1], ctx.msg[2]
                           local f = assert(io.open(bin, "wb"))
                           f:write(string.dump(function() return 1 end))
                           f:close()
                           local lf, lerr = loadfile(bin)
                           local ok, derr = pcall(dofile, bin)
                           local bf, berr = loadfile(src, "b")
                           return {io_write = type(io.write), os = type(os), dofile = dofile(src),
                                   loadfile = loadfile(src)(), binary_loaded = tostring(lf),
                                   binary_error = lerr, dofile_ok = ok, dofile_error = derr,
                                   mode_b_loaded = tostring(bf), mode_b_error = berr})")
                       .grant(lua::library::io),
                   value{value::array{value{source}, value{binary}}});
    ASSERT_TRUE(r) << r.error().message();
    const std::string binary_refused = "attempt to load a binary chunk (mode is 't')";
    EXPECT_EQ(r->at("io_write"), value{"function"}) << *r;
    EXPECT_EQ(r->at("os"), value{"nil"});
    EXPECT_EQ(r->at("dofile"), value{42});
    EXPECT_EQ(r->at("loadfile"), value{42});
    EXPECT_EQ(r->at("binary_loaded"), value{"nil"}) << *r;
    ASSERT_TRUE(r->as_map().contains("binary_error")) << *r;
    EXPECT_THAT(r->at("binary_error").as_string(), HasSubstr(binary_refused));
    EXPECT_EQ(r->at("dofile_ok"), value{false}) << *r;
    ASSERT_TRUE(r->as_map().contains("dofile_error")) << *r;
    EXPECT_THAT(r->at("dofile_error").as_string(), HasSubstr(binary_refused));
    EXPECT_EQ(r->at("mode_b_loaded"), value{"nil"});
    EXPECT_THAT(r->at("mode_b_error").as_string(),
                HasSubstr("binary chunks are not allowed in the sandbox"));
    std::filesystem::remove_all(dir);
}

TEST_F(LuaSandbox, GrantingDebugAndPackage) {
    EXPECT_EQ(reply(lua::builder{}
                        .on_handle("return {type(debug.traceback), type(package)}")
                        .grant(lua::library::debug))
                  .value(),
              value{strings({"function", "nil"})});
    EXPECT_EQ(reply(lua::builder{}
                        .on_handle("return {type(package.loaded), type(require), type(debug)}")
                        .grant(lua::library::package))
                  .value(),
              value{strings({"table", "function", "nil"})});
}

int twice(lua_State* L) {
    lua_pushinteger(L, 2 * luaL_checkinteger(L, 1));
    return 1;
}

TEST_F(LuaSandbox, SetupAddsHostGlobalsInOrder) {
    auto r = reply(lua::builder{}
                       .setup([](lua_State* L) {
                           lua_pushcfunction(L, &twice);
                           lua_setglobal(L, "twice");
                           lua_pushliteral(L, "first");
                           lua_setglobal(L, "who");
                       })
                       .setup([](lua_State* L) {
                           // Runs after the first, and after the sandbox: sees both.
                           lua_getglobal(L, "who");
                           lua_pushliteral(L, " then second");
                           lua_concat(L, 2);
                           lua_setglobal(L, "who");
                       })
                       .on_handle("return {twice(ctx.msg), who, type(os)}"),
                   value{21});
    EXPECT_EQ(r.value(),
              (value{value::array{value{42}, value{"first then second"}, value{"nil"}}}));
    // A bad argument to the host function is an ordinary Lua error the script can catch.
    auto caught = reply(lua::builder{}
                            .setup([](lua_State* L) {
                                lua_pushcfunction(L, &twice);
                                lua_setglobal(L, "twice");
                            })
                            .on_handle("return select(2, pcall(twice, 'x'))"));
    EXPECT_THAT(caught.value().as_string(), HasSubstr("number expected, got string"));
}

TEST_F(LuaSandbox, SetupRunsForEveryActorOfTheScript) {
    auto count = std::make_shared<int>(0);
    auto s = lua::builder{}
                 .setup([count](lua_State*) { ++*count; })
                 .on_handle("return 1")
                 .build()
                 .value();
    auto a = rt.node().spawn<lua::script_actor>(s).value();
    auto b = rt.node().spawn<lua::script_actor>(s).value();
    EXPECT_EQ(a.ask(value{}, 1s).get().value(), value{1});
    EXPECT_EQ(b.ask(value{}, 1s).get().value(), value{1});
    EXPECT_EQ(*count, 2);
}

TEST_F(LuaSandbox, ASetupRaisingALuaErrorFailsTheSpawn) {
    auto s = lua::builder{}
                 .setup([](lua_State* L) { luaL_error(L, "no config for %s", "rules"); })
                 .on_handle("return 1")
                 .build();
    ASSERT_TRUE(s) << s.error().message();  // set-up runs at spawn, not at build
    auto a = rt.node().spawn<lua::script_actor>(*s);
    ASSERT_FALSE(a);
    EXPECT_EQ(a.error().code(), troupe::errc::start_failed);
    EXPECT_THAT(a.error().reason(), HasSubstr("no config for rules")) << a.error().reason();
}

TEST_F(LuaSandbox, ASetupThrowingFailsTheSpawn) {
    auto s = lua::builder{}
                 .setup([](lua_State*) { throw std::runtime_error("missing key file"); })
                 .build();
    ASSERT_TRUE(s) << s.error().message();
    auto a = rt.node().spawn<lua::script_actor>(*s);
    ASSERT_FALSE(a);
    EXPECT_EQ(a.error().code(), troupe::errc::start_failed);
    EXPECT_THAT(a.error().reason(), HasSubstr("a set-up function threw: missing key file"))
        << a.error().reason();
}

TEST_F(LuaSandbox, ASetupFailureLeavesOtherActorsAlone) {
    auto good =
        rt.node()
            .spawn<lua::script_actor>(lua::builder{}.on_handle("return 'fine'").build().value())
            .value();
    auto bad = lua::builder{}
                   .setup([](lua_State* L) {
                       lua_pushnil(L);
                       lua_error(L);
                   })
                   .build()
                   .value();
    EXPECT_FALSE(rt.node().spawn<lua::script_actor>(bad));
    EXPECT_EQ(good.ask(value{}, 1s).get().value(), value{"fine"});
}

}  // namespace

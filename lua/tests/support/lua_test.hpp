// Helpers shared by the Lua actor tests (lua/tests/*_test.cpp): building scripts, spawning
// and asking script actors on the deterministic runtime, a recorder actor, a log sink that
// keeps its lines, and the child of a one-child supervisor.
#pragma once

#include <chrono>
#include <initializer_list>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <spdlog/sinks/base_sink.h>

#include <troupe/lua/script_actor.hpp>
#include <troupe/supervisor.hpp>
#include <troupe/testing/runtime.hpp>

namespace lua_test {

namespace lua = troupe::lua;
using troupe::value;
using namespace std::chrono_literals;

/// The script of `b`, which must build.
inline lua::script build(lua::builder b) {
    auto s = b.build();
    EXPECT_TRUE(s) << s.error().message();
    return s.value();
}

/// A script with only a handle script, `code`.
inline lua::script handler(std::string code) {
    return build(lua::builder{}.on_handle(std::move(code)));
}

/// A Lua actor running `s`, which must start.
inline troupe::ref<lua::script_actor> spawn(troupe::testing::runtime& rt, const lua::script& s) {
    auto a = rt.node().spawn<lua::script_actor>(s);
    EXPECT_TRUE(a) << a.error().message();
    return a.value();
}

/// Asks and expects a reply. The default time-out leaves room for the tests that let virtual
/// time run inside a handler.
inline value ask(const troupe::ref<lua::script_actor>& a, value msg,
                 troupe::duration timeout = 10s) {
    auto r = a.ask(std::move(msg), timeout).get();
    EXPECT_TRUE(r) << r.error().message();
    return r ? *r : value{"<no reply>"};
}

/// Asks `msg`, expects the handler to fail (handler_failed), and gives the actor's exit reason.
inline troupe::exit_reason crash(const troupe::ref<lua::script_actor>& a, value msg = {},
                                 troupe::duration timeout = 1s) {
    auto r = a.ask(std::move(msg), timeout).get();
    EXPECT_FALSE(r) << "replied " << r.value();
    if (!r) {
        EXPECT_EQ(r.error().code(), troupe::errc::handler_failed) << r.error().message();
    }
    auto why = a.wait().get();
    EXPECT_TRUE(why);
    return why ? *why : troupe::exit_reason{};
}

/// An array of strings.
inline value::array strings(std::initializer_list<const char*> xs) {
    value::array out;
    for (const char* x : xs) out.emplace_back(x);
    return out;
}

/// Keeps every value it receives and answers with it.
struct recorder : troupe::actor<recorder, value> {
    value handle(value v) {
        got.push_back(v);
        return v;
    }
    std::vector<value> got;
};

/// A deterministic runtime with a recorder that scripts reach as the recipient "rec".
struct with_recorder {
    troupe::testing::runtime rt;
    troupe::ref<recorder> rec = rt.node().spawn<recorder>().value();

    /// The script of `b`, with the recipient "rec".
    lua::script script(lua::builder b) {
        b.add_recipient("rec", rec.addr());
        return build(std::move(b));
    }
    /// A Lua actor running the script of `b`, with the recipient "rec".
    troupe::ref<lua::script_actor> lua_actor(lua::builder b) {
        return spawn(rt, script(std::move(b)));
    }
    /// Every value the recorder has received.
    const std::vector<value>& got() const { return rec.get()->got; }
};

/// Collects log lines (level, text).
class capture_sink : public spdlog::sinks::base_sink<std::mutex> {
public:
    std::vector<std::pair<spdlog::level::level_enum, std::string>> lines;
    bool contains(std::string_view text) const {
        for (const auto& [level, line] : lines)
            if (line.find(text) != std::string::npos) return true;
        return false;
    }

protected:
    void sink_it_(const spdlog::details::log_msg& m) override {
        lines.emplace_back(m.level, std::string{m.payload.data(), m.payload.size()});
    }
    void flush_() override {}
};

/// The address of the supervisor's only child (null while it is not running).
inline troupe::address only_child(const troupe::supervisor_ref& sup) {
    auto children = sup.which_children().get().value();
    EXPECT_EQ(children.size(), 1u);
    return children.empty() ? troupe::address{} : children[0].addr;
}

}  // namespace lua_test

// Logging: quiet by default, configurable, and every actor line names the actor.
#include <sstream>

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>

#include <troupe/actor.hpp>
#include <troupe/testing/runtime.hpp>

using namespace std::chrono_literals;

namespace {

struct say {
    std::string text;
};
struct talker : troupe::actor<talker, say> {
    void handle(const say& s) {
        log().info("said {}", s.text);
        log().warn("warned {}", s.text);
    }
};

std::shared_ptr<std::ostringstream> capture(troupe::node& n) {
    auto out = std::make_shared<std::ostringstream>();
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(*out);
    sink->set_pattern("%l %v");
    n.logger().sinks().clear();
    n.logger().sinks().push_back(sink);
    return out;
}

TEST(Log, QuietByDefaultWithAddressAndNameOnEachLine) {
    troupe::testing::runtime rt;
    auto out = capture(rt.node());
    troupe::spawn_options opts;
    opts.name = "chatty";
    auto t = rt.node().spawn_with<talker>(opts).value();
    t.tell(say{"hi"});
    rt.run_until_idle();
    EXPECT_EQ(out->str(), "warning <fff8:1> chatty: warned hi\n");  // info is filtered out
}

TEST(Log, LevelIsConfigurable) {
    troupe::testing::runtime rt{troupe::log_level::info};
    auto out = capture(rt.node());
    auto t = rt.node().spawn<talker>().value();
    t.tell(say{"a"});
    rt.run_until_idle();
    std::string type{troupe::detail::type_name<talker>()};
    EXPECT_EQ(out->str(),
              "info <fff8:1> " + type + ": said a\nwarning <fff8:1> " + type + ": warned a\n");
    rt.node().set_log_level(troupe::log_level::off);
    t.tell(say{"b"});
    rt.run_until_idle();
    EXPECT_EQ(out->str().find("said b"), std::string::npos);
}

TEST(Log, ACrashIsLoggedWithTheActorAndTheReason) {
    troupe::testing::runtime rt;
    auto out = capture(rt.node());
    struct crasher : troupe::actor<crasher, say> {
        void handle(const say& s) { throw std::runtime_error("cannot say " + s.text); }
    };
    troupe::spawn_options opts;
    opts.name = "crasher";
    auto c = rt.node().spawn_with<crasher>(opts).value();
    c.tell(say{"x"});
    rt.run_until_idle();
    auto text = out->str();
    EXPECT_NE(text.find("error <fff8:1> crasher: handler for"), std::string::npos) << text;
    EXPECT_NE(text.find("threw: cannot say x; the actor exits"), std::string::npos) << text;
    EXPECT_NE(text.find("warning <fff8:1> crasher: exited (error{cannot say x})"),
              std::string::npos)
        << text;
}

}  // namespace

#include <atomic>
#include <map>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <troupe/actor.hpp>
#include <troupe/codec/registry.hpp>
#include <troupe/node.hpp>
#include <troupe/testing/runtime.hpp>

#include "support/messages.hpp"

namespace {

namespace codec = troupe::codec;
using codec::format;
using demo::SetValue;
using troupe::errc;
using troupe::value;
using namespace std::chrono_literals;
using namespace std::string_literals;

struct GetValue {
    std::string key;
};
TROUPE_MESSAGE(GetValue, "GetValue", key)

struct Snapshot {
    std::map<std::string, std::int64_t> entries;
    std::int64_t writes = 0;
};
TROUPE_MESSAGE(Snapshot, "Snapshot", entries, writes)

struct TakeSnapshot {};
TROUPE_MESSAGE(TakeSnapshot, "TakeSnapshot")

struct Fail {};
TROUPE_MESSAGE(Fail, "Fail")

struct local_only {};  // no description: reachable from C++ only

// A key-value store: SetValue replies nothing, GetValue the value, TakeSnapshot a struct.
struct kv_store : troupe::actor<kv_store, SetValue, GetValue, TakeSnapshot, Fail, local_only> {
    void handle(const SetValue& m) {
        entries_[m.key] = m.value;
        ++writes_;
    }
    std::optional<std::int64_t> handle(const GetValue& m) {
        auto it = entries_.find(m.key);
        if (it == entries_.end()) return std::nullopt;
        return it->second;
    }
    Snapshot handle(const TakeSnapshot&) { return Snapshot{entries_, writes_}; }
    int handle(const Fail&) { throw std::runtime_error("asked to fail"); }
    void handle(local_only) {}

private:
    std::map<std::string, std::int64_t> entries_;
    std::int64_t writes_ = 0;
};

// Another type that claims the name "SetValue".
namespace other {
struct SetValue {
    int x = 0;
};
TROUPE_MESSAGE(SetValue, "SetValue", x)
}  // namespace other

struct Registry : testing::Test {
    troupe::testing::runtime rt;
    codec::registry reg;
    troupe::ref<kv_store> store = rt.node().spawn<kv_store>().value();
    codec::endpoint ep = reg.expose(store).value();
};

TEST_F(Registry, ExposeRegistersTheActorsNamedMessages) {
    EXPECT_EQ(ep.message_types(),
              (std::vector<std::string_view>{"SetValue", "GetValue", "TakeSnapshot", "Fail"}));
    EXPECT_EQ(reg.names(),
              (std::vector<std::string_view>{"Fail", "GetValue", "SetValue", "TakeSnapshot"}));
    EXPECT_EQ(ep.addr(), store.addr());
    EXPECT_EQ(ep.reply_type("SetValue"), "nil");
    EXPECT_EQ(ep.reply_type("TakeSnapshot"), "Snapshot");
    EXPECT_EQ(ep.reply_type("GetValue"), "int64");  // std::optional<std::int64_t>: or nil
    EXPECT_EQ(ep.reply_type("Fail"), "int32");
    EXPECT_EQ(ep.reply_type("Nope"), "");
    ASSERT_NE(reg.find("SetValue"), nullptr);
    EXPECT_EQ(reg.find("SetValue")->cpp_type(), typeid(SetValue));
    EXPECT_EQ(reg.find("Nope"), nullptr);
}

TEST_F(Registry, ADuplicateNameIsAnErrorNamingBothTypes) {
    EXPECT_TRUE(reg.add<SetValue>());  // the same type again: fine
    auto r = reg.add<other::SetValue>();
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code(), errc::duplicate_name);
    EXPECT_EQ(r.error().reason(),
              "the message name \"SetValue\" is taken by demo::SetValue; "
              "{anonymous}::other::SetValue needs another name");
}

TEST_F(Registry, AsksByNameWithJsonInAndJsonOut) {
    auto set = ep.ask("SetValue", format::json, R"({"key":"a","value":41})", 1s).get();
    ASSERT_TRUE(set) << set.error().message();
    EXPECT_EQ(*set, "null");  // a void handler replies nil
    EXPECT_EQ(ep.ask("GetValue", format::json, R"({"key":"a"})", 1s).get().value(), "41");
    EXPECT_EQ(ep.ask("GetValue", format::json, R"({"key":"zz"})", 1s).get().value(), "null");
    EXPECT_EQ(ep.ask("TakeSnapshot", format::json, "{}", 1s).get().value(),
              R"({"entries":{"a":41},"writes":1})");
}

TEST_F(Registry, AsksByNameWithMessagePackAndWithValues) {
    std::string set = codec::msgpack::encode(SetValue{"b", -5}).value();
    EXPECT_EQ(ep.ask("SetValue", format::msgpack, set, 1s).get().value(), "\xc0"s);
    EXPECT_EQ(ep.ask("GetValue", format::msgpack,
                     "\x81\xa3key\xa1"
                     "b"s,
                     1s)
                  .get()
                  .value(),
              "\xfb"s);  // -5 as a negative fixint
    auto snap = ep.ask("TakeSnapshot", value::map{}, 1s).get();
    ASSERT_TRUE(snap) << snap.error().message();
    EXPECT_EQ(*snap, (value::map{{"entries", value::map{{"b", -5}}}, {"writes", 1}}));
}

TEST_F(Registry, TellByNameDeliversInOrder) {
    ASSERT_TRUE(ep.tell("SetValue", value::map{{"key", "k"}, {"value", 1}}));
    ASSERT_TRUE(ep.tell("SetValue", format::json, R"({"key":"k","value":2})"));
    rt.run_until_idle();
    EXPECT_EQ(ep.ask("GetValue", value::map{{"key", "k"}}, 1s).get().value(), value{2});
}

TEST_F(Registry, BadInputIsAnErrorValueThatSaysWhy) {
    auto wrong = ep.ask("SetValue", format::json, R"({"key":"a","value":"x"})", 1s).get();
    ASSERT_FALSE(wrong);
    EXPECT_EQ(wrong.error().code(), errc::bad_message);
    EXPECT_EQ(wrong.error().reason(), "SetValue.value: expected int64, got string");

    auto unknown = ep.ask("SetVal", value::map{}, 1s).get();
    ASSERT_FALSE(unknown);
    EXPECT_EQ(unknown.error().code(), errc::not_found);
    EXPECT_THAT(unknown.error().reason(),
                testing::EndsWith("handles no message named \"SetVal\" (it handles: SetValue, "
                                  "GetValue, TakeSnapshot, Fail)"));

    auto malformed = ep.tell("SetValue", format::msgpack, "\x82\xa3"s);
    ASSERT_FALSE(malformed);
    EXPECT_THAT(malformed.error().reason(), testing::StartsWith("SetValue: malformed MessagePack"));
}

TEST_F(Registry, HandlerFailuresAndDeadActorsComeBackAsErrors) {
    auto failed = ep.ask("Fail", value::map{}, 1s).get();
    ASSERT_FALSE(failed);
    EXPECT_EQ(failed.error().code(), errc::handler_failed);
    rt.run_until_idle();
    auto gone = ep.ask("GetValue", format::json, R"({"key":"a"})", 1s).get();
    ASSERT_FALSE(gone);
    EXPECT_EQ(gone.error().code(), errc::no_such_actor);
}

TEST_F(Registry, DecodesAndEncodesByNameWithoutAnActor) {
    auto box = reg.decode("SetValue", format::json, R"({"key":"q","value":7})");
    ASSERT_TRUE(box) << box.error().message();
    ASSERT_NE(box->get<SetValue>(), nullptr);
    EXPECT_EQ(*box->get<SetValue>(), (SetValue{"q", 7}));
    EXPECT_EQ(box->get<GetValue>(), nullptr);
    const auto& type = box->type();
    EXPECT_EQ(type.encode(*box, format::msgpack).value(),
              codec::msgpack::encode(SetValue{"q", 7}).value());
    EXPECT_EQ(type.to_value(*box).value(), (value::map{{"key", "q"}, {"value", 7}}));
    auto unknown = reg.from_value("Nope", value{});
    ASSERT_FALSE(unknown);
    EXPECT_EQ(unknown.error().code(), errc::not_found);
}

TEST(RegistryThreaded, ManyThreadsAskByNameAtOnce) {
    troupe::node_config cfg;
    cfg.workers = 2;
    cfg.level = troupe::log_level::off;
    troupe::node node{std::move(cfg)};
    codec::registry reg;
    auto store = node.spawn<kv_store>().value();
    codec::endpoint ep = reg.expose(store).value();
    constexpr int threads = 4, rounds = 300;
    std::vector<std::thread> pool;
    std::atomic<int> wrong{0};
    for (int t = 0; t < threads; ++t) {
        pool.emplace_back([&, t] {
            std::string key = "k" + std::to_string(t);
            for (int i = 1; i <= rounds; ++i) {
                // Each thread writes its own key, then reads it back: FIFO per sender.
                std::string set = R"({"key":")" + key + R"(","value":)" + std::to_string(i) + "}";
                if (!ep.tell("SetValue", format::json, set)) ++wrong;
                auto got = ep.ask("GetValue", format::msgpack,
                                  codec::msgpack::encode(GetValue{key}).value(), 5s)
                               .get();
                if (!got || codec::msgpack::decode<std::int64_t>(*got).value_or(-1) != i) ++wrong;
            }
        });
    }
    for (auto& th : pool) th.join();
    EXPECT_EQ(wrong.load(), 0);
    auto snap = ep.ask("TakeSnapshot", value::map{}, 5s).get().value();
    EXPECT_EQ(snap.at("writes"), value{threads * rounds});
}

TEST(RegistryExpose, AnEmptyRefIsRefused) {
    codec::registry reg;
    auto r = reg.expose(troupe::ref<kv_store>{});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code(), errc::invalid_argument);
}

}  // namespace

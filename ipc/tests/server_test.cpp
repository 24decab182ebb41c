// The server over a real socket, frame by frame: every kind of request, answers matched by
// correlation id, subscriptions, discovery, restarts of an exposed actor, shutdown.
#include <limits>
#include <set>

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "support/server_fixture.hpp"

using namespace ipc_test;
using troupe::value;
using troupe::codec::format;
using troupe::ipc::frame_type;

namespace {

struct another_echo : troupe::actor<another_echo, ipc_test::Echo> {
    ipc_test::Echo handle(const ipc_test::Echo& m) const { return m; }
};

std::string request(std::string_view cid, std::string_view target, std::string_view type,
                    std::string_view payload, std::string_view extra = R"("expects_reply":true)") {
    std::string out = R"({"correlation_id":")" + std::string{cid} + R"(","target":")" +
                      std::string{target} + R"(","message_type":")" + std::string{type} +
                      R"(","payload":)" + std::string{payload};
    if (!extra.empty()) out += "," + std::string{extra};
    return out + "}";
}

}  // namespace

TEST(IpcServer, ARequestIsAnsweredWithTheHandlersReplyInBothFormats) {
    served s;
    for (format f : {format::json, format::msgpack}) {
        raw_client c{s.path()};
        c.send(frame_type::request,
               request("set", "my-service", "SetValue", R"({"key":"a","value":42})"), f);
        frame_type t{};
        value r = c.read_value(&t);
        EXPECT_EQ(t, frame_type::response);
        EXPECT_EQ(text(r, "correlation_id"), "set");
        EXPECT_EQ(field(r, "success"), value{true});
        EXPECT_EQ(field(r, "payload"), value{});
        EXPECT_FALSE(has(r, "error"));
        c.send(frame_type::request, request("get", "my-service", "GetValue", R"({"key":"a"})"), f);
        r = c.read_value(&t);
        EXPECT_EQ(t, frame_type::response);
        EXPECT_EQ(field(r, "payload"), value{42});
        c.send(frame_type::request, request("echo", "echo", "Echo", R"({"text":"héllo"})"), f);
        r = c.read_value();
        EXPECT_EQ(field(r, "payload"), (value::map{{"text", "héllo"}}));
    }
}

TEST(IpcServer, FireAndForgetIsAcknowledgedOnceDelivered) {
    served s;
    raw_client c{s.path()};
    c.send(frame_type::request,
           request("f1", "my-service", "SetValue", R"({"key":"k","value":7})", ""));
    value ack = c.read_value();
    EXPECT_EQ(text(ack, "correlation_id"), "f1");
    EXPECT_EQ(field(ack, "payload"), (value::map{{"status", "delivered"}}));
    c.send(frame_type::request, request("g", "my-service", "GetValue", R"({"key":"k"})"));
    EXPECT_EQ(field(c.read_value(), "payload"), value{7});
}

TEST(IpcServer, RepliesComeBackAsTheyCompleteNotInRequestOrder) {
    served s;
    raw_client c{s.path()};
    c.send(frame_type::request, request("slow", "slow", "Sleep", R"({"ms":300})"));
    c.send(frame_type::request, request("fast", "slow", "Sleep", R"({"ms":1})"));
    c.send(frame_type::request, request("echo", "echo", "Echo", R"({"text":"x"})"));
    std::vector<std::string> order;
    for (int i = 0; i < 3; ++i) order.push_back(text(c.read_value(), "correlation_id"));
    ASSERT_EQ(order.size(), 3u);
    EXPECT_EQ(order.back(), "slow");  // no head-of-line blocking
    EXPECT_EQ(std::set<std::string>(order.begin(), order.end()),
              (std::set<std::string>{"slow", "fast", "echo"}));
}

TEST(IpcServer, ManyRequestsInFlightAreEachAnsweredUnderTheirOwnId) {
    served s;
    raw_client c{s.path()};
    constexpr int n = 500;
    std::string burst;
    for (int i = 0; i < n; ++i) {
        troupe::ipc::append_frame(burst, frame_type::request, format::json,
                                  request("r" + std::to_string(i), "echo", "Echo",
                                          R"({"text":")" + std::to_string(i) + R"("})"));
    }
    c.send_bytes(burst);
    std::set<std::string> seen;
    for (int i = 0; i < n; ++i) {
        value r = c.read_value();
        const std::string cid = text(r, "correlation_id");
        EXPECT_EQ("r" + text(field(r, "payload"), "text"), cid);
        seen.insert(cid);
    }
    EXPECT_EQ(seen.size(), static_cast<std::size_t>(n));
}

TEST(IpcServer, AStreamedReplyIsOneFramePerItemThenAFinalFrame) {
    served s;
    for (format f : {format::json, format::msgpack}) {
        raw_client c{s.path()};
        c.send(frame_type::request,
               request("st", "counter", "Count", R"({"n":3})", R"("expects_stream":true)"), f);
        for (int i = 0; i < 3; ++i) {
            frame_type t{};
            value item = c.read_value(&t);
            EXPECT_EQ(t, frame_type::stream);
            EXPECT_EQ(field(item, "sequence"), value{i});
            EXPECT_EQ(field(item, "is_final"), value{false});
            EXPECT_EQ(field(item, "payload"), value{i + 1});
        }
        value last = c.read_value();
        EXPECT_EQ(field(last, "is_final"), value{true});
        EXPECT_EQ(field(last, "sequence"), value{3});
        EXPECT_FALSE(has(last, "payload"));
    }
}

TEST(IpcServer, SubscribersGetPushesBeforeTheReplyThatCausedThemAndNoneAfterUnsubscribing) {
    served s;
    raw_client sub{s.path()};
    raw_client other{s.path()};
    sub.send(frame_type::subscribe, R"({"correlation_id":"s","message_types":["Tick"]})",
             format::msgpack);
    frame_type t{};
    value ok = sub.read_value(&t);
    EXPECT_EQ(t, frame_type::response);
    EXPECT_EQ(field(ok, "subscribed_types"), (value::array{"Tick"}));

    sub.send(frame_type::request, request("emit", "publisher", "Emit", R"({"n":3})"));
    for (int i = 1; i <= 3; ++i) {
        value p = sub.read_value(&t);
        ASSERT_EQ(t, frame_type::push);
        EXPECT_EQ(text(p, "message_type"), "Tick");
        EXPECT_EQ(text(p, "source_actor"), "publisher");
        EXPECT_EQ(field(p, "payload"), (value::map{{"seq", i}}));
        EXPECT_GT(field(p, "timestamp_ms").as_int64(), 1'600'000'000'000);
    }
    value reply = sub.read_value(&t);
    EXPECT_EQ(t, frame_type::response);
    EXPECT_EQ(field(reply, "payload"), value{3});

    sub.send(frame_type::unsubscribe, R"({"correlation_id":"u","message_types":["Tick"]})");
    EXPECT_EQ(field(sub.read_value(), "subscribed_types"), value::array{});
    sub.send(frame_type::request, request("emit2", "publisher", "Emit", R"({"n":2})"));
    value after = sub.read_value(&t);
    EXPECT_EQ(t, frame_type::response) << "no push after unsubscribing";
    EXPECT_EQ(text(after, "correlation_id"), "emit2");
    // The connection that never subscribed got nothing.
    EXPECT_FALSE(other.read(std::chrono::milliseconds{50}));
}

TEST(IpcServer, SubscribingToAnUnregisteredTypeIsRefusedAndChangesNothing) {
    served s;
    raw_client c{s.path()};
    c.send(frame_type::subscribe, R"({"correlation_id":"s","message_types":["Tick","Nope"]})");
    frame_type t{};
    value r = c.read_value(&t);
    EXPECT_EQ(t, frame_type::error);
    EXPECT_EQ(text(r, "error_code"), "UNKNOWN_MESSAGE_TYPE");
    EXPECT_NE(text(r, "error").find("\"Nope\""), std::string::npos);
    c.send(frame_type::subscribe, R"({"correlation_id":"s2","message_types":[]})");
    EXPECT_EQ(field(c.read_value(), "subscribed_types"), value::array{});
}

TEST(IpcServer, DiscoverListsExposedActorsTheirTypesAndTheProtocol) {
    served s;
    raw_client c{s.path()};
    c.send(frame_type::discover, R"({"correlation_id":"d"})");
    value d = c.read_value();
    EXPECT_EQ(field(d, "success"), value{true});
    value pv = field(d, "protocol_version");
    EXPECT_EQ(field(pv, "current"), value{2});
    EXPECT_EQ(field(pv, "min_supported"), value{1});
    EXPECT_EQ(field(field(pv, "capabilities"), "messagepack"), value{true});
    const value actors_value = field(d, "actors");
    const auto& actors = *actors_value.if_array();
    ASSERT_EQ(actors.size(), 7u);
    EXPECT_EQ(text(actors[4], "name"), "my-service");
    EXPECT_EQ(field(actors[4], "message_types"), (value::array{"SetValue", "GetValue"}));
    const value types_value = field(d, "message_types");
    const auto& types = *types_value.if_array();
    EXPECT_NE(std::find(types.begin(), types.end(), value{"Tick"}), types.end());

    c.send(frame_type::discover,
           R"({"correlation_id":"d2","include_actors":false,"include_message_types":false})");
    value slim = c.read_value();
    EXPECT_FALSE(has(slim, "actors"));
    EXPECT_FALSE(has(slim, "message_types"));
    EXPECT_TRUE(has(slim, "protocol_version"));
}

TEST(IpcServer, HeartbeatsAreEchoedInTheirFormatAndVersion) {
    served s;
    raw_client c{s.path()};
    c.send(frame_type::heartbeat, "", format::msgpack);
    auto f = c.read();
    ASSERT_TRUE(f);
    EXPECT_EQ(f->type, frame_type::heartbeat);
    EXPECT_EQ(f->format, format::msgpack);
    EXPECT_TRUE(f->payload.empty());
    c.send(frame_type::heartbeat, "", format::json, 1);
    f = c.read();
    ASSERT_TRUE(f);
    EXPECT_EQ(f->version, 1);
}

TEST(IpcServer, VersionOneRequestsAreAnsweredWithVersionOneFrames) {
    served s;
    raw_client c{s.path()};
    c.send(frame_type::request, request("v1", "echo", "Echo", R"({"text":"old"})"), format::json,
           1);
    auto f = c.read();
    ASSERT_TRUE(f);
    EXPECT_EQ(f->version, 1);
    EXPECT_EQ(f->type, frame_type::response);
    EXPECT_NE(f->payload.find("\"old\""), std::string::npos);
}

TEST(IpcServer, AMessagePackRequestMayBePositional) {
    served s;
    raw_client c{s.path()};
    value positional = value::array{"pos", "echo", "Echo", value::map{{"text", "arr"}}, true};
    std::string out;
    troupe::ipc::append_frame(out, frame_type::request, format::msgpack,
                              troupe::codec::msgpack::encode(positional).value());
    c.send_bytes(out);
    value r = c.read_value();
    EXPECT_EQ(text(r, "correlation_id"), "pos");
    EXPECT_EQ(field(r, "payload"), (value::map{{"text", "arr"}}));
}

TEST(IpcServer, AnExposedSupervisedActorStaysReachableAcrossRestarts) {
    served s;
    raw_client c{s.path()};
    c.send(frame_type::request, request("g1", "flaky", "Generation", "{}"));
    EXPECT_EQ(field(c.read_value(), "payload"), value{1});
    c.send(frame_type::request, request("boom", "flaky", "Crash", "{}"));
    value crash = c.read_value();
    EXPECT_EQ(text(crash, "error_code"), "HANDLER_FAILED");
    EXPECT_NE(text(crash, "error").find("crash requested"), std::string::npos);
    // The restart is asynchronous: until the supervisor has restarted it, the name is
    // unbound (ACTOR_NOT_FOUND). Wait for the restart itself, then ask again.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{5};
    while (s.starts() < 2 && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
    ASSERT_EQ(s.starts(), 2);
    value g2;
    for (int attempt = 0; attempt < 1000; ++attempt) {
        c.send(frame_type::request, request("g2", "flaky", "Generation", "{}"));
        g2 = c.read_value();
        if (text(g2, "error_code") != "ACTOR_NOT_FOUND") break;  // registered after on_start
    }
    EXPECT_EQ(field(g2, "payload"), value{2});
}

TEST(IpcServer, HiddenNamesAreNotFoundAndExposingATakenNameFails) {
    served s;
    EXPECT_EQ(s.server().expose("echo", s.node().spawn<another_echo>().value()).error().code(),
              troupe::errc::duplicate_name);
    EXPECT_TRUE(s.server().hide("echo"));
    EXPECT_FALSE(s.server().hide("echo"));
    raw_client c{s.path()};
    c.send(frame_type::request, request("h", "echo", "Echo", R"({"text":"x"})"));
    value r = c.read_value();
    EXPECT_EQ(text(r, "error_code"), "ACTOR_NOT_FOUND");
    EXPECT_NE(text(r, "error").find("no actor is exposed as \"echo\""), std::string::npos);
}

TEST(IpcServer, TheSocketIsPrivateAndRemovedOnStop) {
    served s;
    struct stat st {};
    ASSERT_EQ(::stat(s.path().c_str(), &st), 0);
    EXPECT_TRUE(S_ISSOCK(st.st_mode));
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    s.server().stop();
    EXPECT_NE(::stat(s.path().c_str(), &st), 0);
}

TEST(IpcServer, GracefulStopAnswersWhatIsInFlightAndRefusesNewRequests) {
    served s;
    raw_client c{s.path()};
    c.send(frame_type::request, request("late", "slow", "Sleep", R"({"ms":300})"));
    // Wait until the server has the request in flight, then stop it from another thread.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{5};
    while (s.server().stats().requests < 1 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::yield();
    std::thread stopper{[&] { s.server().stop(); }};
    // The server removes its socket file once it has begun to shut down.
    struct stat st {};
    while (::stat(s.path().c_str(), &st) == 0 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::yield();
    c.send(frame_type::request, request("new", "echo", "Echo", R"({"text":"x"})"));
    value first = c.read_value();
    EXPECT_EQ(text(first, "correlation_id"), "new");
    EXPECT_EQ(text(first, "error_code"), "SHUTTING_DOWN");
    value answered = c.read_value();
    EXPECT_EQ(text(answered, "correlation_id"), "late");
    EXPECT_EQ(field(answered, "payload"), value{300});
    EXPECT_TRUE(c.closed_by_server());
    stopper.join();
}

TEST(IpcServer, AVersionOneStreamRequestGetsTheWholeReplyAtOnce) {
    served s;
    raw_client c{s.path()};
    c.send(frame_type::request,
           request("v1s", "counter", "Count", R"({"n":3})", R"("expects_stream":true)"),
           format::json, 1);
    auto f = c.read();
    ASSERT_TRUE(f);
    EXPECT_EQ(f->version, 1);
    EXPECT_EQ(f->type, frame_type::response);  // version 1 has no stream frames
    EXPECT_NE(f->payload.find("[1,2,3]"), std::string::npos) << f->payload;
}

TEST(IpcServer, ABroadcastThatCannotBeEncodedIsNotPushedAndTheNextOneIs) {
    served s;
    raw_client sub{s.path()};
    sub.send(frame_type::subscribe, R"({"correlation_id":"s","message_types":["Tick"]})");
    ASSERT_EQ(field(sub.read_value(), "success"), value{true});
    s.server().broadcast("Tick", value{std::numeric_limits<double>::quiet_NaN()});
    s.server().broadcast("Tick", value::map{{"seq", 1}});
    frame_type t{};
    value p = sub.read_value(&t);
    EXPECT_EQ(t, frame_type::push);
    EXPECT_EQ(field(p, "payload"), (value::map{{"seq", 1}}));
}

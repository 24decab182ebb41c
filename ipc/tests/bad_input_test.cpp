// Untrusted input: every malformed frame or envelope gets the right error code, and the
// connection goes on wherever the frame boundary is still known.
#include <gtest/gtest.h>

#include "support/server_fixture.hpp"

using namespace ipc_test;
using troupe::value;
using troupe::codec::format;
using troupe::ipc::frame_type;

namespace {

// Sends `bytes`, expects one error frame with `code` (and `needle` in its message), then
// checks that the connection still answers a heartbeat.
void expect_error_then_alive(raw_client& c, std::string_view bytes, std::string_view code,
                             std::string_view needle, std::string_view cid = "unknown") {
    c.send_bytes(bytes);
    frame_type t{};
    value r = c.read_value(&t);
    EXPECT_EQ(t, frame_type::error);
    EXPECT_EQ(text(r, "error_code"), code) << text(r, "error");
    EXPECT_EQ(text(r, "correlation_id"), cid);
    EXPECT_EQ(field(r, "success"), value{false});
    EXPECT_NE(text(r, "error").find(needle), std::string::npos) << text(r, "error");
    c.send(frame_type::heartbeat, "");
    auto hb = c.read();
    ASSERT_TRUE(hb) << "the connection did not survive";
    EXPECT_EQ(hb->type, frame_type::heartbeat);
}

std::string frame_of(frame_type t, std::string_view payload, format f = format::json) {
    std::string out;
    troupe::ipc::append_frame(out, t, f, payload);
    return out;
}

}  // namespace

TEST(IpcBadInput, InvalidJsonIsASerializationErrorForUnknown) {
    served s;
    raw_client c{s.path()};
    expect_error_then_alive(c, frame_of(frame_type::request, "{\"correlation_id\": "),
                            "SERIALIZATION_ERROR", "not valid JSON");
}

TEST(IpcBadInput, InvalidMessagePackIsASerializationError) {
    served s;
    raw_client c{s.path()};
    expect_error_then_alive(c, frame_of(frame_type::request, "\xc1\xc1", format::msgpack),
                            "SERIALIZATION_ERROR", "not valid MessagePack");
}

TEST(IpcBadInput, AMissingFieldIsAProtocolErrorThatKeepsTheCorrelationId) {
    served s;
    raw_client c{s.path()};
    expect_error_then_alive(
        c, frame_of(frame_type::request, R"({"correlation_id":"c1","message_type":"Echo"})"),
        "PROTOCOL_ERROR", "target", "c1");
}

TEST(IpcBadInput, AFieldOfTheWrongTypeIsAProtocolError) {
    served s;
    raw_client c{s.path()};
    expect_error_then_alive(
        c,
        frame_of(frame_type::request,
                 R"({"correlation_id":"c2","target":7,"message_type":"Echo","payload":{}})"),
        "PROTOCOL_ERROR", "target", "c2");
    expect_error_then_alive(
        c,
        frame_of(frame_type::request,
                 R"({"correlation_id":"c3","target":"echo","message_type":"Echo","payload":{},)"
                 R"("expects_reply":"yes"})"),
        "PROTOCOL_ERROR", "expects_reply", "c3");
}

TEST(IpcBadInput, APayloadThatDoesNotFitTheTypeIsASerializationError) {
    served s;
    raw_client c{s.path()};
    expect_error_then_alive(
        c,
        frame_of(frame_type::request,
                 R"({"correlation_id":"p","target":"my-service","message_type":"SetValue",)"
                 R"("payload":{"key":"a","value":"not a number"},"expects_reply":true})"),
        "SERIALIZATION_ERROR", "value", "p");
}

TEST(IpcBadInput, UnknownTargetsAndTypesNameWhatExists) {
    served s;
    raw_client c{s.path()};
    expect_error_then_alive(
        c,
        frame_of(frame_type::request,
                 R"({"correlation_id":"t","target":"ghost","message_type":"Echo","payload":{}})"),
        "ACTOR_NOT_FOUND", "\"my-service\"", "t");
    expect_error_then_alive(
        c,
        frame_of(frame_type::request,
                 R"({"correlation_id":"m","target":"echo","message_type":"Shout","payload":{}})"),
        "UNKNOWN_MESSAGE_TYPE", "it handles Echo", "m");
}

TEST(IpcBadInput, ANonPositiveTimeoutIsAProtocolError) {
    served s;
    raw_client c{s.path()};
    expect_error_then_alive(
        c,
        frame_of(frame_type::request,
                 R"({"correlation_id":"z","target":"echo","message_type":"Echo",)"
                 R"("payload":{"text":"x"},"expects_reply":true,"response_timeout_ms":0})"),
        "PROTOCOL_ERROR", "response_timeout_ms must be positive", "z");
}

TEST(IpcBadInput, FramesOnlyAServerSendsAreRefused) {
    served s;
    raw_client c{s.path()};
    expect_error_then_alive(c, frame_of(frame_type::response, "{}"), "PROTOCOL_ERROR",
                            "a client does not send response frames");
}

TEST(IpcBadInput, UnknownFrameTypeAndFormatBytesAreSkipped) {
    served s;
    raw_client c{s.path()};
    std::string bad_type = frame_of(frame_type::request, "{}");
    bad_type[5] = 0x42;
    expect_error_then_alive(c, bad_type, "PROTOCOL_ERROR", "unknown message type 0x42");
    std::string bad_format = frame_of(frame_type::request, "{}");
    bad_format[6] = 0x09;
    expect_error_then_alive(c, bad_format, "PROTOCOL_ERROR", "unknown format byte 0x09");
}

TEST(IpcBadInput, AnOversizedFrameIsRefusedAndItsBytesSkipped) {
    troupe::ipc::server_config cfg;
    cfg.max_frame = 1024;
    served s{cfg};
    raw_client c{s.path()};
    const std::string big = R"({"correlation_id":"big","pad":")" + std::string(5000, 'x') + "\"}";
    expect_error_then_alive(c, frame_of(frame_type::request, big), "PROTOCOL_ERROR",
                            "5033 bytes is over this server's limit of 1024");
}

TEST(IpcBadInput, AnUnsupportedVersionIsAnsweredThenTheConnectionCloses) {
    served s;
    raw_client c{s.path()};
    c.send_bytes(std::string("\x00\x00\x00\x02\x07\x01\x01{}", 9));
    value r = c.read_value();
    EXPECT_EQ(text(r, "error_code"), "UNSUPPORTED_PROTOCOL_VERSION");
    EXPECT_TRUE(c.closed_by_server());
    raw_client again{s.path()};  // the server itself is fine
    again.send(frame_type::heartbeat, "");
    EXPECT_TRUE(again.read());
}

TEST(IpcBadInput, ATruncatedFrameThenHangUpLeavesTheServerServing) {
    served s;
    {
        raw_client c{s.path()};
        c.send_bytes(frame_of(frame_type::request, R"({"correlation_id":"x"})").substr(0, 12));
    }
    raw_client c{s.path()};
    c.send(frame_type::heartbeat, "");
    EXPECT_TRUE(c.read());
}

TEST(IpcBadInput, AFrameBegunAndNeverFinishedIsCutByTheReadTimeout) {
    troupe::ipc::server_config cfg;
    cfg.read_timeout = std::chrono::milliseconds{100};
    served s{cfg};
    raw_client c{s.path()};
    c.send_bytes(frame_of(frame_type::request, R"({"correlation_id":"x"})").substr(0, 10));
    EXPECT_TRUE(c.closed_by_server());
}

TEST(IpcBadInput, RandomBytesNeverCrashTheServer) {
    served s;
    std::uint64_t seed = 0x9e3779b97f4a7c15ull;
    auto next = [&] {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        return seed;
    };
    for (int round = 0; round < 200; ++round) {
        raw_client c{s.path()};
        std::string junk;
        // A valid-looking header half of the time, so the payload decoders get junk too.
        if (round % 2 == 0) {
            const std::size_t len = next() % 64;
            junk = frame_of(static_cast<frame_type>(1 + next() % 9), "",
                            next() % 2 ? format::json : format::msgpack);
            junk[3] = static_cast<char>(len);
            for (std::size_t i = 0; i < len; ++i) junk.push_back(static_cast<char>(next()));
        } else {
            for (int i = 0; i < 40; ++i) junk.push_back(static_cast<char>(next()));
        }
        c.send_bytes(junk);
    }
    raw_client c{s.path()};
    c.send(frame_type::request, R"({"correlation_id":"ok","target":"echo","message_type":"Echo",)"
                                R"("payload":{"text":"still here"},"expects_reply":true})");
    EXPECT_EQ(field(c.read_value(), "payload"), (value::map{{"text", "still here"}}));
}

// Frames: headers written and read back, every bad header reported with the right code,
// and the stream still readable after a refused frame.
#include <gtest/gtest.h>

#include <troupe/ipc/frame.hpp>

using namespace troupe::ipc;
using troupe::codec::format;

namespace {

std::string v2(frame_type t, format f, std::string_view payload) {
    std::string out;
    append_frame(out, t, f, payload);
    return out;
}

}  // namespace

TEST(Frame, HeaderIsSevenBytesBigEndianLengthVersionTypeFormat) {
    const std::string f = v2(frame_type::request, format::msgpack, "abc");
    ASSERT_EQ(f.size(), header_size + 3);
    EXPECT_EQ(f.substr(0, 7), std::string("\x00\x00\x00\x03\x02\x01\x02", 7));
    EXPECT_EQ(f.substr(7), "abc");
}

TEST(Frame, DecoderReadsFramesFedOneByteAtATime) {
    const std::string bytes = v2(frame_type::request, format::json, "{\"a\":1}") +
                              v2(frame_type::heartbeat, format::json, "");
    frame_decoder d;
    std::vector<frame> got;
    for (char c : bytes) {
        d.feed(std::string_view{&c, 1});
        while (auto ev = d.next()) {
            ASSERT_TRUE(ev->got) << ev->problem.message;
            got.push_back(std::move(*ev->got));
        }
    }
    ASSERT_EQ(got.size(), 2u);
    EXPECT_EQ(got[0].type, frame_type::request);
    EXPECT_EQ(got[0].payload, "{\"a\":1}");
    EXPECT_EQ(got[1].type, frame_type::heartbeat);
    EXPECT_EQ(got[1].payload, "");
    EXPECT_FALSE(d.partial());
}

TEST(Frame, VersionOneFramesHaveSixByteHeadersAndJson) {
    std::string bytes;
    append_frame(bytes, frame_type::request, format::json, "{}", 1);
    EXPECT_EQ(bytes.size(), header_size_v1 + 2);
    frame_decoder d;
    d.feed(bytes);
    auto ev = d.next();
    ASSERT_TRUE(ev && ev->got);
    EXPECT_EQ(ev->got->version, 1);
    EXPECT_EQ(ev->got->format, format::json);
    EXPECT_EQ(ev->got->payload, "{}");
}

TEST(Frame, AnOversizedFrameIsSkippedWithoutBufferingAndTheNextOneReads) {
    frame_decoder d{16};
    std::string big(100, 'x');
    d.feed(v2(frame_type::request, format::json, big).substr(0, 20));
    auto ev = d.next();
    ASSERT_TRUE(ev);
    EXPECT_FALSE(ev->got);
    EXPECT_FALSE(ev->fatal);
    EXPECT_EQ(ev->problem.what, code::protocol_error);
    EXPECT_NE(ev->problem.message.find("100 bytes is over this server's limit of 16"),
              std::string::npos)
        << ev->problem.message;
    EXPECT_LE(d.buffered(), 13u);
    d.feed(big.substr(13) + v2(frame_type::heartbeat, format::json, ""));
    ev = d.next();
    ASSERT_TRUE(ev && ev->got);
    EXPECT_EQ(ev->got->type, frame_type::heartbeat);
}

TEST(Frame, UnknownTypeAndFormatAreSkippedWithProtocolErrors) {
    std::string bytes = v2(frame_type::request, format::json, "{}");
    bytes[5] = 0x0a;  // no such type
    std::string bad_format = v2(frame_type::request, format::json, "{}");
    bad_format[6] = 0x07;
    frame_decoder d;
    d.feed(bytes + bad_format + v2(frame_type::heartbeat, format::msgpack, ""));
    auto a = d.next();
    ASSERT_TRUE(a && !a->got);
    EXPECT_EQ(a->problem.what, code::protocol_error);
    EXPECT_NE(a->problem.message.find("unknown message type 0x0a"), std::string::npos);
    auto b = d.next();
    ASSERT_TRUE(b && !b->got);
    EXPECT_NE(b->problem.message.find("unknown format byte 0x07"), std::string::npos);
    auto c = d.next();
    ASSERT_TRUE(c && c->got);
    EXPECT_EQ(c->got->format, format::msgpack);
}

TEST(Frame, VersionOneKnowsOnlyTypesOneToFour) {
    std::string bytes;
    append_frame(bytes, frame_type::subscribe, format::json, "{}", 1);
    frame_decoder d;
    d.feed(bytes);
    auto ev = d.next();
    ASSERT_TRUE(ev && !ev->got);
    EXPECT_EQ(ev->problem.what, code::protocol_error);
}

TEST(Frame, AnUnknownVersionIsFatal) {
    std::string bytes = v2(frame_type::request, format::json, "{}");
    bytes[4] = 0x03;
    frame_decoder d;
    d.feed(bytes);
    auto ev = d.next();
    ASSERT_TRUE(ev);
    EXPECT_TRUE(ev->fatal);
    EXPECT_EQ(ev->problem.what, code::unsupported_protocol_version);
    EXPECT_FALSE(d.next());
}

TEST(Frame, ALengthOverTheHardLimitIsFatal) {
    std::string bytes = v2(frame_type::request, format::json, "");
    bytes[0] = '\x7f';
    frame_decoder d{hard_max_frame * 4};
    d.feed(bytes);
    auto ev = d.next();
    ASSERT_TRUE(ev);
    EXPECT_TRUE(ev->fatal);
    EXPECT_EQ(ev->problem.what, code::protocol_error);
}

TEST(Frame, ErrorCodesRoundTripTheirWireNames) {
    for (int i = 0; i <= static_cast<int>(code::permission_denied); ++i) {
        const auto c = static_cast<code>(i);
        EXPECT_EQ(code_from_string(to_string(c)), c) << to_string(c);
    }
    EXPECT_EQ(to_string(code::actor_not_found), "ACTOR_NOT_FOUND");
    EXPECT_FALSE(code_from_string("NOPE"));
}

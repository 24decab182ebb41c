// Limits: connections, request rate, requests in flight, slow subscribers, time-outs, a
// full mailbox, who may connect, and what is already at the socket path.
#include <fstream>
#include <set>

#include <gtest/gtest.h>

#include "support/server_fixture.hpp"

using namespace ipc_test;
using troupe::value;
using troupe::codec::format;
using troupe::ipc::frame_type;

namespace {

std::string echo_request(std::string_view cid) {
    return R"({"correlation_id":")" + std::string{cid} +
           R"(","target":"echo","message_type":"Echo","payload":{"text":"x"},"expects_reply":true})";
}

}  // namespace

TEST(IpcLimits, ConnectionsBeyondTheLimitAreRejectedWithAReason) {
    troupe::ipc::server_config cfg;
    cfg.max_connections = 2;
    served s{cfg};
    raw_client a{s.path()};
    raw_client b{s.path()};
    a.send(frame_type::heartbeat, "");  // both are accepted before the third comes
    b.send(frame_type::heartbeat, "");
    ASSERT_TRUE(a.read());
    ASSERT_TRUE(b.read());
    raw_client third{s.path()};
    frame_type t{};
    value r = third.read_value(&t);
    EXPECT_EQ(t, frame_type::error);
    EXPECT_EQ(text(r, "correlation_id"), "__connection_rejected__");
    EXPECT_EQ(text(r, "error_code"), "CONNECTION_LIMIT_REACHED");
    EXPECT_NE(text(r, "error").find("maximum of 2"), std::string::npos);
    EXPECT_TRUE(third.closed_by_server());
    EXPECT_EQ(s.server().stats().rejected, 1u);
}

TEST(IpcLimits, TheAuthorisationHookSeesPeerCredentialsAndMayRefuse) {
    troupe::ipc::server_config cfg;
    std::atomic<std::int32_t> seen_pid{0};
    cfg.authorize = [&](const troupe::ipc::peer_credentials& p) {
        seen_pid = p.pid;
        return false;
    };
    served s{cfg};
    raw_client c{s.path()};
    value r = c.read_value();
    EXPECT_EQ(text(r, "error_code"), "PERMISSION_DENIED");
    EXPECT_EQ(text(r, "correlation_id"), "__connection_rejected__");
    EXPECT_EQ(seen_pid.load(), ::getpid());
}

TEST(IpcLimits, OverTheRateRequestsAreRefusedWithTheTimeToWait) {
    troupe::ipc::server_config cfg;
    cfg.rate = 1;  // one a second after a burst of 3
    cfg.burst = 3;
    served s{cfg};
    raw_client c{s.path()};
    std::string burst;
    for (int i = 0; i < 5; ++i)
        troupe::ipc::append_frame(burst, frame_type::request, format::json,
                                  echo_request("r" + std::to_string(i)));
    c.send_bytes(burst);
    int ok = 0, limited = 0;
    for (int i = 0; i < 5; ++i) {
        value r = c.read_value();
        if (field(r, "success") == value{true}) {
            ++ok;
        } else {
            EXPECT_EQ(text(r, "error_code"), "RATE_LIMITED");
            EXPECT_NE(text(r, "error").find("retry after"), std::string::npos);
            ++limited;
        }
    }
    EXPECT_EQ(ok, 3);
    EXPECT_EQ(limited, 2);
}

TEST(IpcLimits, BeyondMaxInFlightTheServerStopsReadingInsteadOfFailing) {
    troupe::ipc::server_config cfg;
    cfg.max_in_flight = 2;
    served s{cfg};
    raw_client c{s.path()};
    std::string burst;
    for (int i = 0; i < 6; ++i) {
        troupe::ipc::append_frame(burst, frame_type::request, format::json,
                                  R"({"correlation_id":"s)" + std::to_string(i) +
                                      R"(","target":"slow","message_type":"Sleep",)"
                                      R"("payload":{"ms":30},"expects_reply":true})");
    }
    c.send_bytes(burst);
    for (int i = 0; i < 6; ++i) {
        value r = c.read_value();
        EXPECT_EQ(field(r, "payload"), value{30}) << text(r, "error");
    }
}

TEST(IpcLimits, ARequestTimesOutWithTimeout) {
    served s;
    raw_client c{s.path()};
    c.send(frame_type::request,
           R"({"correlation_id":"t","target":"slow","message_type":"Sleep","payload":{"ms":2000},)"
           R"("expects_reply":true,"response_timeout_ms":50})");
    value r = c.read_value();
    EXPECT_EQ(text(r, "correlation_id"), "t");
    EXPECT_EQ(text(r, "error_code"), "TIMEOUT");
}

TEST(IpcLimits, AFullMailboxIsTargetBusy) {
    served s;
    raw_client c{s.path()};
    std::string burst;
    for (int i = 0; i < 4; ++i) {
        troupe::ipc::append_frame(burst, frame_type::request, format::json,
                                  R"({"correlation_id":"h)" + std::to_string(i) +
                                      R"(","target":"busy","message_type":"Hold",)"
                                      R"("payload":{"ms":200}})");
    }
    c.send_bytes(burst);
    int busy = 0;
    for (int i = 0; i < 4; ++i) {
        value r = c.read_value();
        if (text(r, "error_code") == "TARGET_BUSY") ++busy;
    }
    EXPECT_GE(busy, 2);  // one handled, at most one waiting in the mailbox of one
}

TEST(IpcLimits, ASlowSubscribersBacklogDropsTheOldestPushes) {
    troupe::ipc::server_config cfg;
    cfg.max_push_backlog = 4;
    served s{cfg};
    raw_client sub{s.path()};
    // A small receive buffer so that the server's writes back up.
    int small = 4096;
    ::setsockopt(sub.fd(), SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
    sub.send(frame_type::subscribe, R"({"correlation_id":"s","message_types":["Tick"]})");
    ASSERT_EQ(field(sub.read_value(), "success"), value{true});
    raw_client emitter{s.path()};
    emitter.send(frame_type::request,
                 R"({"correlation_id":"e","target":"publisher","message_type":"Emit",)"
                 R"("payload":{"n":20000},"expects_reply":true})");
    ASSERT_EQ(field(emitter.read_value(), "payload"), value{20000});
    // Every push was queued or dropped, and the subscriber still reads the latest ones.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{10};
    while (s.server().stats().pushes < 20000 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::yield();
    EXPECT_EQ(s.server().stats().pushes, 20000u);
    EXPECT_GT(s.server().stats().pushes_dropped, 0u);
    std::int64_t last = 0;
    while (auto f = sub.read(std::chrono::milliseconds{500})) {
        value p = troupe::codec::json::decode(f->payload).value();
        const std::int64_t seq = field(field(p, "payload"), "seq").as_int64();
        EXPECT_GT(seq, last);  // in order, with gaps where pushes were dropped
        last = seq;
    }
    EXPECT_EQ(last, 20000);
}

TEST(IpcLimits, AnIdleConnectionIsClosedAfterTheIdleTimeout) {
    troupe::ipc::server_config cfg;
    cfg.idle_timeout = std::chrono::milliseconds{100};
    served s{cfg};
    raw_client c{s.path()};
    EXPECT_TRUE(c.closed_by_server());
}

TEST(IpcLimits, ALiveServerAtThePathIsAnErrorAndAStaleSocketIsReplaced) {
    served s;
    troupe::node n;
    troupe::codec::registry types;
    troupe::ipc::server_config cfg;
    cfg.socket_path = s.path();
    troupe::ipc::server second{n, types, cfg};
    auto r = second.start();
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().reason().find("another server is listening at " + s.path()),
              std::string::npos);
    // A socket file nobody listens on is stale: the next server replaces it.
    const std::string stale = s.dir().file("stale.sock");
    {
        const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        std::memcpy(addr.sun_path, stale.c_str(), stale.size() + 1);
        ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
        ::close(fd);  // the file stays, nobody listens
    }
    cfg.socket_path = stale;
    troupe::ipc::server third{n, types, cfg};
    ASSERT_TRUE(third.start()) << "a stale socket must be replaced";
    raw_client c{stale};
    c.send(frame_type::heartbeat, "");
    EXPECT_TRUE(c.read());
}

TEST(IpcLimits, APathThatIsNotASocketIsLeftAloneAndReported) {
    temp_dir dir;
    const std::string path = dir.file("file.sock");
    std::ofstream{path} << "precious";
    troupe::node n;
    troupe::codec::registry types;
    troupe::ipc::server_config cfg;
    cfg.socket_path = path;
    troupe::ipc::server srv{n, types, cfg};
    auto r = srv.start();
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().reason().find("is not a socket"), std::string::npos);
    std::ifstream in{path};
    std::string content;
    in >> content;
    EXPECT_EQ(content, "precious");
}

TEST(IpcLimits, TheDefaultPathUsesXdgRuntimeDirAndAPrivateDirectory) {
    temp_dir dir;
    ::setenv("XDG_RUNTIME_DIR", dir.path().c_str(), 1);
    EXPECT_EQ(troupe::ipc::default_socket_path("app"), dir.path() + "/troupe/app.sock");
    troupe::node n;
    troupe::codec::registry types;
    troupe::ipc::server_config cfg;
    cfg.app = "app";
    troupe::ipc::server srv{n, types, cfg};
    ASSERT_TRUE(srv.start());
    struct stat st {};
    ASSERT_EQ(::stat((dir.path() + "/troupe").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0700u);
    srv.stop();
    ::unsetenv("XDG_RUNTIME_DIR");
    EXPECT_EQ(troupe::ipc::default_socket_path("app"),
              "/tmp/troupe-" + std::to_string(::getuid()) + "/app.sock");
}

TEST(IpcLimits, WaitingBehindMaxInFlightIsNotAReadTimeout) {
    troupe::ipc::server_config cfg;
    cfg.max_in_flight = 2;
    cfg.read_timeout = std::chrono::milliseconds{100};
    served s{cfg};
    raw_client c{s.path()};
    std::string burst;
    for (int i = 0; i < 6; ++i) {
        troupe::ipc::append_frame(burst, frame_type::request, format::json,
                                  R"({"correlation_id":"w)" + std::to_string(i) +
                                      R"(","target":"slow","message_type":"Sleep",)"
                                      R"("payload":{"ms":250},"expects_reply":true})");
    }
    c.send_bytes(burst);  // three rounds of 250 ms, each longer than the read time-out
    for (int i = 0; i < 6; ++i) EXPECT_EQ(field(c.read_value(), "payload"), value{250});
}

TEST(IpcLimits, AFrameTricklingInPastTheReadTimeoutIsCut) {
    troupe::ipc::server_config cfg;
    cfg.read_timeout = std::chrono::milliseconds{150};
    served s{cfg};
    raw_client c{s.path()};
    std::string frame;
    troupe::ipc::append_frame(frame, frame_type::request, format::json, echo_request("slowly"));
    // One byte every 30 ms: each read is recent, but the frame as a whole takes too long.
    bool cut = false;
    for (std::size_t i = 0; i < frame.size() && !cut; ++i) {
        if (::send(c.fd(), &frame[i], 1, MSG_NOSIGNAL) != 1) cut = true;
        std::this_thread::sleep_for(std::chrono::milliseconds{30});  // the pace under test
    }
    EXPECT_TRUE(cut || c.closed_by_server(std::chrono::milliseconds{500}));
    EXPECT_TRUE(cut || !c.read(std::chrono::milliseconds{10}));
}

TEST(IpcLimits, AClientThatClosesItsSendingSideStillGetsItsAnswers) {
    served s;
    raw_client c{s.path()};
    c.send(frame_type::request,
           R"({"correlation_id":"a","target":"slow","message_type":"Sleep","payload":{"ms":100},)"
           R"("expects_reply":true})");
    c.send(frame_type::request, echo_request("b"));
    ::shutdown(c.fd(), SHUT_WR);
    std::set<std::string> got;
    for (int i = 0; i < 2; ++i) got.insert(text(c.read_value(), "correlation_id"));
    EXPECT_EQ(got, (std::set<std::string>{"a", "b"}));
    EXPECT_TRUE(c.closed_by_server());
}

TEST(IpcLimits, AnExplicitSocketPathNeedsNoPrivateDirectory) {
    temp_dir dir;
    ::chmod(dir.path().c_str(), 0777);  // shared, like /tmp
    troupe::node n;
    troupe::codec::registry types;
    troupe::ipc::server_config cfg;
    cfg.socket_path = dir.file("shared.sock");
    troupe::ipc::server srv{n, types, cfg};
    ASSERT_TRUE(srv.start());
    struct stat st {};
    ASSERT_EQ(::stat(cfg.socket_path.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);  // the socket itself is still private
}

TEST(IpcLimits, TheDefaultDirectoryMustNotBeWritableByOthers) {
    temp_dir dir;
    ::setenv("XDG_RUNTIME_DIR", dir.path().c_str(), 1);
    ASSERT_EQ(::mkdir((dir.path() + "/troupe").c_str(), 0777), 0);
    ::chmod((dir.path() + "/troupe").c_str(), 0777);
    troupe::node n;
    troupe::codec::registry types;
    troupe::ipc::server srv{n, types, {}};
    auto r = srv.start();
    ::unsetenv("XDG_RUNTIME_DIR");
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().reason().find("is writable by others (mode 0777)"), std::string::npos)
        << r.error().reason();
}

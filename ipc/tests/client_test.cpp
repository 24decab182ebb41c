// The C++ client against a real server in this process (the test actors on a socket in a
// fresh directory): every kind of request in both formats, answers matched out of order,
// many threads at once, streams, pushes, discovery, heartbeats, every error code, the
// server going away, and co_await from inside an actor.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <troupe/ipc/client.hpp>
#include <troupe/ipc/server.hpp>

#include "support/test_actors.hpp"

using namespace std::chrono_literals;
using troupe::errc;
using troupe::result;
using troupe::value;
using troupe::codec::format;
namespace ipc = troupe::ipc;

namespace {

// Waits for a pending with a bound, so that a lost answer fails the test instead of
// hanging it.
template <class T>
result<T> settle(troupe::pending<T> p, std::chrono::seconds limit = 10s) {
    auto done = std::make_shared<std::promise<result<T>>>();
    auto got = done->get_future();
    std::move(p).then([done](result<T> r) { done->set_value(std::move(r)); });
    if (got.wait_for(limit) != std::future_status::ready) {
        return troupe::error{errc::cancelled, "test: no result within the bound"};
    }
    return got.get();
}

std::optional<ipc::code> code_of(const troupe::error& e) {
    return ipc::code_of_reason(e);
}

// A private directory for sockets, removed with everything in it.
struct temp_dir {
    std::string path;
    temp_dir() {
        char name[] = "/tmp/troupe-client-XXXXXX";
        if (!::mkdtemp(name)) throw std::runtime_error("mkdtemp failed");
        path = name;
    }
    ~temp_dir() {
        std::error_code ignored;
        std::filesystem::remove_all(path, ignored);
    }
};

// The test actors behind a server on a socket in a fresh directory.
struct served {
    temp_dir dir;
    troupe::node node;
    troupe::codec::registry types;
    ipc::server srv;
    std::optional<troupe::supervisor_ref> sup;

    explicit served(ipc::server_config cfg = {})
        : srv(node, types, with_path(std::move(cfg), dir.path + "/t.sock")) {
        node.set_log_level(troupe::log_level::off);  // flaky's crashes are expected
        auto s = ipc_test::expose_test_actors(node, srv, types,
                                              std::make_shared<std::atomic<std::int64_t>>(0));
        if (!s) throw std::runtime_error(s.error().message());
        sup = std::move(*s);
        if (auto ok = srv.start(); !ok) throw std::runtime_error(ok.error().message());
    }
    ~served() { srv.stop(); }

    ipc::client connect(format f = format::json) {
        return ipc::client::connect({.socket_path = srv.socket_path(), .format = f}).value();
    }

    static ipc::server_config with_path(ipc::server_config c, std::string path) {
        c.socket_path = std::move(path);
        return c;
    }
};

class Client : public ::testing::TestWithParam<format> {
protected:
    served s;
    ipc::client c = s.connect(GetParam());
};

INSTANTIATE_TEST_SUITE_P(Formats, Client, ::testing::Values(format::json, format::msgpack),
                         [](const auto& info) { return std::string{to_string(info.param)}; });

// A local actor that asks the IPC server through the client from a coroutine handler.
struct relay_echo {
    std::string text;
};

struct relay : troupe::actor<relay, relay_echo> {
    explicit relay(ipc::client* c) : c_(c) {}
    troupe::task<std::string> handle(relay_echo m) {
        // A named message, not a temporary in the co_await expression: GCC 12.2 destroys
        // such a temporary twice (a double free) when the coroutine resumes.
        ipc_test::Echo msg{m.text};
        auto r = co_await c_->call<ipc_test::Echo>("echo", msg);
        if (!r) co_return "error: " + r.error().message();
        co_return r->text;
    }

private:
    ipc::client* c_;
};

}  // namespace

TEST_P(Client, RequestsGetTheirRepliesUntypedAndTyped) {
    EXPECT_EQ(settle(c.request("my-service", "SetValue", value::map{{"key", "k"}, {"value", 42}}))
                  .value(),
              value{});
    EXPECT_EQ(settle(c.request("my-service", "GetValue", value::map{{"key", "k"}})).value(),
              value{42});
    EXPECT_EQ(settle(c.request("my-service", ipc_test::GetValue{"never"})).value(), value{});

    auto typed = settle(c.call<std::optional<std::int64_t>>("my-service", ipc_test::GetValue{"k"}));
    EXPECT_EQ(typed.value(), std::optional<std::int64_t>{42});
    EXPECT_EQ(settle(c.call<ipc_test::Echo>("echo", ipc_test::Echo{"héllo"})).value().text,
              "héllo");
    // A blocking get() from a plain thread.
    EXPECT_EQ(c.call<std::vector<std::int64_t>>("counter", ipc_test::Count{3}).get().value(),
              (std::vector<std::int64_t>{1, 2, 3}));
}

TEST_P(Client, AReplyOfAnotherShapeIsABadReplyType) {
    auto r = settle(c.call<ipc_test::Echo>("counter", ipc_test::Count{2}));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code(), errc::bad_reply_type);
    EXPECT_EQ(code_of(r.error()), ipc::code::serialization_error) << r.error().reason();
}

TEST_P(Client, TellCompletesOnceDeliveredAndTheMessageIsHandled) {
    ASSERT_TRUE(settle(c.tell("my-service", ipc_test::SetValue{"t", 7})));
    // The mailbox is FIFO: the request after the delivered tell sees its effect.
    EXPECT_EQ(settle(c.request("my-service", ipc_test::GetValue{"t"})).value(), value{7});
    auto lost = settle(c.tell("nobody", "SetValue", value::map{{"key", "t"}, {"value", 1}}));
    ASSERT_FALSE(lost);
    EXPECT_EQ(code_of(lost.error()), ipc::code::actor_not_found);
}

TEST_P(Client, OutOfOrderRepliesAreMatchedToTheirRequests) {
    std::mutex m;
    std::vector<std::int64_t> order;
    std::vector<std::future<result<value>>> results;
    for (std::int64_t ms : {400, 200, 20}) {
        auto done = std::make_shared<std::promise<result<value>>>();
        results.push_back(done->get_future());
        c.request("slow", ipc_test::Sleep{ms}).then([&, done, ms](result<value> r) {
            {
                std::lock_guard lock{m};
                order.push_back(ms);
            }
            done->set_value(std::move(r));
        });
    }
    const std::int64_t expected[] = {400, 200, 20};
    for (std::size_t i = 0; i < results.size(); ++i) {
        ASSERT_EQ(results[i].wait_for(10s), std::future_status::ready);
        EXPECT_EQ(results[i].get().value(), value{expected[i]});
    }
    std::lock_guard lock{m};
    EXPECT_EQ(order, (std::vector<std::int64_t>{20, 200, 400}));
}

TEST_P(Client, FourThreadsOfTwoHundredRequestsEachGetExactlyTheirAnswers) {
    constexpr int threads = 4, per_thread = 200;
    std::vector<std::thread> pool;
    std::vector<std::int64_t> sums(threads, 0);
    std::vector<int> echoes_right(threads, 0);
    for (int t = 0; t < threads; ++t) {
        pool.emplace_back([&, t] {
            std::vector<troupe::pending<value>> sleeps;
            std::vector<troupe::pending<ipc_test::Echo>> echoes;
            for (int i = 0; i < per_thread; ++i) {
                if (i % 2 == 0) {
                    sleeps.push_back(c.request("slow", ipc_test::Sleep{i % 7}));
                } else {
                    echoes.push_back(c.call<ipc_test::Echo>(
                        "echo", ipc_test::Echo{std::to_string(t) + "/" + std::to_string(i)}));
                }
            }
            for (auto& p : sleeps) {
                if (auto r = settle(std::move(p)); r && r->is_int64()) sums[t] += r->as_int64();
            }
            for (int i = 1; auto& p : echoes) {
                auto r = settle(std::move(p));
                if (r && r->text == std::to_string(t) + "/" + std::to_string(i)) ++echoes_right[t];
                i += 2;
            }
        });
    }
    for (auto& th : pool) th.join();
    std::int64_t expected_sum = 0;
    for (int i = 0; i < per_thread; i += 2) expected_sum += i % 7;
    for (int t = 0; t < threads; ++t) {
        EXPECT_EQ(sums[t], expected_sum) << "thread " << t;
        EXPECT_EQ(echoes_right[t], per_thread / 2) << "thread " << t;
    }
}

TEST_P(Client, AStreamGivesItsItemsInOrderThenCompletes) {
    std::vector<value> seen;  // on the socket thread, read after completion
    auto items = settle(c.stream("counter", "Count", value::map{{"n", 5}}, [&](const value& v) {
                     seen.push_back(v);
                 })).value();
    const std::vector<value> expected{1, 2, 3, 4, 5};
    EXPECT_EQ(items, expected);
    EXPECT_EQ(seen, expected);
    EXPECT_TRUE(settle(c.stream("counter", "Count", value::map{{"n", 0}})).value().empty());
    auto refused = settle(c.stream("nobody", "Count", value::map{{"n", 1}}));
    ASSERT_FALSE(refused);
    EXPECT_EQ(code_of(refused.error()), ipc::code::actor_not_found);
}

TEST_P(Client, PushesOfSubscribedTypesArriveBeforeTheReplyThatCausedThem) {
    std::mutex m;
    std::vector<ipc::push> pushes;
    c.on_push([&](const ipc::push& p) {
        std::lock_guard lock{m};
        pushes.push_back(p);
    });
    EXPECT_EQ(settle(c.subscribe({"Tick"})).value(), std::vector<std::string>{"Tick"});
    EXPECT_EQ(settle(c.request("publisher", ipc_test::Emit{3})).value(), value{3});
    {
        std::lock_guard lock{m};
        ASSERT_EQ(pushes.size(), 3u);
        for (std::int64_t i = 0; i < 3; ++i) {
            EXPECT_EQ(pushes[i].message_type, "Tick");
            EXPECT_EQ(pushes[i].source_actor, std::optional<std::string>{"publisher"});
            EXPECT_EQ(pushes[i].payload, (value{value::map{{"seq", i + 1}}}));
            EXPECT_GT(pushes[i].timestamp_ms, 0);
        }
    }
    EXPECT_TRUE(settle(c.unsubscribe({"Tick"})).value().empty());
    EXPECT_EQ(settle(c.request("publisher", ipc_test::Emit{2})).value(), value{2});
    {
        std::lock_guard lock{m};
        EXPECT_EQ(pushes.size(), 3u);  // none after unsubscribing
    }
    auto unknown = settle(c.subscribe({"Tick", "NoSuchType"}));
    ASSERT_FALSE(unknown);
    EXPECT_EQ(unknown.error().code(), errc::not_found);
    EXPECT_EQ(code_of(unknown.error()), ipc::code::unknown_message_type);
}

TEST_P(Client, DiscoverListsActorsAndTypes) {
    auto d = settle(c.discover()).value();
    ASSERT_TRUE(d.protocol_version);
    EXPECT_EQ(d.protocol_version->current, 2);
    EXPECT_TRUE(d.protocol_version->capabilities.messagepack);
    ASSERT_TRUE(d.actors && d.message_types);
    std::vector<std::string> names;
    for (const auto& a : *d.actors) {
        names.push_back(a.name);
        if (a.name == "echo") {
            EXPECT_EQ(a.message_types, std::vector<std::string>{"Echo"});
        }
    }
    EXPECT_EQ(names, (std::vector<std::string>{"busy", "counter", "echo", "flaky", "my-service",
                                               "publisher", "slow"}));
    EXPECT_TRUE(std::is_sorted(d.message_types->begin(), d.message_types->end()));
    EXPECT_NE(std::find(d.message_types->begin(), d.message_types->end(), "Tick"),
              d.message_types->end());
    auto only_types = settle(c.discover(false, true)).value();
    EXPECT_FALSE(only_types.actors);
    EXPECT_TRUE(only_types.message_types);
}

TEST_P(Client, HeartbeatsAreEchoedAndTimed) {
    std::vector<troupe::pending<std::chrono::nanoseconds>> beats;
    for (int i = 0; i < 5; ++i) beats.push_back(c.heartbeat());
    for (auto& b : beats) {
        auto rtt = settle(std::move(b));
        ASSERT_TRUE(rtt) << rtt.error().message();
        EXPECT_GT(rtt->count(), 0);
        EXPECT_LT(*rtt, 10s);
    }
}

TEST_P(Client, ServerErrorsCarryTheirCodesAndMappedErrcs) {
    struct want {
        troupe::pending<value> p;
        ipc::code code;
        errc e;
    };
    want cases[] = {
        {c.request("nobody", "Echo", value::map{{"text", "x"}}), ipc::code::actor_not_found,
         errc::no_such_actor},
        {c.request("echo", "Sleep", value::map{{"ms", 1}}), ipc::code::unknown_message_type,
         errc::not_found},
        {c.request("echo", "Echo", value::map{{"text", 5}}), ipc::code::serialization_error,
         errc::bad_message},
        {c.request("slow", "Sleep", value::map{{"ms", 3000}}, 50ms), ipc::code::timeout,
         errc::timeout},
        {c.request("flaky", ipc_test::Crash{}), ipc::code::handler_failed, errc::handler_failed},
    };
    for (auto& w : cases) {
        auto r = settle(std::move(w.p));
        ASSERT_FALSE(r) << to_string(w.code);
        EXPECT_EQ(code_of(r.error()), w.code) << r.error().reason();
        EXPECT_EQ(r.error().code(), w.e) << r.error().reason();
        EXPECT_EQ(r.error().reason().rfind(std::string{to_string(w.code)} + ": ", 0), 0u)
            << r.error().reason();
    }
    // The supervisor restarts "flaky" (asynchronously: it may be missing for a moment).
    result<value> gen = troupe::error{errc::no_such_actor};
    for (int i = 0; i < 200 && !gen; ++i) {
        gen = settle(c.request("flaky", ipc_test::Generation{}));
        if (!gen) {
            EXPECT_EQ(code_of(gen.error()), ipc::code::actor_not_found) << gen.error().reason();
        }
    }
    EXPECT_EQ(gen.value(), value{2});
}

TEST_P(Client, AFullMailboxIsTargetBusy) {
    std::vector<troupe::pending<value>> holds;
    holds.push_back(c.request("busy", ipc_test::Hold{300}));
    for (int i = 0; i < 3; ++i) holds.push_back(c.request("busy", ipc_test::Hold{1}));
    int busy = 0;
    for (auto& h : holds) {
        auto r = settle(std::move(h));
        if (!r && code_of(r.error()) == ipc::code::target_busy) {
            EXPECT_EQ(r.error().code(), errc::mailbox_full);
            ++busy;
        }
    }
    EXPECT_GE(busy, 1);
}

TEST_P(Client, AStoppingServerAnswersWhatIsInFlightThenTheConnectionIsClosed) {
    auto sleeping = c.request("slow", ipc_test::Sleep{300});
    // Frames are read in order: once this echo is back, the server has the Sleep in flight.
    ASSERT_TRUE(settle(c.heartbeat()));
    s.srv.stop();  // returns after answering the Sleep and closing the connection
    EXPECT_EQ(settle(std::move(sleeping)).value(), value{300});
    auto after = settle(c.request("echo", ipc_test::Echo{"late"}));
    ASSERT_FALSE(after);
    EXPECT_EQ(code_of(after.error()), ipc::code::connection_closed) << after.error().reason();
    EXPECT_FALSE(c.connected());
}

TEST_P(Client, CoAwaitInsideAnActorResumesThere) {
    auto r = s.node.spawn<relay>(&c).value();
    EXPECT_EQ(settle(r.ask(relay_echo{"from an actor"}, 5s)).value(), "from an actor");
}

TEST(ClientConnection, CloseFailsWhatIsOpenAndEverythingAfter) {
    served s;
    auto c = s.connect();
    auto open = c.request("slow", ipc_test::Sleep{1000});
    ASSERT_TRUE(settle(c.heartbeat()));
    c.close();
    auto r = settle(std::move(open), 2s);
    ASSERT_FALSE(r);
    EXPECT_EQ(code_of(r.error()), ipc::code::connection_closed) << r.error().reason();
    auto later = settle(c.discover());
    ASSERT_FALSE(later);
    EXPECT_EQ(code_of(later.error()), ipc::code::connection_closed);
    EXPECT_FALSE(c.connected());
}

TEST(ClientConnection, NobodyListeningIsAnIoError) {
    temp_dir dir;
    auto c = ipc::client::connect({.socket_path = dir.path + "/none.sock"});
    ASSERT_FALSE(c);
    EXPECT_EQ(code_of(c.error()), ipc::code::io_error);
    EXPECT_NE(c.error().reason().find("none.sock"), std::string::npos);
}

TEST(ClientConnection, TheSocketPathComesFromConfigThenEnvironmentThenApp) {
    EXPECT_EQ(ipc::resolve_socket_path({.socket_path = "/x/y.sock"}), "/x/y.sock");
    ::setenv("TROUPE_IPC_SOCKET", "/from/env.sock", 1);
    EXPECT_EQ(ipc::resolve_socket_path({.app = "a"}), "/from/env.sock");
    ::unsetenv("TROUPE_IPC_SOCKET");
    EXPECT_EQ(ipc::resolve_socket_path({.app = "a"}), ipc::default_socket_path("a"));
}

TEST(ClientConnection, ASilentServerTimesOutOnTheClientSide) {
    // A socket that accepts (in the backlog) and never answers.
    temp_dir dir;
    const std::string path = dir.path + "/silent.sock";
    const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    ASSERT_GE(fd, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path.c_str());
    ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    ASSERT_EQ(::listen(fd, 4), 0);
    auto c = ipc::client::connect({.socket_path = path, .timeout = 50ms}).value();
    auto r = settle(c.request("echo", ipc_test::Echo{"x"}));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code(), errc::timeout);
    EXPECT_NE(r.error().reason().find("no answer from the server"), std::string::npos)
        << r.error().reason();
    auto beat = settle(c.heartbeat());  // the configured limit applies to heartbeats too
    ASSERT_FALSE(beat);
    EXPECT_EQ(code_of(beat.error()), ipc::code::timeout);
    EXPECT_TRUE(c.connected());  // a time-out does not close the connection
    c.close();
    ::close(fd);
}

TEST(ClientConnection, AFrameTheServerRefusesIsNamedWhenTheRequestTimesOut) {
    ipc::server_config cfg;
    cfg.max_frame = 1024;
    served s{cfg};
    auto c = s.connect();
    auto r = settle(c.request("echo", ipc_test::Echo{std::string(4096, 'x')}, 50ms));
    ASSERT_FALSE(r);
    EXPECT_EQ(code_of(r.error()), ipc::code::timeout);
    EXPECT_NE(r.error().reason().find("PROTOCOL_ERROR"), std::string::npos) << r.error().reason();
    // The connection survives the refused frame.
    EXPECT_EQ(settle(c.call<ipc_test::Echo>("echo", ipc_test::Echo{"ok"})).value().text, "ok");
}

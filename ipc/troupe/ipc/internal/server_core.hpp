#pragma once
// The server's state: the exposed actors (any thread, under a mutex) and what lives on the
// socket thread (acceptor, connections, the watchdog tick, shutdown).

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/steady_timer.hpp>

#include <troupe/ipc/server.hpp>

namespace troupe::ipc::internal {
class connection;
}

namespace troupe::ipc {

struct server::impl : std::enable_shared_from_this<server::impl> {
    using clock = std::chrono::steady_clock;

    impl(node& n, codec::registry& t, server_config c);

    // --- any thread ---------------------------------------------------------------------
    struct exposed_actor {
        codec::endpoint ep;
        reviver revive;
    };
    /// The live endpoint exposed as `name` (following a restarted actor), or nothing;
    /// `gone` says whether the name is exposed but its actor has exited.
    std::optional<codec::endpoint> find(std::string_view name, bool& gone);
    /// Every exposed name with its endpoint's message types, sorted by name.
    std::vector<actor_info> describe_exposed();
    std::string exposed_names_for_error();

    node& home;
    codec::registry& types;
    server_config cfg;
    std::string path;

    std::mutex exposed_mutex;
    std::map<std::string, exposed_actor, std::less<>> exposed;

    std::atomic<bool> running{false};
    std::atomic<std::uint64_t> open{0}, accepted{0}, rejected{0}, requests{0}, errors{0}, pushes{0},
        pushes_dropped{0};

    // --- the socket thread ----------------------------------------------------------------
    boost::asio::io_context io;
    std::optional<boost::asio::local::stream_protocol::acceptor> acceptor;
    boost::asio::steady_timer tick{io};
    std::optional<boost::asio::steady_timer> last_call;  // cuts writes that never finish
    std::thread thread;
    std::unordered_map<std::uint64_t, std::shared_ptr<internal::connection>> connections;
    std::uint64_t next_connection = 1;
    std::uint64_t next_push = 1;
    std::size_t in_flight = 0;  // over every connection
    bool shutting_down = false;
    clock::time_point drain_deadline{};

    boost::asio::awaitable<void> accept_loop();
    void reject(boost::asio::local::stream_protocol::socket s, const failure& why);
    void schedule_tick();
    void on_tick();
    void begin_stop();
    void finish_stop();
    void deliver_push(std::string_view type, const troupe::value& payload,
                      const std::string& source);
};

}  // namespace troupe::ipc

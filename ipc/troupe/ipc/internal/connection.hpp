#pragma once
// One client connection, on the server's socket thread: it reads frames, answers them,
// keeps what it has to write in order, and knows what it is subscribed to.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/steady_timer.hpp>

#include <troupe/ipc/envelope.hpp>
#include <troupe/ipc/frame.hpp>
#include <troupe/ipc/internal/server_core.hpp>
#include <troupe/ipc/internal/token_bucket.hpp>

namespace troupe::ipc::internal {

class connection : public std::enable_shared_from_this<connection> {
public:
    using socket_type = boost::asio::local::stream_protocol::socket;
    using clock = std::chrono::steady_clock;

    connection(server::impl& srv, socket_type s, std::uint64_t id, peer_credentials peer);

    void start();
    /// Closes at once (queued output is dropped).
    void close();
    /// Stops reading; closes once everything queued is written.
    void close_when_flushed();
    /// The watchdog: closes the connection if a time-out passed.
    void check(clock::time_point now);

    bool subscribed(std::string_view type) const { return subscriptions_.count(type) > 0; }
    codec::format push_format() const noexcept { return push_format_; }
    std::uint8_t push_version() const noexcept { return push_version_; }
    std::size_t in_flight() const noexcept { return in_flight_; }
    bool closed() const noexcept { return closed_; }

    /// Queues a frame; a push beyond max_push_backlog drops the oldest queued push.
    void queue(std::string bytes, bool is_push = false);

private:
    struct out_frame {
        std::string bytes;
        bool is_push = false;
    };
    struct origin {  // what an answer needs from the frame it answers
        std::uint8_t version;
        codec::format format;
    };

    boost::asio::awaitable<void> read_loop();
    void handle(frame_decoder::event& ev);
    void on_request(const frame& f);
    void on_subscription(const frame& f, bool subscribe);
    void on_discover(const frame& f);
    /// Queues an answer encoded elsewhere (`failed`: an error frame, for the stats).
    void answer(std::string bytes, bool failed);
    /// Appends the frames answering a request with `reply` (any thread).
    static void encode_answer(std::string& out, origin o, const std::string& correlation_id,
                              bool stream, troupe::value reply);
    void send_error(origin o, std::string_view correlation_id, const failure& why);
    void start_write();
    void request_done();

    server::impl& srv_;
    socket_type socket_;
    std::uint64_t id_;
    peer_credentials peer_;
    frame_decoder decoder_;
    token_bucket bucket_;
    boost::asio::steady_timer slot_;  // wakes the reader when in-flight drops below the limit

    std::deque<out_frame> out_;
    std::vector<out_frame> batch_;  // being written
    std::vector<boost::asio::const_buffer> buffers_;
    std::size_t pushes_queued_ = 0;
    bool writing_ = false;
    bool closed_ = false;
    bool closing_ = false;  // close once flushed
    bool eof_ = false;      // the peer sent everything: close once answered and flushed
    bool paused_ = false;   // not reading: max_in_flight reached

    std::size_t in_flight_ = 0;
    std::set<std::string, std::less<>> subscriptions_;
    codec::format push_format_ = codec::format::json;
    std::uint8_t push_version_ = protocol_version;

    clock::time_point last_frame_;
    clock::time_point last_read_;
    std::optional<clock::time_point> partial_since_;  // when the incomplete frame began
    clock::time_point write_started_;
};

}  // namespace troupe::ipc::internal

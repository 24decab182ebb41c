#pragma once
// The client's state: one socket, the calls waiting for their answers, and the thread that
// runs both.
//
// How a call goes:
//  1. The caller's thread encodes the frame and picks a correlation id, then posts the call
//     to the socket thread (the only thread that touches the socket and the tables below).
//  2. The socket thread files the call under its id, arms its time limit and queues the
//     frame. Heartbeats carry no id: they get one of their own here and a place in a FIFO,
//     since the server echoes them in order.
//  3. Each frame read is matched to its call by id (heartbeats: the FIFO's front). The call
//     is taken out of the table before its completion runs, so a completion that asks
//     again, or a late duplicate answer, finds a consistent table.
//  4. Whatever closes the connection (the server, a socket error, close(), a time limit is
//     not one) fails every call still filed, and every call posted afterwards.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/steady_timer.hpp>

#include <troupe/ipc/client.hpp>

namespace troupe::ipc {

struct client::impl {
    using clock = std::chrono::steady_clock;

    /// The success frame answering a call, read as a response (a stream's items are its
    /// payload, an array). `raw` lets a subscribe or discover call read its own fields.
    struct answer {
        const frame* raw = nullptr;
        response head;
    };
    using finish_fn = troupe::detail::unique_function<void(result<answer>)>;

    struct call_spec {
        finish_fn finish;                           // exactly once, on the socket thread
        std::function<void(const value&)> on_item;  // streams: each item as it comes
        bool stream = false;
        bool heartbeat = false;
        std::chrono::milliseconds patience{0};  // the client's own limit (per stream item)
    };

    impl(client_config c, std::string p);
    /// Closes, then joins the socket thread (never call it on that thread).
    ~impl();

    // --- any thread -----------------------------------------------------------------------
    result<void> connect();
    std::string next_id();
    /// Step 1: hands a call and its frame to the socket thread.
    void submit(std::string id, std::string bytes, call_spec spec);
    void set_push_handler(std::function<void(const push&)> fn);
    void close();
    /// The error for a call made once the connection is closed.
    troupe::error closed_error() const;

    const client_config cfg;
    const std::string path;
    std::atomic<bool> open{false};
    std::atomic<std::uint64_t> ids{1};

private:
    struct open_call {
        call_spec spec;
        boost::asio::steady_timer timer;
        std::vector<value> items;
        std::uint64_t unmatched_seen = 0;
    };
    using call_table = std::unordered_map<std::string, open_call>;

    // --- the socket thread ----------------------------------------------------------------
    boost::asio::awaitable<void> read_loop();
    void on_frame(const frame& f);
    void on_answer(const frame& f);
    void on_stream(const frame& f);
    void on_push(const frame& f);
    void on_heartbeat(const frame& f);
    void arm(const std::string& id, open_call& c);
    void finish(call_table::iterator it, result<answer> r);
    void time_out(const std::string& id);
    void shut(troupe::error why);
    void queue(std::string bytes);
    void start_write();

    boost::asio::io_context io_;
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
    boost::asio::local::stream_protocol::socket socket_;
    std::thread thread_;

    call_table calls_;
    std::deque<std::string> heartbeats_;  // ids of heartbeats sent, oldest first
    std::function<void(const push&)> push_handler_;
    mutable std::mutex close_mutex_;               // closed_because_ is read by any thread
    std::optional<troupe::error> closed_because_;  // the first reason the connection closed
    // Error frames the server could not attribute to a call ("unknown" correlation id: a
    // frame it could not read); a call timing out after one mentions it.
    std::uint64_t unmatched_count_ = 0;
    std::string unmatched_last_;

    std::deque<std::string> out_;
    std::vector<std::string> batch_;  // being written
    std::vector<boost::asio::const_buffer> buffers_;
    bool writing_ = false;
};

/// A whole frame of type `t` carrying `body` (an envelope struct), or why it cannot be
/// encoded (a NaN payload in JSON, a payload over the hard frame limit).
template <class T>
result<std::string> encode_frame(frame_type t, codec::format f, const T& body);

/// The troupe error for an error answer's fields (an unknown code keeps its name).
troupe::error error_from_wire(const std::optional<std::string>& code,
                              const std::optional<std::string>& message);

}  // namespace troupe::ipc

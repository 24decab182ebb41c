#include <algorithm>
#include <array>
#include <exception>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <sys/un.h>

#include <troupe/ipc/internal/client_core.hpp>

namespace troupe::ipc {

namespace asio = boost::asio;
using stream_protocol = asio::local::stream_protocol;

namespace {

// The server gives up on a request after its response_timeout_ms and says TIMEOUT; the
// client waits this much longer before deciding that no answer will come at all.
constexpr auto patience_margin = std::chrono::milliseconds{500};

std::string ms_text(std::chrono::milliseconds d) {
    return std::to_string(d.count()) + " ms";
}

}  // namespace

template <class T>
result<std::string> encode_frame(frame_type t, codec::format f, const T& body) {
    codec::options opts;
    opts.omit_empty_optionals = true;  // absent fields take the protocol's defaults
    std::string out;
    const std::size_t start = begin_frame(out, t, f);
    auto ok = f == codec::format::json ? codec::json::encode_to(out, body, opts)
                                       : codec::msgpack::encode_to(out, body, opts);
    if (!ok) return error_of(code::serialization_error, ok.error().reason());
    if (out.size() - header_size > hard_max_frame) {
        return error_of(code::protocol_error, "the " + to_string(t) + " frame would be " +
                                                  std::to_string(out.size() - header_size) +
                                                  " bytes, over the protocol's limit of " +
                                                  std::to_string(hard_max_frame));
    }
    finish_frame(out, start);
    return out;
}

template result<std::string> encode_frame<request>(frame_type, codec::format, const request&);
template result<std::string> encode_frame<subscription_request>(frame_type, codec::format,
                                                                const subscription_request&);
template result<std::string> encode_frame<discover_request>(frame_type, codec::format,
                                                            const discover_request&);

troupe::error error_from_wire(const std::optional<std::string>& name,
                              const std::optional<std::string>& message) {
    const std::string text = message.value_or("(no message)");
    if (!name) return error_of(code::protocol_error, "an error answer without a code: " + text);
    if (auto c = code_from_string(*name)) return error_of(*c, text);
    return troupe::error{errc::invalid_argument, *name + ": " + text};
}

client::impl::impl(client_config c, std::string p)
    : cfg(std::move(c)), path(std::move(p)), work_(io_.get_executor()), socket_(io_) {}

client::impl::~impl() {
    close();
    work_.reset();  // io_.run() returns once the socket's last handlers have run
    if (thread_.joinable()) thread_.join();
}

result<void> client::impl::connect() {
    if (path.size() >= sizeof(sockaddr_un::sun_path)) {
        return error_of(code::io_error, "the socket path " + path + " is longer than " +
                                            std::to_string(sizeof(sockaddr_un::sun_path) - 1) +
                                            " bytes");
    }
    boost::system::error_code ec;
    socket_.connect(stream_protocol::endpoint{path}, ec);
    if (ec) {
        return error_of(code::io_error,
                        "cannot connect to " + path + ": " + ec.message() +
                            " (is the server running? the path comes from socket_path, "
                            "$TROUPE_IPC_SOCKET or the app name)");
    }
    open.store(true);
    asio::co_spawn(io_, read_loop(), asio::detached);
    thread_ = std::thread{[this] { io_.run(); }};
    return {};
}

std::string client::impl::next_id() {
    // Appended rather than "c" + to_string(): GCC 12 warns (-Wrestrict) on the latter.
    std::string id = std::to_string(ids.fetch_add(1, std::memory_order_relaxed));
    id.insert(id.begin(), 'c');
    return id;
}

troupe::error client::impl::closed_error() const {
    std::lock_guard lock{close_mutex_};
    std::string why = "the connection to " + path + " is closed";
    if (closed_because_) why += " (" + closed_because_->reason() + ")";
    return error_of(code::connection_closed, why);
}

void client::impl::submit(std::string id, std::string bytes, call_spec spec) {
    if (!open.load()) return spec.finish(closed_error());
    asio::post(io_, [this, id = std::move(id), bytes = std::move(bytes),
                     spec = std::move(spec)]() mutable {
        if (!open.load()) return spec.finish(closed_error());
        const bool beat = spec.heartbeat;
        open_call c{std::move(spec), asio::steady_timer{io_}, {}, unmatched_count_};
        auto it = calls_.try_emplace(id, std::move(c)).first;  // ids are never reused
        if (beat) heartbeats_.push_back(id);
        arm(it->first, it->second);
        queue(std::move(bytes));
    });
}

void client::impl::set_push_handler(std::function<void(const push&)> fn) {
    asio::post(io_, [this, fn = std::move(fn)]() mutable { push_handler_ = std::move(fn); });
}

void client::impl::close() {
    if (!thread_.joinable()) return;  // never connected
    asio::post(io_, [this] {
        shut(error_of(code::connection_closed, "the client closed the connection"));
    });
}

void client::impl::arm(const std::string& id, open_call& c) {
    c.timer.expires_after(c.spec.patience + patience_margin);
    c.timer.async_wait([this, id](boost::system::error_code ec) {
        if (!ec) time_out(id);
    });
}

void client::impl::time_out(const std::string& id) {
    auto it = calls_.find(id);
    if (it == calls_.end()) return;
    std::string why =
        "no answer from the server within " + ms_text(it->second.spec.patience + patience_margin);
    if (unmatched_count_ > it->second.unmatched_seen) {
        why += "; meanwhile the server refused a frame it could not match to a request (" +
               unmatched_last_ + ")";
    }
    finish(it, error_of(code::timeout, why));
}

void client::impl::finish(call_table::iterator it, result<answer> r) {
    open_call c = std::move(it->second);
    calls_.erase(it);
    c.timer.cancel();
    c.spec.finish(std::move(r));
}

asio::awaitable<void> client::impl::read_loop() {
    frame_decoder decoder{cfg.max_frame};
    std::array<char, 64 * 1024> buf;
    for (;;) {
        boost::system::error_code ec;
        const std::size_t n = co_await socket_.async_read_some(
            asio::buffer(buf), asio::redirect_error(asio::use_awaitable, ec));
        if (ec) {
            shut(error_of(code::connection_closed,
                          ec == asio::error::eof
                              ? "the server closed the connection"
                              : "the connection to the server broke: " + ec.message()));
            co_return;
        }
        decoder.feed(std::string_view{buf.data(), n});
        while (auto ev = decoder.next()) {
            if (!ev->got) {
                // Frames come from the server we chose to trust, and a frame we cannot
                // read may be the answer some call waits for: stop rather than guess.
                shut(error_of(
                    ev->problem.what,
                    "the server sent a frame this client cannot read: " + ev->problem.message));
                co_return;
            }
            on_frame(*ev->got);
            if (!open.load()) co_return;
        }
    }
}

void client::impl::on_frame(const frame& f) {
    switch (f.type) {
        case frame_type::response:
        case frame_type::error:
            return on_answer(f);
        case frame_type::stream:
            return on_stream(f);
        case frame_type::push:
            return on_push(f);
        case frame_type::heartbeat:
            return on_heartbeat(f);
        default:
            return;  // a server sends none of the others; nothing waits for them
    }
}

void client::impl::on_answer(const frame& f) {
    refusal why;
    auto head = read_envelope<response>(f, why);
    const std::string& id = head ? head->correlation_id : why.correlation_id;
    if (id == rejected_correlation_id && head) {
        return shut(error_from_wire(head->error_code, head->error));  // the server closes
    }
    auto it = calls_.find(id);
    if (it == calls_.end()) {
        // A late answer to a call that timed out, or an error about a frame the server
        // could not read.
        if (head && (f.type == frame_type::error || !head->success)) {
            ++unmatched_count_;
            unmatched_last_ = error_from_wire(head->error_code, head->error).reason();
        }
        return;
    }
    if (!head) {
        return finish(it, error_of(code::protocol_error,
                                   "the server's answer cannot be read: " + why.why.message));
    }
    if (f.type == frame_type::error || !head->success) {
        return finish(it, error_from_wire(head->error_code, head->error));
    }
    if (it->second.spec.stream || it->second.spec.heartbeat) {
        return finish(it, error_of(code::protocol_error,
                                   "the server answered with a plain response where stream "
                                   "frames or a heartbeat were due"));
    }
    finish(it, answer{&f, std::move(*head)});
}

void client::impl::on_stream(const frame& f) {
    refusal why;
    auto s = read_envelope<stream_frame>(f, why);
    auto it = calls_.find(s ? s->correlation_id : why.correlation_id);
    if (it == calls_.end()) return;
    if (!s) {
        return finish(it, error_of(code::protocol_error,
                                   "a stream frame cannot be read: " + why.why.message));
    }
    open_call& c = it->second;
    if (!c.spec.stream) {
        return finish(it, error_of(code::protocol_error,
                                   "the server sent stream frames for a plain request"));
    }
    if (s->is_final) {
        if (s->error || s->error_code) return finish(it, error_from_wire(s->error_code, s->error));
        answer a;
        a.raw = &f;
        a.head.correlation_id = std::move(s->correlation_id);
        a.head.payload = value{std::move(c.items)};
        return finish(it, std::move(a));
    }
    if (s->sequence != static_cast<std::int64_t>(c.items.size())) {
        return finish(it, error_of(code::protocol_error,
                                   "stream item " + std::to_string(s->sequence) + " came after " +
                                       std::to_string(c.items.size()) + " items"));
    }
    value item = s->payload ? std::move(*s->payload) : value{};
    if (c.spec.on_item) {
        try {
            c.spec.on_item(item);
        } catch (const std::exception& e) {
            return finish(it, error_of(code::handler_failed,
                                       std::string{"the stream's on_item threw: "} + e.what()));
        }
    }
    c.items.push_back(std::move(item));
    arm(it->first, c);  // a stream may go on for long: the limit is per item
}

void client::impl::on_push(const frame& f) {
    refusal why;
    auto p = read_envelope<push>(f, why);
    if (!p || !push_handler_) return;  // nobody to tell
    try {
        push_handler_(*p);
    } catch (...) {
        // A throwing handler must not take the socket thread (and every call) down.
    }
}

void client::impl::on_heartbeat(const frame& f) {
    if (heartbeats_.empty()) return;  // an echo of a heartbeat someone else framed
    const std::string id = std::move(heartbeats_.front());
    heartbeats_.pop_front();
    if (auto it = calls_.find(id); it != calls_.end()) finish(it, answer{&f, {}});
}

void client::impl::shut(troupe::error why) {
    open.store(false);
    {
        std::lock_guard lock{close_mutex_};
        if (!closed_because_) closed_because_ = why;
    }
    boost::system::error_code ignored;
    socket_.shutdown(stream_protocol::socket::shutdown_both, ignored);
    socket_.close(ignored);
    out_.clear();
    heartbeats_.clear();
    while (!calls_.empty()) finish(calls_.begin(), why);
}

void client::impl::queue(std::string bytes) {
    out_.push_back(std::move(bytes));
    start_write();
}

void client::impl::start_write() {
    if (writing_ || !open.load() || out_.empty()) return;
    batch_.clear();
    buffers_.clear();
    while (!out_.empty() && batch_.size() < 64) {
        batch_.push_back(std::move(out_.front()));
        out_.pop_front();
    }
    for (const auto& b : batch_) buffers_.push_back(asio::buffer(b));
    writing_ = true;
    asio::async_write(socket_, buffers_, [this](boost::system::error_code ec, std::size_t) {
        writing_ = false;
        if (ec) {
            if (ec != asio::error::operation_aborted) {
                shut(error_of(code::connection_closed,
                              "writing to the server failed: " + ec.message()));
            }
            return;
        }
        start_write();
    });
}

}  // namespace troupe::ipc

#include <algorithm>
#include <array>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <troupe/ipc/internal/connection.hpp>

namespace troupe::ipc::internal {

namespace asio = boost::asio;

namespace {

std::string join_names(const std::vector<std::string_view>& names) {
    std::string out;
    for (std::string_view n : names) {
        if (!out.empty()) out += ", ";
        out += n;
    }
    return out.empty() ? "nothing" : out;
}

// An ask's error told in the client's terms: the exposed name and the message type
// rather than an address.
troupe::error explain(const troupe::error& e, const std::string& target, const std::string& type,
                      std::int64_t timeout_ms) {
    const std::string who = "\"" + target + "\"";
    switch (e.code()) {
        case errc::timeout:
            return {e.code(), who + " did not answer " + type + " within " +
                                  std::to_string(timeout_ms) + " ms (response_timeout_ms)"};
        case errc::handler_failed:
            return {e.code(), who + " failed handling " + type + ": " + e.reason()};
        case errc::no_such_actor:
            return {e.code(), who + " exited before answering " + type};
        case errc::no_reply:
            return {e.code(), who + " dropped its reply to " + type + " without answering"};
        case errc::mailbox_full:
            return {e.code(),
                    who + "'s mailbox is full; " + type + " was not delivered (retry later)"};
        default:
            return e;
    }
}

std::string format_rate(double v) {
    std::string s = std::to_string(v);
    s.erase(s.find_last_not_of('0') + 1);
    if (!s.empty() && s.back() == '.') s.pop_back();
    return s;
}

std::string per_second(double v) {
    std::string s = format_rate(v);
    return s + (s == "1" ? " request/s" : " requests/s");
}

}  // namespace

connection::connection(server::impl& srv, socket_type s, std::uint64_t id, peer_credentials peer)
    : srv_(srv),
      socket_(std::move(s)),
      id_(id),
      peer_(peer),
      decoder_(srv.cfg.max_frame),
      bucket_(srv.cfg.rate, srv.cfg.burst),
      slot_(srv.io),
      last_frame_(clock::now()),
      last_read_(last_frame_) {}

void connection::start() {
    asio::co_spawn(
        srv_.io, [self = shared_from_this()] { return self->read_loop(); }, asio::detached);
}

void connection::close() {
    if (closed_) return;
    closed_ = true;
    // Replies still due have nowhere to go: they no longer hold up a graceful stop.
    srv_.in_flight -= in_flight_;
    boost::system::error_code ignored;
    socket_.shutdown(socket_type::shutdown_both, ignored);
    socket_.close(ignored);
    slot_.cancel();
    out_.clear();
    srv_.open.fetch_sub(1, std::memory_order_relaxed);
    srv_.connections.erase(id_);  // callers hold their own reference
    if (srv_.shutting_down && srv_.connections.empty() && srv_.last_call) srv_.last_call->cancel();
}

void connection::close_when_flushed() {
    if (closed_) return;
    closing_ = true;
    if (!writing_ && out_.empty()) close();
}

void connection::check(clock::time_point now) {
    if (closed_) return;
    const auto& cfg = srv_.cfg;
    if (writing_ && now - write_started_ > cfg.write_timeout) {
        close();  // the peer stopped reading
    } else if (!paused_ && partial_since_ && now - *partial_since_ > cfg.read_timeout) {
        close();  // a frame begun and never finished
    } else if (cfg.idle_timeout.count() > 0 && in_flight_ == 0 && !writing_ && !eof_ &&
               now - last_frame_ > cfg.idle_timeout) {
        close();
    }
}

asio::awaitable<void> connection::read_loop() {
    auto self = shared_from_this();
    std::array<char, 16 * 1024> buf;
    for (;;) {
        // Frames already read first, as long as the in-flight limit allows. While it does
        // not, nothing is read (back-pressure) and the read time-out does not run.
        bool completed = false;
        for (;;) {
            if (closed_ || closing_) co_return;
            if (in_flight_ >= srv_.cfg.max_in_flight) {
                boost::system::error_code ec;
                paused_ = true;
                slot_.expires_at(asio::steady_timer::time_point::max());
                co_await slot_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
                paused_ = false;
                continue;
            }
            auto ev = decoder_.next();
            if (!ev) break;
            completed = true;
            handle(*ev);
        }
        // The read time-out counts from the first byte of the frame still incomplete.
        if (!decoder_.partial())
            partial_since_.reset();
        else if (completed || !partial_since_)
            partial_since_ = clock::now();
        boost::system::error_code ec;
        const std::size_t n = co_await socket_.async_read_some(
            asio::buffer(buf), asio::redirect_error(asio::use_awaitable, ec));
        if (ec == asio::error::eof) {
            // The peer has sent everything (it may have closed only its sending side):
            // answer what is in flight and queued, then close.
            eof_ = true;
            if (in_flight_ == 0) close_when_flushed();
            co_return;
        }
        if (ec) {
            close();  // the socket failed: nothing more can be written either
            co_return;
        }
        last_read_ = clock::now();
        if (!partial_since_) partial_since_ = last_read_;
        decoder_.feed(std::string_view{buf.data(), n});
    }
}

void connection::handle(frame_decoder::event& ev) {
    last_frame_ = clock::now();
    if (!ev.got) {
        send_error({ev.version, ev.format}, unknown_correlation_id, ev.problem);
        if (ev.fatal) close_when_flushed();
        return;
    }
    const frame& f = *ev.got;
    switch (f.type) {
        case frame_type::request:
            return on_request(f);
        case frame_type::heartbeat: {
            std::string out;
            append_frame(out, frame_type::heartbeat, f.format, {}, f.version);
            return queue(std::move(out));
        }
        case frame_type::subscribe:
            return on_subscription(f, true);
        case frame_type::unsubscribe:
            return on_subscription(f, false);
        case frame_type::discover:
            return on_discover(f);
        case frame_type::response:
        case frame_type::error:
        case frame_type::push:
        case frame_type::stream:
            return send_error(
                {f.version, f.format}, unknown_correlation_id,
                {code::protocol_error, "a client does not send " + to_string(f.type) +
                                           " frames (send request, heartbeat, subscribe, "
                                           "unsubscribe or discover); the frame was skipped"});
    }
}

void connection::on_request(const frame& f) {
    srv_.requests.fetch_add(1, std::memory_order_relaxed);
    const origin o{f.version, f.format};
    refusal why;
    auto req = read_envelope<request>(f, why);
    if (!req) return send_error(o, why.correlation_id, why.why);
    const std::string& cid = req->correlation_id;
    if (srv_.shutting_down) {
        return send_error(
            o, cid, {code::shutting_down, "the server is shutting down and takes no new requests"});
    }
    if (!bucket_.take()) {
        return send_error(
            o, cid,
            {code::rate_limited, "rate limit exceeded: this server accepts " +
                                     per_second(srv_.cfg.rate) + " per connection (burst " +
                                     format_rate(srv_.cfg.burst) + "); retry after " +
                                     std::to_string(bucket_.retry_after_ms()) + " ms"});
    }
    const std::int64_t timeout_ms = req->response_timeout_ms.value_or(default_response_timeout_ms);
    if (timeout_ms <= 0) {
        return send_error(o, cid,
                          {code::protocol_error, "response_timeout_ms must be positive, got " +
                                                     std::to_string(timeout_ms)});
    }
    bool gone = false;
    auto ep = srv_.find(req->target, gone);
    if (!ep) {
        if (gone) {
            return send_error(
                o, cid,
                {code::actor_not_found, "the actor exposed as \"" + req->target +
                                            "\" has exited (a supervisor may be restarting "
                                            "it; retry)"});
        }
        return send_error(
            o, cid,
            {code::actor_not_found, "no actor is exposed as \"" + req->target +
                                        "\" (exposed: " + srv_.exposed_names_for_error() + ")"});
    }
    if (!ep->find(req->message_type)) {
        return send_error(o, cid,
                          {code::unknown_message_type,
                           "\"" + req->target + "\" does not handle \"" + req->message_type +
                               "\" (it handles " + join_names(ep->message_types()) + ")"});
    }
    troupe::value payload = req->payload ? std::move(*req->payload) : troupe::value{};
    // Version 1 has no stream frames: a v1 client gets the whole reply at once.
    const bool wants_stream = req->expects_stream.value_or(false);
    const bool stream = wants_stream && f.version >= 2;
    if (!wants_stream && !req->expects_reply.value_or(false)) {
        if (auto told = ep->tell(req->message_type, payload); !told) {
            return send_error(
                o, cid,
                failure_of(explain(told.error(), req->target, req->message_type, timeout_ms)));
        }
        response r;
        r.correlation_id = cid;
        r.payload = troupe::value::map{{"status", "delivered"}};
        std::string out;
        append_envelope(out, frame_type::response, o.format, o.version, r);
        return queue(std::move(out));
    }
    ++in_flight_;
    ++srv_.in_flight;
    // The reply may come after this connection or the whole server is gone: hold both
    // weakly. The answer is encoded where the reply completes (a worker), so that the
    // socket thread only writes it; the request is counted off on the socket thread.
    ep->ask(req->message_type, payload, std::chrono::milliseconds{timeout_ms})
        .then([life = srv_.weak_from_this(), conn = weak_from_this(), o,
               cid = std::move(req->correlation_id), target = std::move(req->target),
               type = std::move(req->message_type), stream,
               timeout_ms](result<troupe::value> r) mutable {
            auto s = life.lock();
            if (!s) return;
            server::impl* srv = s.get();
            const bool failed = !r;
            std::string bytes;
            if (failed) {
                const troupe::error why = explain(r.error(), target, type, timeout_ms);
                append_error(bytes, o.format, o.version, cid, failure_of(why));
            } else {
                encode_answer(bytes, o, cid, stream, std::move(*r));
            }
            asio::post(s->io,
                       [srv, conn = std::move(conn), bytes = std::move(bytes), failed]() mutable {
                           auto c = conn.lock();
                           if (!c || c->closed()) return;  // counted off when it closed
                           --srv->in_flight;
                           c->answer(std::move(bytes), failed);
                       });
        });
}

void connection::request_done() {
    const bool was_full = in_flight_ >= srv_.cfg.max_in_flight;
    --in_flight_;
    if (was_full) slot_.cancel();
}

void connection::answer(std::string bytes, bool failed) {
    request_done();
    if (closed_) return;
    if (failed) srv_.errors.fetch_add(1, std::memory_order_relaxed);
    queue(std::move(bytes));
    if (eof_ && in_flight_ == 0) close_when_flushed();
}

void connection::encode_answer(std::string& out, origin o, const std::string& correlation_id,
                               bool stream, troupe::value reply) {
    if (!stream) {
        response resp;
        resp.correlation_id = correlation_id;
        resp.payload = std::move(reply);
        append_envelope(out, frame_type::response, o.format, o.version, resp);
        return;
    }
    // A streamed reply: an array's elements one frame each (anything else is one item),
    // then the final frame.
    stream_frame s;
    s.correlation_id = correlation_id;
    auto item = [&](troupe::value v) {
        s.payload = std::move(v);
        append_envelope(out, frame_type::stream, o.format, o.version, s);
        ++s.sequence;
    };
    if (auto* items = reply.if_array()) {
        for (auto& v : *items) item(std::move(v));
    } else {
        item(std::move(reply));
    }
    s.payload.reset();
    s.is_final = true;
    append_envelope(out, frame_type::stream, o.format, o.version, s);
}

void connection::on_subscription(const frame& f, bool subscribe) {
    const origin o{f.version, f.format};
    refusal why;
    auto req = read_envelope<subscription_request>(f, why);
    if (!req) return send_error(o, why.correlation_id, why.why);
    if (srv_.shutting_down) {
        return send_error(o, req->correlation_id,
                          {code::shutting_down, "the server is shutting down"});
    }
    if (!bucket_.take()) {
        return send_error(
            o, req->correlation_id,
            {code::rate_limited, "rate limit exceeded; retry after " +
                                     std::to_string(bucket_.retry_after_ms()) + " ms"});
    }
    if (subscribe) {
        for (const auto& t : req->message_types) {
            if (!srv_.types.find(t)) {
                return send_error(o, req->correlation_id,
                                  {code::unknown_message_type,
                                   "cannot subscribe to \"" + t +
                                       "\": no message type is registered under that name "
                                       "(registered: " +
                                       join_names(srv_.types.names()) + ")"});
            }
        }
        for (const auto& t : req->message_types) subscriptions_.insert(t);
        push_format_ = f.format;
        push_version_ = f.version;
    } else {
        for (const auto& t : req->message_types) {
            if (auto it = subscriptions_.find(t); it != subscriptions_.end())
                subscriptions_.erase(it);
        }
    }
    subscription_response resp;
    resp.correlation_id = req->correlation_id;
    resp.subscribed_types.emplace(subscriptions_.begin(), subscriptions_.end());
    std::string out;
    append_envelope(out, frame_type::response, o.format, o.version, resp);
    queue(std::move(out));
}

void connection::on_discover(const frame& f) {
    const origin o{f.version, f.format};
    refusal why;
    auto req = read_envelope<discover_request>(f, why);
    if (!req) return send_error(o, why.correlation_id, why.why);
    if (!bucket_.take()) {
        return send_error(
            o, req->correlation_id,
            {code::rate_limited, "rate limit exceeded; retry after " +
                                     std::to_string(bucket_.retry_after_ms()) + " ms"});
    }
    discover_response resp;
    resp.correlation_id = req->correlation_id;
    resp.protocol_version.emplace();
    if (req->include_actors.value_or(true)) resp.actors = srv_.describe_exposed();
    if (req->include_message_types.value_or(true)) {
        auto& names = resp.message_types.emplace();
        for (auto n : srv_.types.names()) names.emplace_back(n);
    }
    std::string out;
    append_envelope(out, frame_type::response, o.format, o.version, resp);
    queue(std::move(out));
}

void connection::send_error(origin o, std::string_view correlation_id, const failure& why) {
    srv_.errors.fetch_add(1, std::memory_order_relaxed);
    std::string out;
    append_error(out, o.format, o.version, correlation_id, why);
    queue(std::move(out));
}

void connection::queue(std::string bytes, bool is_push) {
    if (closed_) return;
    if (is_push) {
        if (pushes_queued_ >= srv_.cfg.max_push_backlog) {
            auto oldest = std::find_if(out_.begin(), out_.end(),
                                       [](const out_frame& f) { return f.is_push; });
            if (oldest != out_.end()) {
                out_.erase(oldest);
                --pushes_queued_;
                srv_.pushes_dropped.fetch_add(1, std::memory_order_relaxed);
            }
        }
        ++pushes_queued_;
    }
    out_.push_back({std::move(bytes), is_push});
    start_write();
}

void connection::start_write() {
    if (writing_ || closed_ || out_.empty()) return;
    batch_.clear();
    buffers_.clear();
    while (!out_.empty() && batch_.size() < 64) {
        if (out_.front().is_push) --pushes_queued_;
        batch_.push_back(std::move(out_.front()));
        out_.pop_front();
    }
    for (const auto& f : batch_) buffers_.push_back(asio::buffer(f.bytes));
    writing_ = true;
    write_started_ = clock::now();
    asio::async_write(socket_, buffers_,
                      [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
                          self->writing_ = false;
                          if (ec) return self->close();
                          self->batch_.clear();
                          if (self->out_.empty() && self->closing_) return self->close();
                          self->start_write();
                      });
}

}  // namespace troupe::ipc::internal

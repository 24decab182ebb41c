#include <unistd.h>

#include <algorithm>
#include <array>
#include <functional>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <sys/socket.h>
#include <sys/stat.h>

#include <troupe/ipc/internal/connection.hpp>
#include <troupe/ipc/internal/server_core.hpp>
#include <troupe/ipc/internal/socket_file.hpp>
#include <troupe/ipc/server.hpp>
#include <troupe/log.hpp>

namespace troupe::ipc {

namespace asio = boost::asio;
using stream_protocol = asio::local::stream_protocol;

namespace {

constexpr auto tick_period = std::chrono::milliseconds{50};

peer_credentials credentials_of(stream_protocol::socket& s) {
    ucred cred{};
    socklen_t len = sizeof cred;
    peer_credentials p;
    if (::getsockopt(s.native_handle(), SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0) {
        p.uid = cred.uid;
        p.gid = cred.gid;
        p.pid = cred.pid;
    } else {
        p.uid = static_cast<std::uint32_t>(-1);  // unknown: the default hook refuses it
    }
    return p;
}

}  // namespace

server::impl::impl(node& n, codec::registry& t, server_config c)
    : home(n), types(t), cfg(std::move(c)) {
    cfg.max_frame = std::min(cfg.max_frame, hard_max_frame);
    if (cfg.max_in_flight == 0) cfg.max_in_flight = 1;
    if (!cfg.authorize) {
        const auto me = static_cast<std::uint32_t>(::getuid());
        cfg.authorize = [me](const peer_credentials& p) { return p.uid == me; };
    }
}

std::optional<codec::endpoint> server::impl::find(std::string_view name, bool& gone) {
    std::lock_guard lock{exposed_mutex};
    auto it = exposed.find(name);
    gone = it != exposed.end();
    if (it == exposed.end()) return std::nullopt;
    if (it->second.ep.alive()) return it->second.ep;
    if (!it->second.revive) return std::nullopt;
    auto again = it->second.revive();
    if (!again) return std::nullopt;
    it->second.ep = *again;
    return again;
}

std::vector<actor_info> server::impl::describe_exposed() {
    std::vector<actor_info> out;
    std::lock_guard lock{exposed_mutex};
    for (const auto& [name, e] : exposed) {
        actor_info a;
        a.name = name;
        for (auto t : e.ep.message_types()) a.message_types.emplace_back(t);
        out.push_back(std::move(a));
    }
    return out;
}

std::string server::impl::exposed_names_for_error() {
    std::lock_guard lock{exposed_mutex};
    std::string out;
    std::size_t shown = 0;
    for (const auto& [name, e] : exposed) {
        if (shown == 10) {
            out += ", ...";
            break;
        }
        if (!out.empty()) out += ", ";
        out += "\"" + name + "\"";
        ++shown;
    }
    return out.empty() ? "nothing" : out;
}

asio::awaitable<void> server::impl::accept_loop() {
    for (;;) {
        boost::system::error_code ec;
        stream_protocol::socket s =
            co_await acceptor->async_accept(asio::redirect_error(asio::use_awaitable, ec));
        if (ec) {
            if (ec == asio::error::operation_aborted || !acceptor->is_open()) co_return;
            continue;  // EMFILE and friends: keep serving the connections we have
        }
        if (shutting_down) {
            reject(std::move(s), {code::shutting_down, "the server is shutting down"});
            continue;
        }
        const peer_credentials peer = credentials_of(s);
        if (!cfg.authorize(peer)) {
            reject(std::move(s),
                   {code::permission_denied,
                    "this server does not admit uid " + std::to_string(peer.uid) + " (pid " +
                        std::to_string(peer.pid) + "); by default only its own user may connect"});
            continue;
        }
        if (connections.size() >= cfg.max_connections) {
            reject(std::move(s),
                   {code::connection_limit_reached, "the server has its maximum of " +
                                                        std::to_string(cfg.max_connections) +
                                                        " connections; retry later"});
            continue;
        }
        const std::uint64_t id = next_connection++;
        auto c = std::make_shared<internal::connection>(*this, std::move(s), id, peer);
        connections.emplace(id, c);
        accepted.fetch_add(1, std::memory_order_relaxed);
        open.fetch_add(1, std::memory_order_relaxed);
        c->start();
    }
}

void server::impl::reject(stream_protocol::socket s, const failure& why) {
    rejected.fetch_add(1, std::memory_order_relaxed);
    // Write the reason, then close only our side and read until the peer closes (at most a
    // second): closing at once would reset a connection whose client has already written,
    // and it would never read why it was refused.
    struct refused {
        explicit refused(stream_protocol::socket s, asio::io_context& io)
            : sock(std::move(s)), bound(io, std::chrono::seconds{1}) {}
        stream_protocol::socket sock;
        asio::steady_timer bound;
        std::string bytes;
        std::array<char, 512> sink;
    };
    auto r = std::make_shared<refused>(std::move(s), io);
    append_error(r->bytes, codec::format::json, protocol_version, rejected_correlation_id, why);
    auto finish = [r] {
        boost::system::error_code ignored;
        r->bound.cancel();
        r->sock.close(ignored);
    };
    r->bound.async_wait([r](boost::system::error_code ec) {
        if (ec) return;
        boost::system::error_code ignored;
        r->sock.close(ignored);
    });
    asio::async_write(
        r->sock, asio::buffer(r->bytes), [r, finish](boost::system::error_code ec, std::size_t) {
            if (ec) return finish();
            boost::system::error_code ignored;
            r->sock.shutdown(stream_protocol::socket::shutdown_send, ignored);
            auto drain = std::make_shared<std::function<void()>>();
            *drain = [r, finish, drain] {
                r->sock.async_read_some(asio::buffer(r->sink),
                                        [finish, drain](boost::system::error_code ec, std::size_t) {
                                            if (ec) {
                                                *drain = nullptr;
                                                return finish();
                                            }
                                            (*drain)();
                                        });
            };
            (*drain)();
        });
}

void server::impl::schedule_tick() {
    tick.expires_after(tick_period);
    tick.async_wait([this](boost::system::error_code ec) {
        if (!ec) on_tick();
    });
}

void server::impl::on_tick() {
    const auto now = clock::now();
    std::vector<std::shared_ptr<internal::connection>> all;
    all.reserve(connections.size());
    for (auto& [id, c] : connections) all.push_back(c);
    for (auto& c : all) c->check(now);
    if (shutting_down && (in_flight == 0 || now >= drain_deadline)) return finish_stop();
    schedule_tick();
}

void server::impl::begin_stop() {
    if (shutting_down) return;
    shutting_down = true;
    boost::system::error_code ignored;
    if (acceptor) acceptor->close(ignored);
    internal::remove_socket_file(path);
    drain_deadline = clock::now() + cfg.drain_timeout;
    tick.cancel();
    on_tick();
}

void server::impl::finish_stop() {
    std::vector<std::shared_ptr<internal::connection>> all;
    for (auto& [id, c] : connections) all.push_back(c);
    if (all.empty()) return;  // nothing left: io.run() returns
    // The io context runs until every connection has written what it has and closed
    // (connection::close cancels this timer after the last one); a write that never
    // finishes is cut after write_timeout.
    last_call.emplace(io, cfg.write_timeout);
    last_call->async_wait([this](boost::system::error_code ec) {
        if (ec) return;
        std::vector<std::shared_ptr<internal::connection>> left;
        for (auto& [id, c] : connections) left.push_back(c);
        for (auto& c : left) c->close();
    });
    for (auto& c : all) c->close_when_flushed();
}

void server::impl::deliver_push(std::string_view type, const troupe::value& payload,
                                const std::string& source) {
    push p;
    p.message_type = std::string{type};
    if (!source.empty()) p.source_actor = source;
    p.payload = payload;
    p.timestamp_ms = unix_ms();
    std::string cached[2][2];  // [format][v1?]: encoded once per kind of subscriber
    bool have[2][2] = {};
    std::vector<std::shared_ptr<internal::connection>> to;
    for (auto& [id, c] : connections) {
        if (c->subscribed(type)) to.push_back(c);
    }
    for (auto& c : to) {
        const int fi = c->push_format() == codec::format::json ? 0 : 1;
        const int vi = c->push_version() == 1 ? 1 : 0;
        if (!have[fi][vi]) {
            p.notification_id = "push-" + std::to_string(next_push);
            if (!append_envelope(cached[fi][vi], frame_type::push, c->push_format(),
                                 c->push_version(), p)) {
                // Not encodable in this format (a NaN in JSON...): nobody gets a broken push.
                home.logger().warn("ipc: a {} broadcast cannot be encoded in {}; not pushed", type,
                                   codec::to_string(c->push_format()));
                return;
            }
            have[fi][vi] = true;
        }
        pushes.fetch_add(1, std::memory_order_relaxed);
        c->queue(cached[fi][vi], true);
    }
    ++next_push;
}

// --- server ---------------------------------------------------------------------------------

server::server(node& n, codec::registry& types, server_config cfg)
    : node_(n), types_(types), impl_(std::make_shared<impl>(n, types, std::move(cfg))) {}

server::~server() {
    stop();
}

result<void> server::add_exposed(std::string name, codec::endpoint ep, reviver revive) {
    if (name.empty()) return error{errc::invalid_argument, "expose: the name is empty"};
    std::lock_guard lock{impl_->exposed_mutex};
    auto [it, fresh] = impl_->exposed.try_emplace(std::move(name));
    if (!fresh) {
        return error{errc::duplicate_name, "expose: \"" + it->first +
                                               "\" is exposed already; hide() it first or "
                                               "choose another name"};
    }
    it->second = impl::exposed_actor{std::move(ep), std::move(revive)};
    return {};
}

bool server::hide(std::string_view name) {
    std::lock_guard lock{impl_->exposed_mutex};
    auto it = impl_->exposed.find(name);
    if (it == impl_->exposed.end()) return false;
    impl_->exposed.erase(it);
    return true;
}

std::vector<std::string> server::exposed() const {
    std::lock_guard lock{impl_->exposed_mutex};
    std::vector<std::string> out;
    for (const auto& [name, e] : impl_->exposed) out.push_back(name);
    return out;
}

result<void> server::start() {
    impl& s = *impl_;
    if (s.running.load()) return error{errc::invalid_argument, "the server is running already"};
    if (s.thread.joinable()) {
        return error{errc::invalid_argument, "a stopped server cannot start again; make a new one"};
    }
    s.path = s.cfg.socket_path.empty() ? default_socket_path(s.cfg.app) : s.cfg.socket_path;
    // The default path's directory is ours alone; a path the user chose is theirs to judge.
    if (auto ok = internal::prepare_socket_path(s.path, s.cfg.socket_path.empty()); !ok) return ok;
    boost::system::error_code ec;
    s.acceptor.emplace(s.io);
    s.acceptor->open(stream_protocol{}, ec);
    if (!ec) s.acceptor->bind(stream_protocol::endpoint{s.path}, ec);
    if (!ec) {
        // The directory is 0700 already; the socket itself is 0600 too.
        if (::chmod(s.path.c_str(), 0600) != 0) ec.assign(errno, boost::system::system_category());
    }
    if (!ec) s.acceptor->listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
        s.acceptor.reset();
        internal::remove_socket_file(s.path);
        return error{errc::invalid_argument, "cannot listen at " + s.path + ": " + ec.message()};
    }
    s.running.store(true);
    asio::co_spawn(s.io, s.accept_loop(), asio::detached);
    s.schedule_tick();
    s.thread = std::thread{[&s] { s.io.run(); }};
    return {};
}

void server::stop() {
    impl& s = *impl_;
    if (!s.running.exchange(false)) return;
    asio::post(s.io, [&s] { s.begin_stop(); });
    s.thread.join();
    s.acceptor.reset();
}

bool server::running() const noexcept {
    return impl_->running.load();
}

void server::publish(std::string_view type, troupe::value payload, std::string_view source) {
    if (!impl_->running.load()) return;
    asio::post(impl_->io,
               [s = impl_.get(), type = std::string{type}, payload = std::move(payload),
                source = std::string{source}] { s->deliver_push(type, payload, source); });
}

std::string server::socket_path() const {
    return impl_->path.empty()
               ? (impl_->cfg.socket_path.empty() ? default_socket_path(impl_->cfg.app)
                                                 : impl_->cfg.socket_path)
               : impl_->path;
}

server_stats server::stats() const {
    const impl& s = *impl_;
    server_stats out;
    out.connections = s.open.load(std::memory_order_relaxed);
    out.accepted = s.accepted.load(std::memory_order_relaxed);
    out.rejected = s.rejected.load(std::memory_order_relaxed);
    out.requests = s.requests.load(std::memory_order_relaxed);
    out.errors = s.errors.load(std::memory_order_relaxed);
    out.pushes = s.pushes.load(std::memory_order_relaxed);
    out.pushes_dropped = s.pushes_dropped.load(std::memory_order_relaxed);
    return out;
}

}  // namespace troupe::ipc

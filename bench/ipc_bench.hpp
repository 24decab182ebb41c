#pragma once
// What ipc_roundtrip and ipc_throughput share (bench/README.md): the command line, the
// server they measure (a node, a codec registry and an ipc::server in this process, on a
// socket in a fresh temporary directory, exposing an echo actor), the request they send and
// the reply they expect, and the lean "frames" client: a blocking socket that writes
// prebuilt request frames and cuts the replies with a frame_decoder, so that what it times
// is the server, not a client library.
//
// Every request carries a number 0..99999999, written as 8 digits both in its correlation
// id and in its payload's text ("ipc bench #00000042!", 20 bytes): the reply must carry the
// same number in both places, so a reply matched to the wrong request fails the run.
//
// Command line: `[N] [json|msgpack|both] [cpp|frames|both] [workers=K]`, in any order; the
// format and the client default to both, and each (format, client) pair prints one line.

#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <initializer_list>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>

#include <troupe/codec/describe.hpp>
#include <troupe/ipc/envelope.hpp>
#include <troupe/ipc/frame.hpp>
#include <troupe/ipc/server.hpp>
#include <troupe/troupe.hpp>

#include "bench_cli.hpp"

namespace ipc_bench {

// --- the exposed actor -----------------------------------------------------------------------

struct Echo {
    std::string text;
};
TROUPE_MESSAGE(Echo, "Echo", text)

/// Replies with the message it got.
struct echo_actor : troupe::actor<echo_actor, Echo> {
    Echo handle(const Echo& m) const { return m; }
};

inline constexpr std::string_view target = "echo";
inline constexpr std::size_t id_digits = 8;
inline constexpr std::uint64_t max_id = 99'999'999;
inline constexpr std::string_view id_placeholder = "00000000";
/// The response_timeout_ms every request carries (the C++ client's default too).
inline constexpr std::int64_t timeout_ms = 30000;

/// Writes `id` as id_digits decimal digits at `at`.
inline void put_id(char* at, std::uint64_t id) noexcept {
    for (std::size_t i = id_digits; i-- > 0;) {
        at[i] = static_cast<char>('0' + id % 10);
        id /= 10;
    }
}

/// Reads id_digits decimal digits at `at`; false if one is not a digit.
inline bool get_id(const char* at, std::uint64_t& id) noexcept {
    id = 0;
    for (std::size_t i = 0; i < id_digits; ++i) {
        if (at[i] < '0' || at[i] > '9') return false;
        id = id * 10 + static_cast<std::uint64_t>(at[i] - '0');
    }
    return true;
}

/// The text of request `id`: 20 bytes.
inline std::string text_of(std::uint64_t id) {
    std::string s = "ipc bench #00000000!";
    put_id(s.data() + 11, id);
    return s;
}

/// The "text" field of a reply payload, or nullptr.
inline const std::string* text_in(const troupe::value& v) noexcept {
    const auto* m = v.if_map();
    const troupe::value* text = m ? m->find("text") : nullptr;
    return text ? text->if_string() : nullptr;
}

// --- the command line ------------------------------------------------------------------------

struct options {
    std::vector<std::uint64_t> values;  // the positional numbers, N first
    std::size_t workers = 0;            // 0: one per hardware thread
    std::vector<troupe::codec::format> formats;
    bool cpp = true;
    bool frames = true;
};

inline options parse(int argc, char** argv, std::string_view usage_line,
                     std::initializer_list<std::uint64_t> defaults) {
    options o;
    bool json = true, msgpack = true;
    std::vector<char*> rest{argv[0]};
    for (int i = 1; i < argc; ++i) {
        const std::string_view a{argv[i]};
        if (a == "json" || a == "msgpack") {
            json = a == "json";
            msgpack = !json;
        } else if (a == "cpp" || a == "frames") {
            o.cpp = a == "cpp";
            o.frames = !o.cpp;
        } else if (a != "both") {
            rest.push_back(argv[i]);
        }
    }
    const auto c = bench::parse(static_cast<int>(rest.size()), rest.data(), usage_line, defaults);
    o.values = c.values;
    o.workers = c.workers;
    if (o.values[0] > max_id - 1000) {  // the ids of the warm-up come first
        std::fprintf(stderr, "N is at most %llu\n", static_cast<unsigned long long>(max_id - 1000));
        bench::usage(usage_line, false);
    }
    if (json) o.formats.push_back(troupe::codec::format::json);
    if (msgpack) o.formats.push_back(troupe::codec::format::msgpack);
    return o;
}

inline const char* format_name(troupe::codec::format f) {
    return f == troupe::codec::format::json ? "json" : "msgpack";
}

/// Untimed requests before each measured run (first connection, allocations, caches).
inline std::uint64_t warm_up_of(std::uint64_t n) {
    return std::min<std::uint64_t>(n, 1000);
}

/// Sorted copy's value at fraction q (0..1) of the way.
inline double percentile(std::vector<float> v, double q) {
    if (v.empty()) return 0;
    const auto at = static_cast<std::size_t>(q * static_cast<double>(v.size() - 1) + 0.5);
    std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(at), v.end());
    return v[at];
}

// --- the server under test -------------------------------------------------------------------

/// A fresh private directory, removed with its content at the end.
class temp_dir {
public:
    temp_dir() {
        char tmpl[] = "/tmp/troupe-ipc-bench-XXXXXX";
        if (!::mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
        path_ = tmpl;
    }
    ~temp_dir() {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    temp_dir(const temp_dir&) = delete;
    temp_dir& operator=(const temp_dir&) = delete;
    const std::string& path() const { return path_; }

private:
    std::string path_;
};

/// A node, a registry and a server exposing an echo actor as "echo", started. No rate limit.
class fixture {
public:
    explicit fixture(std::size_t workers)
        : node_(config_of(workers)), server_(node_, types_, server_config_of(dir_.path())) {
        auto echo = node_.spawn<echo_actor>();
        if (!echo) throw std::runtime_error("spawn: " + echo.error().message());
        if (auto ok = server_.expose(std::string{target}, *echo); !ok) {
            throw std::runtime_error("expose: " + ok.error().message());
        }
        if (auto ok = server_.start(); !ok) {
            throw std::runtime_error("start: " + ok.error().message());
        }
    }

    std::string socket_path() const { return server_.socket_path(); }
    std::size_t workers() noexcept { return node_.executor().concurrency(); }

private:
    static troupe::node_config config_of(std::size_t workers) {
        troupe::node_config cfg;
        cfg.workers = workers;
        return cfg;
    }
    static troupe::ipc::server_config server_config_of(const std::string& dir) {
        troupe::ipc::server_config cfg;
        cfg.socket_path = dir + "/bench.sock";
        cfg.rate = 0;  // no rate limit
        return cfg;
    }

    temp_dir dir_;
    troupe::node node_;
    troupe::codec::registry types_;
    troupe::ipc::server server_;
};

// --- the frames client -----------------------------------------------------------------------

/// A request frame for the echo actor, and where its number's digits are.
class request_frame {
public:
    explicit request_frame(troupe::codec::format f) {
        troupe::ipc::request r;
        r.correlation_id = std::string{id_placeholder};
        r.target = std::string{target};
        r.message_type = "Echo";
        r.payload = troupe::value::map{{"text", text_of(0)}};
        r.expects_reply = true;
        r.response_timeout_ms = timeout_ms;
        troupe::ipc::append_envelope(bytes_, troupe::ipc::frame_type::request, f,
                                     troupe::ipc::protocol_version, r);
        for (auto at = bytes_.find(id_placeholder); at != std::string::npos;
             at = bytes_.find(id_placeholder, at + id_digits)) {
            digits_.push_back(at);
        }
        if (digits_.size() != 2) throw std::logic_error("request_frame: the number is not twice");
    }

    /// The frame of request `id`.
    const std::string& of(std::uint64_t id) {
        for (std::size_t at : digits_) put_id(bytes_.data() + at, id);
        return bytes_;
    }
    std::size_t size() const noexcept { return bytes_.size(); }

private:
    std::string bytes_;
    std::vector<std::size_t> digits_;
};

/// Checks reply frames: the payload the server must send for request `id`, compared byte
/// for byte; a reply that differs is decoded and checked field by field (the same answer
/// may be encoded another way), and only then refused.
class reply_checker {
public:
    explicit reply_checker(troupe::codec::format f) : format_(f) {
        troupe::ipc::response r;
        r.correlation_id = std::string{id_placeholder};
        r.payload = troupe::value::map{{"text", text_of(0)}};
        std::string frame;
        troupe::ipc::append_envelope(frame, troupe::ipc::frame_type::response, f,
                                     troupe::ipc::protocol_version, r);
        frame_size_ = frame.size();
        expected_ = frame.substr(troupe::ipc::header_size);
        for (auto at = expected_.find(id_placeholder); at != std::string::npos;
             at = expected_.find(id_placeholder, at + id_digits)) {
            digits_.push_back(at);
        }
        if (digits_.size() != 2) throw std::logic_error("reply_checker: the number is not twice");
    }

    /// The request number `f` answers, if it is a right answer to it; else nothing, and
    /// why() says what was wrong.
    std::optional<std::uint64_t> check(const troupe::ipc::frame& f) {
        std::uint64_t id = 0;
        if (f.type == troupe::ipc::frame_type::response && f.format == format_ &&
            f.payload.size() == expected_.size() && get_id(f.payload.data() + digits_[0], id)) {
            for (std::size_t at : digits_) put_id(expected_.data() + at, id);
            if (f.payload == expected_) return id;
        }
        return check_fields(f);
    }

    const std::string& why() const noexcept { return why_; }
    std::size_t frame_size() const noexcept { return frame_size_; }

private:
    std::optional<std::uint64_t> check_fields(const troupe::ipc::frame& f) {
        troupe::ipc::refusal refused;
        auto r = troupe::ipc::read_envelope<troupe::ipc::response>(f, refused);
        std::uint64_t id = 0;
        if (!r) {
            why_ = "an unreadable reply: " + refused.why.message;
        } else if (f.type != troupe::ipc::frame_type::response || !r->success) {
            why_ = "an error reply: " + r->error_code.value_or("?") + ": " + r->error.value_or("?");
        } else if (r->correlation_id.size() != id_digits || !get_id(r->correlation_id.data(), id)) {
            why_ = "a reply with correlation id \"" + r->correlation_id + "\"";
        } else if (const std::string* text = r->payload ? text_in(*r->payload) : nullptr;
                   !text || *text != text_of(id)) {
            why_ = "a wrong payload in the reply to request " + r->correlation_id;
        } else {
            return id;
        }
        return std::nullopt;
    }

    troupe::codec::format format_;
    std::string expected_;  // the payload, with the number of the last reply checked
    std::vector<std::size_t> digits_;
    std::size_t frame_size_ = 0;
    std::string why_;
};

/// A blocking connection that writes bytes and reads whole frames.
class frame_socket {
public:
    explicit frame_socket(const std::string& path) {
        fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        if (fd_ < 0 || path.size() >= sizeof addr.sun_path) {
            throw std::runtime_error("cannot make a socket for " + path);
        }
        std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
        if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
            ::close(fd_);
            throw std::runtime_error("cannot connect to " + path + ": " + std::strerror(errno));
        }
        timeval bound{30, 0};
        ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &bound, sizeof bound);
    }
    ~frame_socket() { ::close(fd_); }
    frame_socket(const frame_socket&) = delete;
    frame_socket& operator=(const frame_socket&) = delete;

    void write_all(std::string_view bytes) {
        while (!bytes.empty()) {
            const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) throw std::runtime_error("send: " + std::string{std::strerror(errno)});
            bytes.remove_prefix(static_cast<std::size_t>(n));
        }
    }

    /// The next whole frame already read, if any.
    std::optional<troupe::ipc::frame> next() {
        auto ev = decoder_.next();
        if (!ev) return std::nullopt;
        if (!ev->got)
            throw std::runtime_error("the server sent a bad frame: " + ev->problem.message);
        return std::move(ev->got);
    }

    /// Blocks until some bytes come, and feeds them to the decoder. A recv waits 30 s at
    /// most (SO_RCVTIMEO): a hung server fails the run instead of hanging it.
    void fill() {
        for (;;) {
            const ssize_t n = ::recv(fd_, buf_, sizeof buf_, 0);
            if (n > 0) {
                decoder_.feed(std::string_view{buf_, static_cast<std::size_t>(n)});
                return;
            }
            if (n == 0) throw std::runtime_error("the server closed the connection");
            if (errno == EINTR) continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                throw std::runtime_error("no reply within 30 s");
            }
            throw std::runtime_error("recv: " + std::string{std::strerror(errno)});
        }
    }

    /// The next frame, blocking.
    troupe::ipc::frame read() {
        for (;;) {
            if (auto f = next()) return std::move(*f);
            fill();
        }
    }

private:
    int fd_ = -1;
    troupe::ipc::frame_decoder decoder_{troupe::ipc::hard_max_frame};
    char buf_[64 * 1024];
};

}  // namespace ipc_bench

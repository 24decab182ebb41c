#pragma once
// A blocking socket client that writes and reads raw frames, for tests that check exactly
// what the server sends back for well-formed and malformed input. Every read has a bound.

#include <poll.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <string>

#include <sys/socket.h>
#include <sys/un.h>

#include <troupe/codec/json.hpp>
#include <troupe/codec/msgpack.hpp>
#include <troupe/ipc/frame.hpp>

namespace ipc_test {

/// A fresh private directory for a test's socket, removed with its content at the end.
class temp_dir {
public:
    temp_dir() {
        char tmpl[] = "/tmp/troupe-ipc-test-XXXXXX";
        if (!::mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
        path_ = tmpl;
    }
    ~temp_dir() { std::system(("rm -rf '" + path_ + "'").c_str()); }
    const std::string& path() const { return path_; }
    std::string file(std::string_view name) const { return path_ + "/" + std::string{name}; }

private:
    std::string path_;
};

class raw_client {
public:
    explicit raw_client(const std::string& path) {
        fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
        if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
            ::close(fd_);
            throw std::runtime_error("cannot connect to " + path + ": " + std::strerror(errno));
        }
    }
    ~raw_client() {
        if (fd_ >= 0) ::close(fd_);
    }
    raw_client(const raw_client&) = delete;
    raw_client& operator=(const raw_client&) = delete;

    void send_bytes(std::string_view bytes) {
        while (!bytes.empty()) {
            const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
            if (n <= 0) throw std::runtime_error("send failed");
            bytes.remove_prefix(static_cast<std::size_t>(n));
        }
    }

    /// Sends a frame whose payload is `json` (text) in JSON, or converted to MessagePack.
    void send(troupe::ipc::frame_type t, std::string_view json,
              troupe::codec::format f = troupe::codec::format::json, std::uint8_t version = 2) {
        std::string payload{json};
        if (f == troupe::codec::format::msgpack && !json.empty()) {
            payload =
                troupe::codec::msgpack::encode(troupe::codec::json::decode(json).value()).value();
        }
        std::string out;
        troupe::ipc::append_frame(out, t, f, payload, version);
        send_bytes(out);
    }

    /// The next frame, or nothing if the server closed the connection or nothing came
    /// within `bound`.
    std::optional<troupe::ipc::frame> read(std::chrono::milliseconds bound = std::chrono::seconds{
                                               10}) {
        const auto deadline = std::chrono::steady_clock::now() + bound;
        for (;;) {
            while (auto ev = decoder_.next()) {
                if (ev->got) return std::move(ev->got);
                throw std::runtime_error("the server sent a bad frame: " + ev->problem.message);
            }
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                deadline - std::chrono::steady_clock::now());
            if (left.count() <= 0) return std::nullopt;
            pollfd p{fd_, POLLIN, 0};
            if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return std::nullopt;
            char buf[65536];
            const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
            if (n <= 0) return std::nullopt;
            decoder_.feed(std::string_view{buf, static_cast<std::size_t>(n)});
        }
    }

    /// The next frame's payload as a value (MessagePack or JSON); throws if none came.
    troupe::value read_value(troupe::ipc::frame_type* type = nullptr,
                             std::chrono::milliseconds bound = std::chrono::seconds{10}) {
        auto f = read(bound);
        if (!f) throw std::runtime_error("no frame within the bound");
        if (type) *type = f->type;
        if (f->payload.empty()) return troupe::value{};
        return f->format == troupe::codec::format::json
                   ? troupe::codec::json::decode(f->payload).value()
                   : troupe::codec::msgpack::decode(f->payload).value();
    }

    /// True once the server has closed the connection (reads give EOF within the bound).
    bool closed_by_server(std::chrono::milliseconds bound = std::chrono::seconds{10}) {
        const auto deadline = std::chrono::steady_clock::now() + bound;
        for (;;) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                deadline - std::chrono::steady_clock::now());
            if (left.count() <= 0) return false;
            pollfd p{fd_, POLLIN, 0};
            if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
            char buf[4096];
            const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
            if (n <= 0) return true;
        }
    }

    int fd() const { return fd_; }

private:
    int fd_ = -1;
    troupe::ipc::frame_decoder decoder_{troupe::ipc::hard_max_frame};
};

}  // namespace ipc_test

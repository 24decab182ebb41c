// raw unix_echo: the floor of ipc_roundtrip and ipc_throughput (bench/README.md): the same
// frames over a Unix socket to a bare server thread that writes every frame back, no
// runtime, no encoding.
//
//   raw_unix_echo roundtrip [N=20000] [workers=K]
//   raw_unix_echo throughput [N=200000] [INFLIGHT=16] [workers=K]
//
// The server is one thread: it accepts one connection in a fresh temporary directory, then
// blocks in read(), cuts the bytes into frames ([u32 big-endian payload length], 3 header
// bytes, the payload) and writes the whole frames back in one write, keeping a partial one
// for the next read. The client (the main thread) is the frames client of the troupe
// programs, by hand: blocking send and recv.
//  roundtrip   N frames in sequence, each after the echo of the one before; mean_rtt_us =
//              elapsed / N, and each round trip timed on its own for p50_us and p99_us;
//  throughput  INFLIGHT frames in flight: for each read that brings K whole echoes, K new
//              frames in one write; reqs_per_s = N / elapsed.
// One line per format: frames of the size the troupe programs' frames client sends (their
// request_bytes; JSON and MessagePack encode the same request), echoed unchanged (so
// response_bytes is the same). Each run starts with min(N, 1000) untimed frames, as theirs.
// Every frame carries its number (8 digits); every echo must be the frame sent, in order.
// workers=K is accepted and ignored (one server thread, one client thread).
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>

#include "../bench_cli.hpp"

namespace {

using clock_type = std::chrono::steady_clock;

constexpr std::size_t header = 7;  // length, version, type, format
constexpr std::size_t digits = 8;  // the frame's number, at the start of its payload

/// The troupe programs' request frames (bytes, header included), per format.
struct format_size {
    const char* name;
    std::size_t frame_bytes;
};
constexpr format_size formats[] = {{"json", 165}, {"msgpack", 135}};

std::uint32_t length_at(const char* at) {
    const auto* b = reinterpret_cast<const unsigned char*>(at);
    return (std::uint32_t{b[0]} << 24) | (std::uint32_t{b[1]} << 16) | (std::uint32_t{b[2]} << 8) |
           std::uint32_t{b[3]};
}

void write_all(int fd, const char* p, std::size_t n) {
    while (n > 0) {
        const ssize_t w = ::send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) throw std::runtime_error("send: " + std::string{std::strerror(errno)});
        p += w;
        n -= static_cast<std::size_t>(w);
    }
}

/// read() into buf after its `kept` bytes; the bytes read, 0 at the end of the stream.
std::size_t read_some(int fd, std::vector<char>& buf, std::size_t kept) {
    for (;;) {
        const ssize_t r = ::recv(fd, buf.data() + kept, buf.size() - kept, 0);
        if (r >= 0) return static_cast<std::size_t>(r);
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            throw std::runtime_error("no echo within 30 s");
        throw std::runtime_error("recv: " + std::string{std::strerror(errno)});
    }
}

/// The server: echoes whole frames until the client closes.
void serve(int listener) {
    const int fd = ::accept(listener, nullptr, nullptr);
    if (fd < 0) return;
    std::vector<char> buf(64 * 1024);
    std::size_t kept = 0;  // bytes of a partial frame at the start of buf
    try {
        for (;;) {
            const std::size_t got = read_some(fd, buf, kept);
            if (got == 0) break;
            const std::size_t have = kept + got;
            std::size_t whole = 0;  // bytes of the whole frames at the start
            while (have - whole >= header &&
                   have - whole >= header + length_at(buf.data() + whole)) {
                whole += header + length_at(buf.data() + whole);
            }
            if (whole > 0) write_all(fd, buf.data(), whole);
            kept = have - whole;
            std::memmove(buf.data(), buf.data() + whole, kept);
            if (kept == buf.size()) buf.resize(2 * buf.size());
        }
    } catch (const std::exception&) {
        // the client saw the failure too, or has finished
    }
    ::close(fd);
}

/// The client's side of one connection.
class client {
public:
    client(const std::string& path, std::size_t frame_bytes) : frame_(frame_bytes, 'x') {
        fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
        if (fd_ < 0 || ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
            throw std::runtime_error("connect: " + std::string{std::strerror(errno)});
        }
        timeval bound{30, 0};
        ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &bound, sizeof bound);
        const auto n = static_cast<std::uint32_t>(frame_bytes - header);
        frame_[0] = static_cast<char>(n >> 24);
        frame_[1] = static_cast<char>(n >> 16);
        frame_[2] = static_cast<char>(n >> 8);
        frame_[3] = static_cast<char>(n);
        frame_[4] = 2;  // version
        frame_[5] = 1;  // request
        frame_[6] = 1;  // format (unread here)
        expected_ = frame_;
    }
    ~client() { ::close(fd_); }
    client(const client&) = delete;
    client& operator=(const client&) = delete;

    /// Frames [first, first + count) in sequence; appends each round trip (µs) to rtt_us.
    void roundtrip(std::uint64_t first, std::uint64_t count, std::vector<float>* rtt_us) {
        for (std::uint64_t id = first; id < first + count; ++id) {
            const auto t0 = clock_type::now();
            batch_.clear();
            append(id);
            write_all(fd_, batch_.data(), batch_.size());
            expect(id, id + 1);
            const auto t1 = clock_type::now();
            if (rtt_us)
                rtt_us->push_back(std::chrono::duration<float, std::micro>(t1 - t0).count());
        }
    }

    /// Frames [first, first + count), `inflight` at a time.
    void throughput(std::uint64_t first, std::uint64_t count, std::uint64_t inflight) {
        const std::uint64_t end = first + count;
        std::uint64_t next = first;  // the next to send
        auto send = [&](std::uint64_t k) {
            batch_.clear();
            for (; k > 0 && next < end; --k) append(next++);
            if (!batch_.empty()) write_all(fd_, batch_.data(), batch_.size());
        };
        send(inflight);
        for (std::uint64_t echoed = first; echoed < end;) {
            const std::uint64_t got = expect(echoed, next);
            echoed += got;
            send(got);
        }
    }

private:
    static void number(std::string& frame, std::uint64_t id) {
        for (std::size_t i = digits; i-- > 0;) {
            frame[header + i] = static_cast<char>('0' + id % 10);
            id /= 10;
        }
    }

    void append(std::uint64_t id) {
        number(frame_, id);
        batch_ += frame_;
    }

    /// Reads until at least one whole echo has come, all of them of frames `from`, `from` +
    /// 1, ... below `limit`, in order; returns how many came.
    std::uint64_t expect(std::uint64_t from, std::uint64_t limit) {
        const std::size_t size = frame_.size();
        for (;;) {
            std::size_t whole = 0;
            for (; in_ - whole >= size; whole += size) {
                const std::uint64_t id = from + whole / size;
                number(expected_, id);
                if (id >= limit || std::memcmp(buf_.data() + whole, expected_.data(), size) != 0) {
                    throw std::runtime_error("echo " + std::to_string(id) +
                                             " is not the frame sent");
                }
            }
            if (whole > 0) {
                in_ -= whole;
                std::memmove(buf_.data(), buf_.data() + whole, in_);
                return whole / size;
            }
            const std::size_t got = read_some(fd_, buf_, in_);
            if (got == 0) throw std::runtime_error("the server closed the connection");
            in_ += got;
        }
    }

    int fd_ = -1;
    std::string frame_;     // the frame, its number last written
    std::string expected_;  // the echo being checked
    std::string batch_;     // frames to write
    std::vector<char> buf_ = std::vector<char>(64 * 1024);
    std::size_t in_ = 0;  // bytes read and not yet checked
};

double percentile(std::vector<float> v, double q) {
    if (v.empty()) return 0;
    const auto at = static_cast<std::size_t>(q * static_cast<double>(v.size() - 1) + 0.5);
    std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(at), v.end());
    return v[at];
}

}  // namespace

int main(int argc, char** argv) {
    constexpr std::string_view usage_line =
        "raw_unix_echo roundtrip [N=20000] [workers=K] | raw_unix_echo throughput [N=200000] "
        "[INFLIGHT=16] [workers=K]";
    const std::string_view mode = argc > 1 ? argv[1] : "";
    if (mode == "--help" || mode == "-h") bench::usage(usage_line, true);
    if (mode != "roundtrip" && mode != "throughput") {
        std::fprintf(stderr, "the first argument must be roundtrip or throughput\n");
        bench::usage(usage_line, false);
    }
    const bool sequential = mode == "roundtrip";
    // argv[1] (the mode) stands in for the program's name.
    const auto args = sequential ? bench::parse(argc - 1, argv + 1, usage_line, {20000})
                                 : bench::parse(argc - 1, argv + 1, usage_line, {200000, 16});
    const std::uint64_t n = args.values[0];
    const std::uint64_t warm = std::min<std::uint64_t>(n, 1000);
    if (n + warm > 99'999'999) {
        std::fprintf(stderr, "N is at most 99998999\n");
        bench::usage(usage_line, false);
    }

    char tmpl[] = "/tmp/troupe-raw-echo-XXXXXX";
    if (!::mkdtemp(tmpl)) {
        std::perror("mkdtemp");
        return 1;
    }
    const std::string dir = tmpl;
    const std::string path = dir + "/echo.sock";
    std::vector<std::string> lines;
    int status = 0;
    try {
        for (const auto& f : formats) {
            const int listener = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
            sockaddr_un addr{};
            addr.sun_family = AF_UNIX;
            std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
            ::unlink(path.c_str());
            if (listener < 0 ||
                ::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
                ::listen(listener, 1) != 0) {
                throw std::runtime_error("listen: " + std::string{std::strerror(errno)});
            }
            // Joined (after the client has closed) however this scope ends; shutting the
            // listener down wakes an accept() that never got its connection.
            struct server_thread {
                int listener;
                std::thread t;
                ~server_thread() {
                    ::shutdown(listener, SHUT_RDWR);
                    t.join();
                    ::close(listener);
                }
            } server{listener, std::thread{serve, listener}};
            char line[512];
            {
                client c{path, f.frame_bytes};
                bench::stopwatch clock;
                if (sequential) {
                    std::vector<float> rtt_us;
                    rtt_us.reserve(n);
                    c.roundtrip(0, warm, nullptr);
                    clock.start();
                    c.roundtrip(warm, n, &rtt_us);
                    const double elapsed = clock.elapsed_s();
                    std::snprintf(line, sizeof line,
                                  "raw ipc_roundtrip format=%s n=%" PRIu64
                                  " request_bytes=%zu response_bytes=%zu elapsed_s=%.6g "
                                  "p50_us=%.4g p99_us=%.4g mean_rtt_us=%.4g",
                                  f.name, n, f.frame_bytes, f.frame_bytes, elapsed,
                                  percentile(rtt_us, 0.5), percentile(rtt_us, 0.99),
                                  elapsed * 1e6 / static_cast<double>(n));
                } else {
                    const std::uint64_t inflight = args.values[1];
                    c.throughput(0, warm, inflight);
                    clock.start();
                    c.throughput(warm, n, inflight);
                    const double elapsed = clock.elapsed_s();
                    std::snprintf(line, sizeof line,
                                  "raw ipc_throughput format=%s n=%" PRIu64 " inflight=%" PRIu64
                                  " request_bytes=%zu response_bytes=%zu elapsed_s=%.6g "
                                  "reqs_per_s=%.0f",
                                  f.name, n, inflight, f.frame_bytes, f.frame_bytes, elapsed,
                                  static_cast<double>(n) / elapsed);
                }
            }  // the client closes: the server's read ends
            lines.emplace_back(line);
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "raw_unix_echo: %s\n", e.what());
        status = 1;
    }
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
    if (status != 0) return status;
    for (const auto& l : lines) std::printf("%s\n", l.c_str());
    return 0;
}

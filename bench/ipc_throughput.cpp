// ipc_throughput: requests per second over one IPC connection with INFLIGHT requests kept
// in flight (bench/README.md). A client sends N requests to an echo actor exposed by an
// ipc::server in this process, a new one for every reply, so that INFLIGHT are always
// outstanding; reqs_per_s = N / elapsed.
//
// Two clients, one line each per format (JSON, MessagePack):
//  client=cpp     the troupe C++ client: INFLIGHT `request(...)` pendings whose then()
//                 callbacks (on the client's socket thread) check the reply and send the
//                 next request; the main thread waits for the last;
//  client=frames  a blocking socket (ipc_bench.hpp): it writes INFLIGHT prebuilt request
//                 frames, then, for each read that brings K whole replies, writes K new
//                 requests at once: the server's throughput, with as little client as
//                 possible.
// Each run starts on a fresh connection with warm_up_of(N) untimed requests. Every reply is
// checked (its number, in the correlation id and in the text, must be that of a request in
// flight and answered once); a wrong one fails the program before it prints anything.
//
// The floor is raw_unix_echo (bench/raw/): the same frames echoed by a bare socket thread.
#include <atomic>
#include <cinttypes>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <mutex>
#include <string>
#include <vector>

#include <troupe/ipc/client.hpp>

#include "ipc_bench.hpp"

namespace {

using namespace ipc_bench;

/// The frames client: requests [first, first + count), `inflight` at a time.
class frames_run {
public:
    frames_run(const std::string& path, troupe::codec::format f, std::uint64_t total)
        : socket_(path), request_(f), checker_(f), answered_(total, false) {}

    bool run(std::uint64_t first, std::uint64_t count, std::uint64_t inflight) {
        next_ = first;
        end_ = first + count;
        send(inflight);
        for (std::uint64_t done = 0; done < count;) {
            socket_.fill();
            std::uint64_t got = 0;
            while (auto reply = socket_.next()) {
                const auto id = checker_.check(*reply);
                if (!id || *id < first || *id >= next_ || answered_[*id]) {
                    std::fprintf(
                        stderr, "ipc_throughput: %s\n",
                        id ? ("an unexpected reply to request " + std::to_string(*id)).c_str()
                           : checker_.why().c_str());
                    return false;
                }
                answered_[*id] = true;
                ++got;
            }
            done += got;
            send(got);
        }
        return true;
    }

    std::size_t request_bytes() const noexcept { return request_.size(); }
    std::size_t response_bytes() const noexcept { return checker_.frame_size(); }

private:
    /// Writes up to `k` more requests, in one write.
    void send(std::uint64_t k) {
        batch_.clear();
        for (; k > 0 && next_ < end_; --k) batch_ += request_.of(next_++);
        if (!batch_.empty()) socket_.write_all(batch_);
    }

    frame_socket socket_;
    request_frame request_;
    reply_checker checker_;
    std::vector<bool> answered_;
    std::string batch_;
    std::uint64_t next_ = 0, end_ = 0;
};

/// The C++ client: each reply's callback sends the next request. Destroy the client before
/// this (its destructor joins the socket thread, where the callbacks run).
class cpp_run {
public:
    bool run(troupe::ipc::client& c, std::uint64_t first, std::uint64_t count,
             std::uint64_t inflight) {
        client_ = &c;
        next_.store(first);
        end_ = first + count;
        left_.store(count);
        for (std::uint64_t i = 0; i < inflight; ++i) issue();
        std::unique_lock lock{mutex_};
        finished_cv_.wait(lock, [this] { return finished_; });
        finished_ = false;
        if (!error_.empty()) std::fprintf(stderr, "ipc_throughput: %s\n", error_.c_str());
        return error_.empty();
    }

private:
    void issue() {
        const std::uint64_t id = next_.fetch_add(1);
        if (id >= end_) return;
        client_->request(target, Echo{text_of(id)})
            .then([this, id](troupe::result<troupe::value> reply) { on_reply(id, reply); });
    }

    void on_reply(std::uint64_t id, const troupe::result<troupe::value>& reply) {
        const std::string* text = reply ? text_in(*reply) : nullptr;
        if (!text || *text != text_of(id)) {
            std::lock_guard lock{mutex_};
            if (error_.empty()) {
                error_ = "request " + std::to_string(id) + " got " +
                         (reply ? std::string{"a wrong reply"} : reply.error().message());
            }
        }
        issue();
        if (left_.fetch_sub(1) == 1) {
            // Notified under the lock: run() cannot return before this unlocks.
            std::lock_guard lock{mutex_};
            finished_ = true;
            finished_cv_.notify_one();
        }
    }

    troupe::ipc::client* client_ = nullptr;
    std::atomic<std::uint64_t> next_{0};
    std::uint64_t end_ = 0;
    std::atomic<std::uint64_t> left_{0};
    std::mutex mutex_;
    std::condition_variable finished_cv_;
    bool finished_ = false;
    std::string error_;
};

}  // namespace

int main(int argc, char** argv) {
    const auto opts = parse(argc, argv,
                            "ipc_throughput [N=200000] [INFLIGHT=16] [json|msgpack|both] "
                            "[cpp|frames|both] [workers=K]",
                            {200000, 16});
    const std::uint64_t n = opts.values[0];
    const std::uint64_t inflight = opts.values[1];
    const std::uint64_t warm = warm_up_of(n);
    try {
        fixture server{opts.workers};
        const std::string path = server.socket_path();
        std::vector<std::string> lines;
        for (const auto f : opts.formats) {
            for (const bool cpp : {true, false}) {
                if (cpp ? !opts.cpp : !opts.frames) continue;
                bench::stopwatch clock;
                double elapsed = 0;
                char sizes[96] = "";
                if (cpp) {
                    cpp_run r;  // outlives the client
                    troupe::ipc::client_config cfg;
                    cfg.socket_path = path;
                    cfg.format = f;
                    auto connected = troupe::ipc::client::connect(cfg);
                    if (!connected) {
                        std::fprintf(stderr, "ipc_throughput: connect: %s\n",
                                     connected.error().message().c_str());
                        return 1;
                    }
                    if (!r.run(*connected, 0, warm, inflight)) return 1;
                    clock.start();
                    if (!r.run(*connected, warm, n, inflight)) return 1;
                    elapsed = clock.elapsed_s();
                } else {
                    frames_run r{path, f, warm + n};
                    if (!r.run(0, warm, inflight)) return 1;
                    clock.start();
                    if (!r.run(warm, n, inflight)) return 1;
                    elapsed = clock.elapsed_s();
                    std::snprintf(sizes, sizeof sizes, " request_bytes=%zu response_bytes=%zu",
                                  r.request_bytes(), r.response_bytes());
                }
                char line[512];
                std::snprintf(line, sizeof line,
                              "troupe ipc_throughput format=%s client=%s n=%" PRIu64
                              " inflight=%" PRIu64 " workers=%zu%s elapsed_s=%.6g reqs_per_s=%.0f",
                              format_name(f), cpp ? "cpp" : "frames", n, inflight, server.workers(),
                              sizes, elapsed, static_cast<double>(n) / elapsed);
                lines.emplace_back(line);
            }
        }
        for (const auto& l : lines) std::printf("%s\n", l.c_str());
    } catch (const std::exception& e) {
        std::fprintf(stderr, "ipc_throughput: %s\n", e.what());
        return 1;
    }
    return 0;
}

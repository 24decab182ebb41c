// ipc_roundtrip: sequential request/response over the IPC socket (bench/README.md). A
// client thread sends N requests to an echo actor exposed by an ipc::server in this
// process, each after the reply to the one before; mean_rtt_us = elapsed / N, and every
// round trip is timed on its own for p50_us and p99_us.
//
// Two clients, one line each per format (JSON, MessagePack):
//  client=cpp     the troupe C++ client: `request(...).get()` (its socket thread, a pending
//                 completed there, the calling thread woken);
//  client=frames  a blocking socket that writes a prebuilt request frame and reads the reply
//                 with a frame_decoder (ipc_bench.hpp): the server's round trip, with as
//                 little client as possible.
// Each run starts on a fresh connection with warm_up_of(N) untimed requests. Every reply is
// checked (its number, in the correlation id and in the text, must be the request's); a
// wrong one fails the program before it prints anything.
//
// The floor is raw_unix_echo (bench/raw/): the same frames echoed by a bare socket thread.
#include <chrono>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include <troupe/ipc/client.hpp>

#include "ipc_bench.hpp"

namespace {

using namespace ipc_bench;
using clock_type = std::chrono::steady_clock;

struct measured {
    double elapsed_s = 0;
    std::vector<float> rtt_us;
};

float micros(clock_type::duration d) {
    return std::chrono::duration<float, std::micro>(d).count();
}

bool run_frames(const std::string& path, troupe::codec::format f, std::uint64_t n, measured& out,
                std::size_t& request_bytes, std::size_t& response_bytes) {
    frame_socket socket{path};
    request_frame request{f};
    reply_checker checker{f};
    request_bytes = request.size();
    response_bytes = checker.frame_size();
    const std::uint64_t warm = warm_up_of(n);
    out.rtt_us.reserve(n);
    bench::stopwatch total;
    for (std::uint64_t i = 0; i < warm + n; ++i) {
        if (i == warm) total.start();
        const auto t0 = clock_type::now();
        socket.write_all(request.of(i));
        const troupe::ipc::frame reply = socket.read();
        const auto t1 = clock_type::now();
        const auto id = checker.check(reply);
        if (!id || *id != i) {
            std::fprintf(
                stderr, "ipc_roundtrip: request %" PRIu64 " got %s\n", i,
                id ? ("the reply to " + std::to_string(*id)).c_str() : checker.why().c_str());
            return false;
        }
        if (i >= warm) out.rtt_us.push_back(micros(t1 - t0));
    }
    out.elapsed_s = total.elapsed_s();
    return true;
}

bool run_cpp(const std::string& path, troupe::codec::format f, std::uint64_t n, measured& out) {
    troupe::ipc::client_config cfg;
    cfg.socket_path = path;
    cfg.format = f;
    auto connected = troupe::ipc::client::connect(cfg);
    if (!connected) {
        std::fprintf(stderr, "ipc_roundtrip: connect: %s\n", connected.error().message().c_str());
        return false;
    }
    troupe::ipc::client& client = *connected;
    const std::uint64_t warm = warm_up_of(n);
    out.rtt_us.reserve(n);
    bench::stopwatch total;
    for (std::uint64_t i = 0; i < warm + n; ++i) {
        if (i == warm) total.start();
        const Echo request{text_of(i)};
        const auto t0 = clock_type::now();
        const troupe::result<troupe::value> reply = client.request(target, request).get();
        const auto t1 = clock_type::now();
        const std::string* text = reply ? text_in(*reply) : nullptr;
        if (!text || *text != request.text) {
            std::fprintf(stderr, "ipc_roundtrip: request %" PRIu64 " got %s\n", i,
                         reply ? "a wrong reply" : reply.error().message().c_str());
            return false;
        }
        if (i >= warm) out.rtt_us.push_back(micros(t1 - t0));
    }
    out.elapsed_s = total.elapsed_s();
    return true;
}

}  // namespace

int main(int argc, char** argv) {
    const auto opts = parse(argc, argv,
                            "ipc_roundtrip [N=20000] [json|msgpack|both] [cpp|frames|both] "
                            "[workers=K]",
                            {20000});
    const std::uint64_t n = opts.values[0];
    try {
        fixture server{opts.workers};
        const std::string path = server.socket_path();
        std::vector<std::string> lines;
        for (const auto f : opts.formats) {
            for (const bool cpp : {true, false}) {
                if (cpp ? !opts.cpp : !opts.frames) continue;
                measured m;
                std::size_t request_bytes = 0, response_bytes = 0;
                if (!(cpp ? run_cpp(path, f, n, m)
                          : run_frames(path, f, n, m, request_bytes, response_bytes))) {
                    return 1;
                }
                char sizes[96] = "";
                if (!cpp) {
                    std::snprintf(sizes, sizeof sizes, " request_bytes=%zu response_bytes=%zu",
                                  request_bytes, response_bytes);
                }
                char line[512];
                std::snprintf(line, sizeof line,
                              "troupe ipc_roundtrip format=%s client=%s n=%" PRIu64
                              " workers=%zu%s elapsed_s=%.6g p50_us=%.4g p99_us=%.4g "
                              "mean_rtt_us=%.4g",
                              format_name(f), cpp ? "cpp" : "frames", n, server.workers(), sizes,
                              m.elapsed_s, percentile(m.rtt_us, 0.5), percentile(m.rtt_us, 0.99),
                              m.elapsed_s * 1e6 / static_cast<double>(n));
                lines.emplace_back(line);
            }
        }
        for (const auto& l : lines) std::printf("%s\n", l.c_str());
    } catch (const std::exception& e) {
        std::fprintf(stderr, "ipc_roundtrip: %s\n", e.what());
        return 1;
    }
    return 0;
}

// The IPC test server: the test actors (support/test_actors.hpp) behind a real socket, for
// the Python, Node.js and command-line tests.
//
//   troupe_ipc_test_server --socket PATH [--max-connections N] [--rate R --burst B]
//                          [--max-frame BYTES] [--idle-timeout-ms MS]
//
// Prints "listening PATH" once it accepts connections; SIGTERM or SIGINT stops it
// gracefully (requests in flight are answered) with exit code 0.

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>

#include <troupe/ipc/server.hpp>

#include "support/test_actors.hpp"

namespace {

int usage(const char* why) {
    std::fprintf(stderr,
                 "troupe_ipc_test_server: %s\nusage: troupe_ipc_test_server --socket PATH "
                 "[--max-connections N] [--rate R] [--burst B] [--max-frame BYTES] "
                 "[--idle-timeout-ms MS]\n",
                 why);
    return 2;
}

bool number(const char* text, double& out) {
    char* end = nullptr;
    out = std::strtod(text, &end);
    return end && *end == '\0' && end != text && out >= 0;
}

}  // namespace

int main(int argc, char** argv) {
    troupe::ipc::server_config cfg;
    for (int i = 1; i < argc; ++i) {
        const std::string flag = argv[i];
        if (i + 1 >= argc) return usage(("missing a value after " + flag).c_str());
        const char* arg = argv[++i];
        double v = 0;
        if (flag == "--socket") {
            cfg.socket_path = arg;
            continue;
        }
        if (!number(arg, v)) return usage((flag + " needs a number, got " + arg).c_str());
        if (flag == "--max-connections")
            cfg.max_connections = static_cast<std::size_t>(v);
        else if (flag == "--rate")
            cfg.rate = v;
        else if (flag == "--burst")
            cfg.burst = v;
        else if (flag == "--max-frame")
            cfg.max_frame = static_cast<std::size_t>(v);
        else if (flag == "--idle-timeout-ms")
            cfg.idle_timeout = std::chrono::milliseconds{static_cast<std::int64_t>(v)};
        else
            return usage(("unknown option " + flag).c_str());
    }
    if (cfg.socket_path.empty()) return usage("--socket is required");

    // Block the stop signals before any thread starts, then wait for one.
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGTERM);
    sigaddset(&stop_signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

    troupe::node node;
    node.set_log_level(troupe::log_level::warn);
    troupe::codec::registry types;
    troupe::ipc::server srv{node, types, cfg};
    auto starts = std::make_shared<std::atomic<std::int64_t>>(0);
    auto sup = ipc_test::expose_test_actors(node, srv, types, starts);
    if (!sup) {
        std::fprintf(stderr, "troupe_ipc_test_server: %s\n", sup.error().message().c_str());
        return 1;
    }
    if (auto ok = srv.start(); !ok) {
        std::fprintf(stderr, "troupe_ipc_test_server: %s\n", ok.error().message().c_str());
        return 1;
    }
    std::cout << "listening " << srv.socket_path() << std::endl;

    int sig = 0;
    sigwait(&stop_signals, &sig);
    srv.stop();
    return 0;
}

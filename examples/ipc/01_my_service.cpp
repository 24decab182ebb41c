// my-service over IPC: an actor served on a Unix socket, called from this program's C++
// client, then from Python, Node.js and the `troupe` command line, as other processes.
//
//   ipc_my_service                 # the demo: serve, call from every client, stop
//   ipc_my_service --serve [PATH]  # serve until Ctrl-C; try the clients by hand
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <string>

#include <troupe/ipc/client.hpp>
#include <troupe/ipc/server.hpp>

#include "my_service.hpp"
#include "other_process.hpp"

using namespace std::chrono_literals;
using troupe::value;
namespace ipc = troupe::ipc;

namespace {

int serve_until_interrupted(troupe::node& node, troupe::codec::registry& types,
                            ipc::server_config cfg) {
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, nullptr);
    ipc::server srv{node, types, cfg};
    srv.expose("my-service", node.spawn<my_service::store>().value()).value();
    if (auto ok = srv.start(); !ok) {
        std::cerr << ok.error().message() << "\n";
        return 1;
    }
    std::cout << "listening " << srv.socket_path() << " (Ctrl-C stops)" << std::endl;
    int sig = 0;
    sigwait(&stop, &sig);
    srv.stop();
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    troupe::node node;
    troupe::codec::registry types;
    ipc::server_config cfg{.app = "my-app"};
    if (argc > 1 && std::string{argv[1]} == "--serve") {
        if (argc > 2) cfg.socket_path = argv[2];
        return serve_until_interrupted(node, types, cfg);
    }

    // The demo listens in a directory of its own, so it never meets a real server.
    char dir[] = "/tmp/troupe-example-XXXXXX";
    cfg.socket_path = std::string{::mkdtemp(dir)} + "/my-app.sock";

    ipc::server srv{node, types, cfg};
    types.add<my_service::ValueChanged>().value();  // clients may subscribe to it
    auto announce = [&srv](const my_service::ValueChanged& c) {
        (void)srv.broadcast(c, "my-service");
    };
    auto store = node.spawn<my_service::store>(announce).value();
    srv.expose("my-service", store).value();
    srv.start().value();
    std::cout << "my-service listening on " << srv.socket_path() << "\n";

    // A C++ client: untyped values, then typed messages and a typed reply.
    auto client = ipc::client::connect({.socket_path = srv.socket_path()}).value();
    client.request("my-service", "SetValue", value::map{{"key", "answer"}, {"value", 41}})
        .get()
        .value();
    client.tell("my-service", my_service::SetValue{"answer", 42}).get().value();
    std::optional<std::int64_t> answer =
        client.call<std::optional<std::int64_t>>("my-service", my_service::GetValue{"answer"})
            .get()
            .value();
    std::cout << "C++: GetValue(answer) = " << answer.value() << "\n";
    auto missing = client.request("my-service", "Shout", value::map{}).get();
    std::cout << "C++: Shout -> " << missing.error().reason() << "\n";

    // Other processes: the same socket, the same protocol.
    using my_service::run_client, my_service::with_socket;
    const std::string& path = srv.socket_path();
    run_client("Python", with_socket(path, "PYTHONPATH=" TROUPE_PYTHON_CLIENT_DIR " " TROUPE_PYTHON3
                                           " " TROUPE_EXAMPLE_DIR "/client.py"));
    run_client("Node.js", with_socket(path, TROUPE_NODE " " TROUPE_EXAMPLE_DIR "/client.js"));
    run_client("troupe CLI",
               with_socket(path, TROUPE_CLI " ipc call my-service GetValue '{\"key\":\"py\"}'"));

    client.close();
    srv.stop();
    std::cout << "stopped; the socket is gone: " << std::boolalpha
              << (::access(cfg.socket_path.c_str(), F_OK) != 0) << "\n";
    ::rmdir(dir);
    return 0;
}

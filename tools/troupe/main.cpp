// troupe: the command-line tool. One area so far, `ipc`: talking to a running troupe
// program over its IPC socket.
//
//   troupe ipc discover
//   troupe ipc call my-service GetValue '{"key": "k"}'
//   troupe --help

#include <iostream>
#include <string>
#include <vector>

#include "troupe/ipc_command.hpp"

namespace {

constexpr const char* usage = R"(usage: troupe <area> <command> [options] [arguments]

Areas:
  ipc    talk to a running troupe program over its IPC socket
         (discover, call, send, stream, subscribe, ping; see 'troupe ipc --help')

Options:
  -h, --help    show this help
)";

}  // namespace

int main(int argc, char** argv) {
    const std::vector<std::string> args(argv + 1, argv + argc);
    if (args.empty()) {
        std::cerr << "troupe: missing an area (ipc)\n\n" << usage;
        return troupe_cli::exit_usage;
    }
    if (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
        std::cout << usage;
        return troupe_cli::exit_ok;
    }
    if (args[0] == "ipc") return troupe_cli::run_ipc({args.begin() + 1, args.end()});
    std::cerr << "troupe: unknown area \"" << args[0] << "\" (known: ipc)\n"
              << "Run 'troupe --help' for usage.\n";
    return troupe_cli::exit_usage;
}

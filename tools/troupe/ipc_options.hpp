#pragma once
// The command line of `troupe ipc`: options may come before or after the command, as
// `--name value` or `--name=value`; `--` ends the options.

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include <troupe/ipc/client.hpp>

namespace troupe_cli {

struct ipc_options {
    troupe::ipc::client_config client;
    std::string command;            // discover, call, send, stream, subscribe, ping
    std::vector<std::string> args;  // what follows the command
    std::optional<std::size_t> count;
    bool help = false;
};

/// Reads the arguments after `troupe ipc`. On bad usage returns nothing and says why.
std::optional<ipc_options> parse_ipc_options(const std::vector<std::string>& argv,
                                             std::string& why);

}  // namespace troupe_cli

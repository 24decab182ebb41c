#include "troupe/ipc_options.hpp"

#include <charconv>
#include <string_view>

namespace troupe_cli {

namespace {

// A whole decimal number from 1 (a time-out or a count of 0 would mean nothing) to 2^31 - 1
// (a longer time-out would overflow the clock arithmetic; nobody waits 24 days).
std::optional<std::size_t> positive(std::string_view text) {
    std::size_t v = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc{} || end != text.data() + text.size() || v == 0 || v > 0x7fffffff) {
        return std::nullopt;
    }
    return v;
}

}  // namespace

std::optional<ipc_options> parse_ipc_options(const std::vector<std::string>& argv,
                                             std::string& why) {
    ipc_options o;
    bool options_done = false;
    for (std::size_t i = 0; i < argv.size(); ++i) {
        const std::string& arg = argv[i];
        if (options_done || arg.size() < 2 || arg.compare(0, 2, "--") != 0) {
            if (arg == "-h") {
                o.help = true;
            } else if (o.command.empty()) {
                o.command = arg;
            } else {
                o.args.push_back(arg);
            }
            continue;
        }
        if (arg == "--") {
            options_done = true;
            continue;
        }
        std::string name = arg;
        std::optional<std::string> val;
        if (auto eq = arg.find('='); eq != std::string::npos) {
            name = arg.substr(0, eq);
            val = arg.substr(eq + 1);
        }
        if (name == "--help") {
            o.help = true;
            continue;
        }
        if (name == "--msgpack") {
            if (val) {
                why = "--msgpack takes no value";
                return std::nullopt;
            }
            o.client.format = troupe::codec::format::msgpack;
            continue;
        }
        if (name != "--socket" && name != "--app" && name != "--timeout" && name != "--count") {
            why = "unknown option " + name;
            return std::nullopt;
        }
        if (!val) {
            if (i + 1 >= argv.size()) {
                why = name + " needs a value";
                return std::nullopt;
            }
            val = argv[++i];
        }
        if (name == "--socket") {
            o.client.socket_path = *val;
        } else if (name == "--app") {
            o.client.app = *val;
        } else if (auto n = positive(*val)) {
            if (name == "--timeout")
                o.client.timeout = std::chrono::milliseconds{*n};
            else
                o.count = *n;
        } else {
            why = name + " needs a whole number from 1 to 2147483647, got \"" + *val + "\"";
            return std::nullopt;
        }
    }
    return o;
}

}  // namespace troupe_cli

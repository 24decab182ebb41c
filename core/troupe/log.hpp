#pragma once
// Logging through spdlog, with the actor's address and name on every line:
//   [warning] <fff8:3> counter: value 7 is odd
// Quiet by default (warnings and errors); node_config::level or node::set_log_level
// changes it.

#include <string_view>
#include <utility>

#include <spdlog/logger.h>

#include <troupe/address.hpp>

namespace troupe {

class actor_log {
public:
    actor_log(spdlog::logger& lg, address a, std::string_view name) noexcept
        : lg_(lg), addr_(a), name_(name) {}

    template <class... Args>
    void trace(fmt::format_string<Args...> f, Args&&... args) const {
        write(spdlog::level::trace, f, std::forward<Args>(args)...);
    }
    template <class... Args>
    void debug(fmt::format_string<Args...> f, Args&&... args) const {
        write(spdlog::level::debug, f, std::forward<Args>(args)...);
    }
    template <class... Args>
    void info(fmt::format_string<Args...> f, Args&&... args) const {
        write(spdlog::level::info, f, std::forward<Args>(args)...);
    }
    template <class... Args>
    void warn(fmt::format_string<Args...> f, Args&&... args) const {
        write(spdlog::level::warn, f, std::forward<Args>(args)...);
    }
    template <class... Args>
    void error(fmt::format_string<Args...> f, Args&&... args) const {
        write(spdlog::level::err, f, std::forward<Args>(args)...);
    }

private:
    template <class... Args>
    void write(spdlog::level::level_enum lvl, fmt::format_string<Args...> f, Args&&... args) const {
        if (!lg_.should_log(lvl)) return;
        lg_.log(lvl, "{} {}: {}", addr_.to_string(), name_,
                fmt::format(f, std::forward<Args>(args)...));
    }
    spdlog::logger& lg_;
    address addr_;
    std::string_view name_;
};

}  // namespace troupe

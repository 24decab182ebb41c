#pragma once
// The settings a script carries (see script.hpp). Immutable once built.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <troupe/lua/script.hpp>

namespace troupe::lua::detail {

struct script_data {
    source started{{}, "started"};
    source handle{{}, "handle"};
    source stopped{{}, "stopped"};
    lua::limits limits;
    /// Bit (1 << library) for each granted library.
    std::uint8_t granted = 0;
    std::vector<setup_fn> setup;
    std::vector<std::pair<std::string, address>> recipients;
    codec::registry* registry = nullptr;
    duration send_timeout = std::chrono::seconds(5);

    bool grants(library lib) const noexcept { return (granted >> static_cast<unsigned>(lib)) & 1u; }
};

}  // namespace troupe::lua::detail

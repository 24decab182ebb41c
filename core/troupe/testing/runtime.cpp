#include <memory>

#include <troupe/testing/runtime.hpp>

namespace troupe::testing {

node_config runtime::make_config(log_level level, deterministic_executor*& out) {
    node_config cfg;
    auto exec = std::make_unique<deterministic_executor>();
    out = exec.get();
    cfg.exec = std::move(exec);
    cfg.level = level;
    cfg.name = "test";
    return cfg;
}

runtime::runtime(log_level level) : node_(make_config(level, exec_)) {
    node_.set_trace_hook([this](address from, address to, std::string_view type) {
        deliveries_.push_back(delivery{from, to, std::string{type}});
    });
}

std::vector<std::string> runtime::received_by(address to) const {
    std::vector<std::string> out;
    for (auto& d : deliveries_) {
        if (d.to == to) out.push_back(d.type);
    }
    return out;
}

}  // namespace troupe::testing

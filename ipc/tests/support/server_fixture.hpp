#pragma once
// A node, a registry and a server exposing the test actors on a socket in a fresh
// directory: what every in-process IPC test starts from.

#include <memory>
#include <string>

#include <gtest/gtest.h>

#include <troupe/codec/json.hpp>
#include <troupe/ipc/server.hpp>

#include "raw_client.hpp"
#include "test_actors.hpp"

namespace ipc_test {

class served {
public:
    explicit served(troupe::ipc::server_config cfg = {}) {
        node_.set_log_level(troupe::log_level::off);
        if (cfg.socket_path.empty()) cfg.socket_path = dir_.file("t.sock");
        server_ = std::make_unique<troupe::ipc::server>(node_, types_, std::move(cfg));
        supervisor_ = expose_test_actors(node_, *server_, types_, starts_).value();
        server_->start().value();
    }
    ~served() { server_->stop(); }

    troupe::node& node() { return node_; }
    troupe::codec::registry& types() { return types_; }
    troupe::ipc::server& server() { return *server_; }
    std::string path() const { return server_->socket_path(); }
    std::int64_t starts() const { return starts_->load(); }
    const temp_dir& dir() const { return dir_; }

private:
    temp_dir dir_;
    troupe::node node_;
    troupe::codec::registry types_;
    std::shared_ptr<std::atomic<std::int64_t>> starts_ =
        std::make_shared<std::atomic<std::int64_t>>(0);
    std::unique_ptr<troupe::ipc::server> server_;
    std::optional<troupe::supervisor_ref> supervisor_;
};

/// The text of a string field of a map value ("" if absent).
inline std::string text(const troupe::value& v, std::string_view key) {
    const auto* m = v.if_map();
    if (!m) return {};
    for (const auto& [k, e] : *m) {
        if (k == key && e.if_string()) return *e.if_string();
    }
    return {};
}

/// The field `key` of a map value (nil if absent).
inline troupe::value field(const troupe::value& v, std::string_view key) {
    if (const auto* m = v.if_map()) {
        for (const auto& [k, e] : *m) {
            if (k == key) return e;
        }
    }
    return {};
}

inline bool has(const troupe::value& v, std::string_view key) {
    if (const auto* m = v.if_map()) {
        for (const auto& [k, e] : *m) {
            if (k == key) return true;
        }
    }
    return false;
}

}  // namespace ipc_test

// 02_by_name: a typed actor answers messages that arrive by name, as JSON text or as a
// dynamic value — what an IPC client or a Lua script sends. The registry decodes, the
// typed handler runs, the reply comes back encoded.
#include <chrono>
#include <iostream>
#include <string>

#include <troupe/codec/registry.hpp>
#include <troupe/troupe.hpp>

#include "kv_store.hpp"

namespace codec = troupe::codec;
using namespace std::chrono_literals;

int main() {
    troupe::node node;
    codec::registry registry;
    auto store = node.spawn<kv::store>().value();
    codec::endpoint ep = registry.expose(store).value();

    // JSON in, JSON out.
    auto set = ep.ask("kv.SetValue", codec::format::json, R"({"key":"answer","value":42})", 1s);
    std::cout << "SetValue -> " << std::move(set).get().value() << "\n";
    auto get = ep.ask("kv.GetValue", codec::format::json, R"({"key":"answer"})", 1s);
    std::cout << "GetValue -> " << std::move(get).get().value() << "\n";

    // A dynamic value in, a value out.
    troupe::value query = troupe::value::map{{"key", "missing"}};
    std::cout << "GetValue(missing) -> " << ep.ask("kv.GetValue", query, 1s).get().value() << "\n";

    // Every mistake is an error value that says what was wrong.
    auto wrong = ep.ask("kv.SetValue", codec::format::json, R"({"key":"a","value":"x"})", 1s);
    std::cout << "error: " << std::move(wrong).get().error().message() << "\n";
    auto unknown = ep.ask("kv.Delete", codec::format::json, "{}", 1s);
    std::cout << "error: " << std::move(unknown).get().error().message() << "\n";
}

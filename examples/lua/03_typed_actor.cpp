// 03_typed_actor: a Lua actor asks a typed C++ actor. The C++ messages are described once
// (TROUPE_MESSAGE) and the actor is exposed through the codec registry; the script names
// the message type and sends a table, which the codec checks field by field.
#include <chrono>
#include <cstdint>
#include <iostream>
#include <map>
#include <optional>
#include <string>

#include <troupe/codec/registry.hpp>
#include <troupe/lua/script_actor.hpp>
#include <troupe/troupe.hpp>

namespace kv {

struct SetValue {
    std::string key;
    std::int64_t value = 0;
};
TROUPE_MESSAGE(SetValue, "kv.SetValue", key, value)

struct GetValue {
    std::string key;
};
TROUPE_MESSAGE(GetValue, "kv.GetValue", key)

struct store : troupe::actor<store, SetValue, GetValue> {
    void handle(const SetValue& m) { entries_[m.key] = m.value; }
    std::optional<std::int64_t> handle(const GetValue& m) const {
        auto it = entries_.find(m.key);
        return it == entries_.end() ? std::nullopt : std::optional{it->second};
    }

private:
    std::map<std::string, std::int64_t> entries_;
};

}  // namespace kv

namespace lua = troupe::lua;
using namespace std::chrono_literals;

int main() {
    troupe::node node;
    troupe::codec::registry registry;  // outlives the actors that use it
    auto store = node.spawn<kv::store>().value();
    (void)registry.expose(store).value();  // the registry now knows store's address

    // Counts words in the typed store: ctx.send(to, "Type", table) is converted by the
    // codec, and so is the reply (an empty optional is nil).
    lua::script counter = lua::builder{}
                              .on_handle(R"(
                                  local word = ctx.msg
                                  local n = ctx.send("store", "kv.GetValue", {key = word}) or 0
                                  ctx.send("store", "kv.SetValue", {key = word, value = n + 1})
                                  return n + 1
                              )")
                              .add_recipient("store", store.addr())
                              .registry(registry)
                              .build()
                              .value();
    auto words = node.spawn<lua::script_actor>(counter).value();
    for (const char* w : {"tea", "milk", "tea"})
        std::cout << w << " seen " << words.ask(troupe::value{w}, 1s).get().value() << "x\n";

    // A field of the wrong type is a Lua error the script can catch with pcall.
    lua::script careless = lua::builder{}
                               .on_handle(R"(
                                   local ok, err = pcall(function()
                                       return ctx.send("store", "kv.SetValue",
                                                       {key = "tea", value = "lots"})
                                   end)
                                   return err
                               )")
                               .add_recipient("store", store.addr())
                               .registry(registry)
                               .build()
                               .value();
    auto c = node.spawn<lua::script_actor>(careless).value();
    std::cout << "pcall caught: " << c.ask(troupe::value{}, 1s).get().value().as_string() << "\n";
}

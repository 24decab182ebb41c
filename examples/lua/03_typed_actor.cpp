// 03_typed_actor: a Lua actor asks a typed C++ actor. The C++ messages are described once
// (TROUPE_MESSAGE) and the actor is exposed through the codec registry; the script names
// the message type and sends a table, which the codec checks field by field.
#include <chrono>
#include <iostream>
#include <string>

#include <troupe/codec/registry.hpp>
#include <troupe/lua/script_actor.hpp>
#include <troupe/troupe.hpp>

#include "../codec/kv_store.hpp"  // kv::store and its messages, shared with the codec examples

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

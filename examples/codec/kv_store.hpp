#pragma once
// The typed key-value store the codec and Lua examples share: two described messages and an
// actor that handles them.
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include <troupe/codec/describe.hpp>
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

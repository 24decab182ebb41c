#pragma once
// "my-service": the key-value actor other processes call over IPC, with the message names
// acton-reactive's IPC example uses (SetValue, GetValue), so its clients work unchanged.
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include <troupe/codec/describe.hpp>
#include <troupe/troupe.hpp>

namespace my_service {

struct SetValue {
    std::string key;
    std::int64_t value = 0;
};
TROUPE_MESSAGE(SetValue, "SetValue", key, value)

struct GetValue {
    std::string key;
};
TROUPE_MESSAGE(GetValue, "GetValue", key)

// Broadcast to subscribers whenever a value changes.
struct ValueChanged {
    std::string key;
    std::int64_t value = 0;
};
TROUPE_MESSAGE(ValueChanged, "ValueChanged", key, value)

class store : public troupe::actor<store, SetValue, GetValue> {
public:
    using on_change = std::function<void(const ValueChanged&)>;
    explicit store(on_change notify = {}) : notify_(std::move(notify)) {}

    void handle(const SetValue& m) {
        entries_[m.key] = m.value;
        if (notify_) notify_(ValueChanged{m.key, m.value});
    }
    std::optional<std::int64_t> handle(const GetValue& m) const {
        auto it = entries_.find(m.key);
        return it == entries_.end() ? std::nullopt : std::optional{it->second};
    }

private:
    on_change notify_;
    std::map<std::string, std::int64_t> entries_;
};

}  // namespace my_service

#pragma once
// The wire formats, and encode/decode that pick one at run time (an IPC frame says which
// format its payload uses).

#include <cstdint>
#include <string>
#include <string_view>

#include <troupe/codec/json.hpp>
#include <troupe/codec/msgpack.hpp>

namespace troupe::codec {

enum class format : std::uint8_t { json, msgpack };

constexpr std::string_view to_string(format f) noexcept {
    return f == format::json ? "json" : "msgpack";
}

template <class T>
result<T> decode(format f, std::string_view in, const options& opts = {}) {
    return f == format::json ? json::decode<T>(in, opts) : msgpack::decode<T>(in, opts);
}

template <class T>
result<std::string> encode(format f, const T& v, const options& opts = {}) {
    return f == format::json ? json::encode(v, opts) : msgpack::encode(v, opts);
}

}  // namespace troupe::codec

#pragma once
// Base64 (RFC 4648, standard alphabet, with padding): how JSON carries bytes fields.

#include <span>
#include <string>
#include <string_view>

#include <troupe/codec/value.hpp>

namespace troupe::codec::detail {

/// The length of the base64 text of n bytes.
constexpr std::size_t base64_size(std::size_t n) noexcept {
    return (n + 2) / 3 * 4;
}
/// Writes base64_size(in.size()) characters at `out`.
void base64_encode(std::span<const std::byte> in, char* out);
/// Appends the base64 text of `in` to `out`.
inline void base64_encode(std::span<const std::byte> in, std::string& out) {
    std::size_t at = out.size();
    out.resize(at + base64_size(in.size()));
    base64_encode(in, out.data() + at);
}
/// False for anything but canonical padded base64 (out is then unspecified).
bool base64_decode(std::string_view in, troupe::bytes& out);

}  // namespace troupe::codec::detail

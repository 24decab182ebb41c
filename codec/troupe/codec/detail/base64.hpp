#pragma once
// Base64 (RFC 4648, standard alphabet, with padding): how JSON carries bytes fields.

#include <span>
#include <string>
#include <string_view>

#include <troupe/codec/value.hpp>

namespace troupe::codec::detail {

void base64_encode(std::span<const std::byte> in, std::string& out);
/// False for anything but canonical padded base64 (out is then unspecified).
bool base64_decode(std::string_view in, troupe::bytes& out);

}  // namespace troupe::codec::detail

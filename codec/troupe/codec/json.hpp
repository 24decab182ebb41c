#pragma once
// JSON: for IPC clients and tools. Parsing is simdjson's (strict RFC 8259, UTF-8 checked,
// numbers read exactly, no comments, no trailing commas); writing goes straight from the
// description to text.
//
//   std::string text = codec::json::encode(SetValue{"answer", 42}).value();
//   // {"key":"answer","value":42}
//   result<SetValue> m = codec::json::decode<SetValue>(text);
//   result<value> v = codec::json::decode(text);        // untyped
//
// Exact round trips: integers are int64 (a larger integer is an error, not a rounded
// double), doubles are written so that they read back as doubles ("1.0"), and NaN or
// infinity is an error when encoding, never a silent null. Bytes are base64 strings;
// enums are their enumerator's name; addresses are "<fff8:1>".

#include <string>
#include <string_view>

#include <troupe/codec/describe.hpp>
#include <troupe/codec/detail/decode.hpp>
#include <troupe/codec/detail/encode.hpp>
#include <troupe/codec/detail/json_io.hpp>
#include <troupe/codec/options.hpp>
#include <troupe/codec/value.hpp>
#include <troupe/error.hpp>

namespace troupe::codec::json {

/// Parses any JSON text into a value.
result<value> decode(std::string_view text, const options& opts = {});
/// Writes a value as JSON text (compact).
result<std::string> encode(const value& v, const options& opts = {});

/// Parses JSON text into a described type.
template <class T>
result<T> decode(std::string_view text, const options& opts = {}) {
    detail::json_document doc;
    if (auto parsed = doc.parse(text, opts, detail::root_name_v<T>); !parsed) return parsed.error();
    detail::json_reader r{doc.root()};
    return detail::decode_whole<T>(r, opts);
}

/// Appends the JSON text of a described type (or a value) to `out`, for framing without a
/// copy. On failure `out` is left as it was.
template <class T>
result<void> encode_to(std::string& out, const T& v, const options& opts = {}) {
    return detail::encode_to<detail::json_writer>(out, v, opts);
}

/// The JSON text of a described type.
template <class T>
result<std::string> encode(const T& v, const options& opts = {}) {
    return detail::encode_to_string<detail::json_writer>(v, opts);
}

}  // namespace troupe::codec::json

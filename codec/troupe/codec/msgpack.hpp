#pragma once
// MessagePack: compact binary frames for the cluster and IPC clients that prefer it.
//
//   std::string frame = codec::msgpack::encode(SetValue{"answer", 42}).value();
//   result<SetValue> m = codec::msgpack::decode<SetValue>(frame);
//   result<value> v = codec::msgpack::decode(frame);    // untyped
//
// Described types are maps from field name to value. Integers use the smallest encoding
// and decode as int64 (an unsigned above INT64_MAX is an error); doubles are float 64
// (float 32 input is accepted); strings are str, bytes are bin; map keys must be strings;
// ext values are refused. Input is checked in full before decoding (see msgpack_io.hpp).

#include <span>
#include <string>
#include <string_view>

#include <troupe/codec/describe.hpp>
#include <troupe/codec/detail/decode.hpp>
#include <troupe/codec/detail/encode.hpp>
#include <troupe/codec/detail/msgpack_io.hpp>
#include <troupe/codec/options.hpp>
#include <troupe/codec/value.hpp>
#include <troupe/error.hpp>

namespace troupe::codec::msgpack {

/// Decodes one MessagePack value (the whole input) into a value.
result<value> decode(std::string_view in, const options& opts = {});
/// Encodes a value.
result<std::string> encode(const value& v, const options& opts = {});

/// Decodes one MessagePack value (the whole input) into a described type.
template <class T>
result<T> decode(std::string_view in, const options& opts = {}) {
    std::span<const std::byte> bytes{reinterpret_cast<const std::byte*>(in.data()), in.size()};
    if (auto ok = detail::validate_msgpack(bytes, opts, detail::root_name_v<T>); !ok)
        return ok.error();
    detail::msgpack_reader r{bytes};
    return detail::decode_whole<T>(r, opts);
}

/// Appends the MessagePack encoding of a described type (or a value) to `out`. On failure
/// `out` is left as it was.
template <class T>
result<void> encode_to(std::string& out, const T& v, const options& opts = {}) {
    return detail::encode_to<detail::msgpack_writer>(out, v, opts);
}

/// The MessagePack encoding of a described type.
template <class T>
result<std::string> encode(const T& v, const options& opts = {}) {
    return detail::encode_to_string<detail::msgpack_writer>(v, opts);
}

}  // namespace troupe::codec::msgpack

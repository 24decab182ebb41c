#pragma once
// troupe::value <-> described types, so that Lua scripts and JSON clients can talk to typed
// actors:
//
//   value v = codec::to_value(SetValue{"answer", 42}).value();
//   // {"key": "answer", "value": 42}
//   result<SetValue> m = codec::from_value<SetValue>(v);
//   // errors name the path: "SetValue.value: expected int64, got string"
//
// In a value, bytes fields take bytes or a string (a Lua string is bytes); enums are their
// enumerator's name and addresses their text ("<fff8:1>").

#include <troupe/codec/describe.hpp>
#include <troupe/codec/detail/decode.hpp>
#include <troupe/codec/detail/encode.hpp>
#include <troupe/codec/detail/value_io.hpp>
#include <troupe/codec/options.hpp>
#include <troupe/codec/value.hpp>
#include <troupe/error.hpp>

namespace troupe::codec {

/// The value of a described type (or of any field type). Fails only for what no value
/// holds: an unsigned above INT64_MAX, an enum without a name, nesting past max_depth.
template <class T>
result<value> to_value(const T& v, const options& opts = {}) {
    detail::context c{opts};
    detail::value_writer w;
    if (!detail::encode(c, w, v)) return c.to_error(detail::root_name<T>());
    return w.take();
}

/// The typed message a value describes, or an error naming the field path and problem.
template <class T>
result<T> from_value(const value& v, const options& opts = {}) {
    detail::context c{opts};
    detail::value_reader r{v};
    T out{};
    if (!detail::decode(c, r, out)) return c.to_error(detail::root_name<T>());
    return out;
}

}  // namespace troupe::codec

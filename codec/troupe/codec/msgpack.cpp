#include <troupe/codec/msgpack.hpp>

namespace troupe::codec::msgpack {

result<value> decode(std::string_view in, const options& opts) {
    std::span<const std::byte> bytes{reinterpret_cast<const std::byte*>(in.data()), in.size()};
    if (auto ok = detail::validate_msgpack(bytes, opts, "value"); !ok) return ok.error();
    detail::context c{opts};
    detail::msgpack_reader r{bytes};
    value out;
    if (!detail::decode(c, r, out)) return c.to_error("value");
    return out;
}

result<std::string> encode(const value& v, const options& opts) {
    std::string out;
    // encode_to's writer trims `out` to what it wrote when it goes out of scope.
    if (auto r = encode_to(out, v, opts); !r) return r.error();
    return out;
}

}  // namespace troupe::codec::msgpack

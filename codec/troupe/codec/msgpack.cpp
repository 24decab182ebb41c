#include <troupe/codec/msgpack.hpp>

namespace troupe::codec::msgpack {

result<value> decode(std::string_view in, const options& opts) {
    return decode<value>(in, opts);
}

result<std::string> encode(const value& v, const options& opts) {
    return encode<value>(v, opts);
}

}  // namespace troupe::codec::msgpack

#include <array>
#include <cstdint>

#include <troupe/codec/detail/base64.hpp>

namespace troupe::codec::detail {

namespace {

constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr std::array<std::int8_t, 256> make_reverse() {
    std::array<std::int8_t, 256> r{};
    for (auto& x : r) x = -1;
    for (int i = 0; i < 64; ++i)
        r[static_cast<unsigned char>(alphabet[i])] = static_cast<std::int8_t>(i);
    return r;
}
constexpr auto reverse = make_reverse();

}  // namespace

void base64_encode(std::span<const std::byte> in, char* out) {
    std::size_t i = 0;
    auto at = [&](std::size_t k) { return std::to_integer<std::uint32_t>(in[k]); };
    for (; i + 3 <= in.size(); i += 3) {
        std::uint32_t n = at(i) << 16 | at(i + 1) << 8 | at(i + 2);
        *out++ = alphabet[n >> 18];
        *out++ = alphabet[(n >> 12) & 63];
        *out++ = alphabet[(n >> 6) & 63];
        *out++ = alphabet[n & 63];
    }
    std::size_t rest = in.size() - i;
    if (rest == 1) {
        std::uint32_t n = at(i) << 16;
        *out++ = alphabet[n >> 18];
        *out++ = alphabet[(n >> 12) & 63];
        *out++ = '=';
        *out++ = '=';
    } else if (rest == 2) {
        std::uint32_t n = at(i) << 16 | at(i + 1) << 8;
        *out++ = alphabet[n >> 18];
        *out++ = alphabet[(n >> 12) & 63];
        *out++ = alphabet[(n >> 6) & 63];
        *out++ = '=';
    }
}

bool base64_decode(std::string_view in, troupe::bytes& out) {
    out.clear();
    if (in.size() % 4 != 0) return false;
    out.reserve(in.size() / 4 * 3);
    for (std::size_t i = 0; i < in.size(); i += 4) {
        bool last = i + 4 == in.size();
        int pad = 0;
        if (last && in[i + 3] == '=') pad = in[i + 2] == '=' ? 2 : 1;
        std::uint32_t n = 0;
        for (int k = 0; k < 4 - pad; ++k) {
            std::int8_t d = reverse[static_cast<unsigned char>(in[i + k])];
            if (d < 0) return false;
            n = n << 6 | static_cast<std::uint32_t>(d);
        }
        n <<= 6 * pad;
        // Canonical form: the bits the padding hides must be zero.
        if ((pad == 1 && (n & 0xff)) || (pad == 2 && (n & 0xffff))) return false;
        out.push_back(static_cast<std::byte>(n >> 16));
        if (pad < 2) out.push_back(static_cast<std::byte>((n >> 8) & 0xff));
        if (pad < 1) out.push_back(static_cast<std::byte>(n & 0xff));
    }
    return true;
}

}  // namespace troupe::codec::detail

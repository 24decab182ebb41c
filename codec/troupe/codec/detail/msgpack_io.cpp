#include <array>
#include <limits>

#include <boost/container/small_vector.hpp>

#include <troupe/codec/detail/msgpack_io.hpp>

namespace troupe::codec::detail {

namespace {

// What a MessagePack type byte announces.
struct shape {
    enum kind_t : std::uint8_t { scalar, sized, container, reserved } kind;
    std::uint8_t fixed;       // scalar: payload bytes after the type byte
    std::uint8_t len_bytes;   // sized, container: bytes of the length/count field
    std::uint32_t fix_count;  // fixstr length, fixarray/fixmap count
    bool ext = false;         // sized: one extra type byte after the length
    bool map = false;         // container: counts pairs
};

constexpr shape shape_of(unsigned char b) {
    if (b <= 0x7f || b >= 0xe0) return {shape::scalar, 0, 0, 0};
    if (b <= 0x8f) return {shape::container, 0, 0, b & 0x0fu, false, true};
    if (b <= 0x9f) return {shape::container, 0, 0, b & 0x0fu};
    if (b <= 0xbf) return {shape::sized, 0, 0, b & 0x1fu};
    switch (b) {
        case 0xc0:
        case 0xc2:
        case 0xc3:
            return {shape::scalar, 0, 0, 0};
        case 0xc4:
        case 0xd9:
            return {shape::sized, 0, 1, 0};
        case 0xc5:
        case 0xda:
            return {shape::sized, 0, 2, 0};
        case 0xc6:
        case 0xdb:
            return {shape::sized, 0, 4, 0};
        case 0xc7:
            return {shape::sized, 0, 1, 0, true};
        case 0xc8:
            return {shape::sized, 0, 2, 0, true};
        case 0xc9:
            return {shape::sized, 0, 4, 0, true};
        case 0xca:
            return {shape::scalar, 4, 0, 0};
        case 0xcb:
            return {shape::scalar, 8, 0, 0};
        case 0xcc:
        case 0xd0:
            return {shape::scalar, 1, 0, 0};
        case 0xcd:
        case 0xd1:
            return {shape::scalar, 2, 0, 0};
        case 0xce:
        case 0xd2:
            return {shape::scalar, 4, 0, 0};
        case 0xcf:
        case 0xd3:
            return {shape::scalar, 8, 0, 0};
        case 0xd4:
            return {shape::scalar, 2, 0, 0};  // fixext: a type byte and 1..16 data bytes
        case 0xd5:
            return {shape::scalar, 3, 0, 0};
        case 0xd6:
            return {shape::scalar, 5, 0, 0};
        case 0xd7:
            return {shape::scalar, 9, 0, 0};
        case 0xd8:
            return {shape::scalar, 17, 0, 0};
        case 0xdc:
            return {shape::container, 0, 2, 0};
        case 0xdd:
            return {shape::container, 0, 4, 0};
        case 0xde:
            return {shape::container, 0, 2, 0, false, true};
        case 0xdf:
            return {shape::container, 0, 4, 0, false, true};
        default:
            return {shape::reserved, 0, 0, 0};  // 0xc1
    }
}

// shape_of() of every byte, computed at compile time: an entry is read with one load. (Called
// at run time, shape_of built its result a byte at a time on the stack and read it back
// whole, a store-forwarding stall that took half of a decode's time.)
constexpr auto shapes = [] {
    std::array<shape, 256> table{};
    for (unsigned b = 0; b < 256; ++b) table[b] = shape_of(static_cast<unsigned char>(b));
    return table;
}();

std::uint32_t load_be(const unsigned char* p, unsigned bytes) {
    std::uint32_t v = 0;
    for (unsigned i = 0; i < bytes; ++i) v = v << 8 | p[i];
    return v;
}

}  // namespace

result<void> validate_msgpack(std::span<const std::byte> in, const options& opts,
                              std::string_view what) {
    auto fail = [&](std::size_t at, const std::string& problem) -> result<void> {
        return bad_message(std::string{what} + ": malformed MessagePack at byte " +
                           std::to_string(at) + ": " + problem);
    };
    if (in.size() > opts.max_size) {
        return bad_message(std::string{what} + ": the MessagePack input is " +
                           std::to_string(in.size()) + " bytes, over the limit of " +
                           std::to_string(opts.max_size) + " (options::max_size)");
    }
    const auto* data = reinterpret_cast<const unsigned char*>(in.data());
    const std::size_t n = in.size();
    std::size_t pos = 0;
    // Items still to read in each open container; on the stack up to 16 levels.
    boost::container::small_vector<std::uint64_t, 16> open;
    bool root_read = false;
    for (;;) {
        while (!open.empty() && open.back() == 0) open.pop_back();
        if (open.empty()) {
            if (root_read) break;
            root_read = true;
        } else {
            --open.back();
        }
        if (pos >= n) return fail(pos, "the input ends where a value should start");
        std::size_t at = pos;
        const shape& s = shapes[data[pos++]];
        std::size_t left = n - pos;
        switch (s.kind) {
            case shape::reserved:
                return fail(at, "0xc1 is not a MessagePack type");
            case shape::scalar:
                if (s.fixed > left) return fail(at, "the input ends inside a value");
                pos += s.fixed;
                break;
            case shape::sized: {
                std::size_t header = s.len_bytes + (s.ext ? 1u : 0u);
                if (header > left) return fail(at, "the input ends inside a length");
                std::uint64_t len = s.len_bytes ? load_be(data + pos, s.len_bytes) : s.fix_count;
                pos += header;
                if (len > n - pos) {
                    return fail(at, "a length of " + std::to_string(len) + " with only " +
                                        std::to_string(n - pos) + " bytes left");
                }
                pos += len;
                break;
            }
            case shape::container: {
                if (s.len_bytes > left) return fail(at, "the input ends inside a count");
                std::uint64_t count = s.len_bytes ? load_be(data + pos, s.len_bytes) : s.fix_count;
                pos += s.len_bytes;
                std::uint64_t items = s.map ? 2 * count : count;
                // Every item takes at least one byte: a larger count cannot be honest.
                if (items > n - pos) {
                    return fail(at, "a count of " + std::to_string(count) + " with only " +
                                        std::to_string(n - pos) + " bytes left");
                }
                if (open.size() + 1 > opts.max_depth) {
                    return fail(at, "nesting deeper than " + std::to_string(opts.max_depth) +
                                        " levels (options::max_depth)");
                }
                open.push_back(items);
                break;
            }
        }
    }
    if (pos != n) {
        return fail(pos, std::to_string(n - pos) + " bytes after the end of the value");
    }
    return {};
}

// --- reader ----------------------------------------------------------------------------

node_kind msgpack_reader::kind() const noexcept {
    unsigned char b = *p_;
    if (b <= 0x7f || b >= 0xe0) return node_kind::int64;
    if (b <= 0x8f) return node_kind::map;
    if (b <= 0x9f) return node_kind::array;
    if (b <= 0xbf) return node_kind::string;
    switch (b) {
        case 0xc0:
            return node_kind::nil;
        case 0xc2:
        case 0xc3:
            return node_kind::boolean;
        case 0xc4:
        case 0xc5:
        case 0xc6:
            return node_kind::bytes;
        case 0xca:
        case 0xcb:
            return node_kind::float64;
        case 0xcc:
        case 0xcd:
        case 0xce:
        case 0xd0:
        case 0xd1:
        case 0xd2:
        case 0xd3:
            return node_kind::int64;
        case 0xcf:
            return p_[1] & 0x80 ? node_kind::uint64 : node_kind::int64;
        case 0xd9:
        case 0xda:
        case 0xdb:
            return node_kind::string;
        case 0xdc:
        case 0xdd:
            return node_kind::array;
        case 0xde:
        case 0xdf:
            return node_kind::map;
        default:
            return node_kind::other;  // ext types
    }
}

std::string msgpack_reader::got() const {
    switch (kind()) {
        case node_kind::uint64: {
            msgpack_reader copy = *this;
            return std::to_string(copy.get_uint64()) + " (above the int64 range)";
        }
        case node_kind::other:
            return "a MessagePack ext value";
        default:
            return std::string{to_string(kind())};
    }
}

std::int64_t msgpack_reader::get_int64() noexcept {
    unsigned char b = *p_;
    if (b <= 0x7f) return ++p_, b;
    if (b >= 0xe0) return ++p_, static_cast<std::int8_t>(b);
    ++p_;
    switch (b) {
        case 0xcc:
            return load<std::uint8_t>();
        case 0xcd:
            return load<std::uint16_t>();
        case 0xce:
            return load<std::uint32_t>();
        case 0xcf:
            return static_cast<std::int64_t>(load<std::uint64_t>());
        case 0xd0:
            return static_cast<std::int8_t>(load<std::uint8_t>());
        case 0xd1:
            return static_cast<std::int16_t>(load<std::uint16_t>());
        case 0xd2:
            return static_cast<std::int32_t>(load<std::uint32_t>());
        default:
            return static_cast<std::int64_t>(load<std::uint64_t>());
    }
}

double msgpack_reader::get_double() noexcept {
    if (*p_++ == 0xca) {
        std::uint32_t bits = load<std::uint32_t>();
        float f;
        std::memcpy(&f, &bits, sizeof f);
        return f;
    }
    std::uint64_t bits = load<std::uint64_t>();
    double d;
    std::memcpy(&d, &bits, sizeof d);
    return d;
}

std::uint32_t msgpack_reader::string_header() noexcept {
    unsigned char b = *p_++;
    if (b <= 0xbf) return b & 0x1fu;
    if (b == 0xd9) return load<std::uint8_t>();
    if (b == 0xda) return load<std::uint16_t>();
    return load<std::uint32_t>();
}

std::uint32_t msgpack_reader::bytes_header() noexcept {
    unsigned char b = *p_++;
    if (b == 0xc4) return load<std::uint8_t>();
    if (b == 0xc5) return load<std::uint16_t>();
    return load<std::uint32_t>();
}

std::uint32_t msgpack_reader::container_header() noexcept {
    unsigned char b = *p_++;
    if (b <= 0x9f) return b & 0x0fu;
    if (b == 0xdc || b == 0xde) return load<std::uint16_t>();
    return load<std::uint32_t>();
}

std::size_t msgpack_reader::size() const noexcept {
    msgpack_reader copy = *this;
    return copy.container_header();
}

void msgpack_reader::skip() noexcept {
    // Validated input: every length is in bounds, so skipping needs no checks.
    std::uint64_t items = 1;
    while (items > 0) {
        --items;
        const shape& s = shapes[*p_++];
        switch (s.kind) {
            case shape::scalar:
                p_ += s.fixed;
                break;
            case shape::sized: {
                std::uint64_t len = s.len_bytes ? load_be(p_, s.len_bytes) : s.fix_count;
                p_ += s.len_bytes + (s.ext ? 1u : 0u) + len;
                break;
            }
            case shape::container: {
                std::uint64_t count = s.len_bytes ? load_be(p_, s.len_bytes) : s.fix_count;
                p_ += s.len_bytes;
                items += s.map ? 2 * count : count;
                break;
            }
            case shape::reserved:
                return;
        }
    }
}

// --- writer ----------------------------------------------------------------------------

bool msgpack_writer::int64(context&, std::int64_t i) {
    if (i >= 0) {
        auto u = static_cast<std::uint64_t>(i);
        if (u <= 0x7f) {
            put(static_cast<unsigned>(u));
        } else if (u <= 0xff) {
            put(0xcc);
            put(static_cast<unsigned>(u));
        } else if (u <= 0xffff) {
            put(0xcd);
            store(static_cast<std::uint16_t>(u));
        } else if (u <= 0xffffffff) {
            put(0xce);
            store(static_cast<std::uint32_t>(u));
        } else {
            put(0xcf);
            store(u);
        }
    } else if (i >= -32) {
        put(static_cast<unsigned>(static_cast<std::uint8_t>(i)));
    } else if (i >= std::numeric_limits<std::int8_t>::min()) {
        put(0xd0);
        put(static_cast<unsigned>(static_cast<std::uint8_t>(i)));
    } else if (i >= std::numeric_limits<std::int16_t>::min()) {
        put(0xd1);
        store(static_cast<std::uint16_t>(i));
    } else if (i >= std::numeric_limits<std::int32_t>::min()) {
        put(0xd2);
        store(static_cast<std::uint32_t>(i));
    } else {
        put(0xd3);
        store(static_cast<std::uint64_t>(i));
    }
    return true;
}

bool msgpack_writer::header(context& c, std::size_t n, unsigned fix_base, std::size_t fix_max,
                            unsigned code8, unsigned code16, const char* what) {
    if (fix_max > 0 && n <= fix_max) {
        put(fix_base | static_cast<unsigned>(n));
    } else if (code8 != 0 && n <= 0xff) {
        put(code8);
        put(static_cast<unsigned>(n));
    } else if (n <= 0xffff) {
        put(code16);
        store(static_cast<std::uint16_t>(n));
    } else if (n <= 0xffffffff) {
        put(code16 + 1);
        store(static_cast<std::uint32_t>(n));
    } else {
        return c.fail(std::string{what} + " of " + std::to_string(n) +
                      " items is over MessagePack's limit of 2^32 - 1");
    }
    return true;
}

}  // namespace troupe::codec::detail

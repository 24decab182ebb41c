#pragma once
// The reader and writer that connect the one decoder and encoder to MessagePack.
//
// Reading happens in two passes. validate_msgpack() walks the input once, iteratively,
// checking every length against the bytes left, the nesting against options::max_depth and
// that exactly one value fills the input. Only then does msgpack_reader decode, straight
// into the target type (no DOM), trusting what the first pass proved.

#include <bit>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>

#include <troupe/codec/detail/context.hpp>
#include <troupe/codec/detail/out_buffer.hpp>
#include <troupe/error.hpp>

namespace troupe::codec::detail {

/// MessagePack is big-endian; this machine is not (x86-64, little-endian). Swapping is its
/// own inverse, so this reads and writes alike.
template <class T>
constexpr T swap_to_big_endian(T v) noexcept {
    static_assert(std::endian::native == std::endian::little);
    if constexpr (sizeof(T) == 2)
        return static_cast<T>(__builtin_bswap16(v));
    else if constexpr (sizeof(T) == 4)
        return static_cast<T>(__builtin_bswap32(v));
    else if constexpr (sizeof(T) == 8)
        return static_cast<T>(__builtin_bswap64(v));
    else
        return v;
}

/// Checks that `in` holds exactly one well-formed MessagePack value within the options'
/// limits; the error names `what` ("SetValue") and the byte offset.
result<void> validate_msgpack(std::span<const std::byte> in, const options& opts,
                              std::string_view what);

/// A cursor over validated MessagePack bytes. The decoder passes the same reader down to
/// nested values; each get_*, each_* and skip() consumes one value.
class msgpack_reader {
public:
    static constexpr bool base64_bytes = false;

    explicit msgpack_reader(std::span<const std::byte> validated) noexcept
        : p_(reinterpret_cast<const unsigned char*>(validated.data())) {}

    node_kind kind() const noexcept;
    std::string got() const;

    bool get_bool() noexcept { return *p_++ == 0xc3; }
    std::int64_t get_int64() noexcept;
    std::uint64_t get_uint64() noexcept {
        ++p_;
        return load<std::uint64_t>();
    }
    double get_double() noexcept;
    std::string_view get_string() noexcept {
        std::uint32_t n = string_header();
        std::string_view s{reinterpret_cast<const char*>(p_), n};
        p_ += n;
        return s;
    }
    std::span<const std::byte> get_bytes() noexcept {
        std::uint32_t n = bytes_header();
        std::span<const std::byte> b{reinterpret_cast<const std::byte*>(p_), n};
        p_ += n;
        return b;
    }
    /// The element count of the array or the entry count of the map at the cursor.
    std::size_t size() const noexcept;
    void skip() noexcept;

    template <class F>
    bool each_element(F&& f) {
        std::size_t n = container_header();
        for (std::size_t i = 0; i < n; ++i)
            if (!f(*this, i)) return false;
        return true;
    }
    template <class F>
    bool each_entry(context& c, F&& f) {
        std::size_t n = container_header();
        for (std::size_t i = 0; i < n; ++i) {
            if (kind() != node_kind::string) return c.expected("a string map key", got());
            std::string_view key = get_string();
            if (!f(key, *this)) return false;
        }
        return true;
    }

private:
    template <class T>
    T load() noexcept {
        T v;
        std::memcpy(&v, p_, sizeof v);
        p_ += sizeof v;
        return swap_to_big_endian(v);
    }
    std::uint32_t string_header() noexcept;
    std::uint32_t bytes_header() noexcept;
    std::uint32_t container_header() noexcept;

    const unsigned char* p_;
};

class msgpack_writer {
public:
    explicit msgpack_writer(std::string& out) noexcept : out_(out) {}

    bool nil(context&) {
        put(0xc0);
        return true;
    }
    bool boolean(context&, bool b) {
        put(b ? 0xc3 : 0xc2);
        return true;
    }
    bool int64(context&, std::int64_t i);
    bool float64(context&, double d) {
        put(0xcb);
        std::uint64_t bits;
        std::memcpy(&bits, &d, sizeof bits);
        store(bits);
        return true;
    }
    bool string(context& c, std::string_view s) {
        if (!header(c, s.size(), 0xa0, 31, 0xd9, 0xda, "a string")) return false;
        out_.append(s);
        return true;
    }
    /// A described field's name: short, so almost always a fixstr.
    bool field(context& c, std::string_view name) {
        if (name.size() <= 31) {
            char* p = out_.grab(name.size() + 1);
            *p = static_cast<char>(0xa0 | name.size());
            std::memcpy(p + 1, name.data(), name.size());
            return true;
        }
        return string(c, name);
    }
    bool bytes(context& c, std::span<const std::byte> b) {
        if (!header(c, b.size(), 0, 0, 0xc4, 0xc5, "a bytes value")) return false;
        out_.append(b.data(), b.size());
        return true;
    }
    bool begin_array(context& c, std::size_t n) {
        return header(c, n, 0x90, 15, 0, 0xdc, "an array");
    }
    bool end_array(context&) { return true; }
    bool begin_map(context& c, std::size_t n) { return header(c, n, 0x80, 15, 0, 0xde, "a map"); }
    bool key(context& c, std::string_view k) { return string(c, k); }
    bool end_map(context&) { return true; }

private:
    void put(unsigned b) { out_.put(static_cast<char>(b)); }
    template <class T>
    void store(T v) {
        v = swap_to_big_endian(v);
        std::memcpy(out_.grab(sizeof v), &v, sizeof v);
    }
    // A length header in its shortest form: fix (fix_base | n, if fix_max > 0), 8-bit
    // (code8, if not 0), 16-bit (code16) or 32-bit (code16 + 1).
    bool header(context& c, std::size_t n, unsigned fix_base, std::size_t fix_max, unsigned code8,
                unsigned code16, const char* what);

    out_buffer out_;
};

}  // namespace troupe::codec::detail

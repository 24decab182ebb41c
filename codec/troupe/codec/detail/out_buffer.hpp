#pragma once
// out_buffer: how the JSON and MessagePack writers append to the caller's std::string. It
// grows the string ahead (doubling) and writes through a pointer, then trims the string
// to what was written when it is destroyed. Appending byte by byte to the std::string
// itself (a capacity check, a size update and a terminator per byte) was a third of an
// encode.

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <string>
#include <string_view>

namespace troupe::codec::detail {

class out_buffer {
public:
    explicit out_buffer(std::string& out) noexcept : out_(out), used_(out.size()) {}
    ~out_buffer() { out_.resize(used_); }
    out_buffer(const out_buffer&) = delete;
    out_buffer& operator=(const out_buffer&) = delete;

    /// Room for n bytes, to be written at once; the bytes count as written.
    char* grab(std::size_t n) {
        if (out_.size() - used_ < n) grow(n);
        char* p = out_.data() + used_;
        used_ += n;
        return p;
    }
    void put(char c) { *grab(1) = c; }
    void append(const void* p, std::size_t n) {
        if (n != 0) std::memcpy(grab(n), p, n);
    }
    void append(std::string_view s) { append(s.data(), s.size()); }

private:
    void grow(std::size_t n) { out_.resize(std::max({out_.size() * 2, used_ + n + 64, min_size})); }
    static constexpr std::size_t min_size = 256;

    std::string& out_;
    std::size_t used_;
};

}  // namespace troupe::codec::detail

#pragma once
// Opaque 64-bit actor addresses and the subnets that nodes own.
//
// Printed like mm1: the top 16 bits in hex, a colon, then the low 48 bits in hex, between
// angle brackets: 0xfff8'0000'0000'0001 is "<fff8:1>". A subnet is an address prefix with a
// mask length: "<fff8:>/13" holds every address whose top 13 bits are those of 0xfff8.

#include <compare>
#include <cstdint>
#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

namespace troupe {

class address {
public:
    constexpr address() = default;
    constexpr explicit address(std::uint64_t bits) noexcept : bits_(bits) {}

    constexpr std::uint64_t bits() const noexcept { return bits_; }
    /// The null address (0) names no actor.
    constexpr bool is_null() const noexcept { return bits_ == 0; }
    constexpr explicit operator bool() const noexcept { return bits_ != 0; }

    /// "<fff8:1>"
    std::string to_string() const;
    /// Parses "<fff8:1>"; nullopt for anything else (no exceptions on untrusted input).
    static std::optional<address> parse(std::string_view text) noexcept;

    friend constexpr auto operator<=>(address, address) = default;
    friend std::ostream& operator<<(std::ostream& os, address a) { return os << a.to_string(); }

private:
    std::uint64_t bits_ = 0;
};

class subnet {
public:
    /// mask_bits in 1..63; bits of `prefix` below the mask are ignored.
    constexpr subnet(address prefix, unsigned mask_bits) noexcept
        : prefix_(prefix.bits() & mask_of(mask_bits)), mask_bits_(mask_bits) {}

    /// The default subnet of a node: <fff8:>/13.
    static constexpr subnet default_local() noexcept {
        return subnet{address{0xfff8'0000'0000'0000ULL}, 13};
    }

    constexpr address prefix() const noexcept { return address{prefix_}; }
    constexpr unsigned mask_bits() const noexcept { return mask_bits_; }
    constexpr bool contains(address a) const noexcept {
        return (a.bits() & mask_of(mask_bits_)) == prefix_;
    }
    /// How many addresses the subnet holds (2^(64 - mask)).
    constexpr std::uint64_t size() const noexcept { return ~mask_of(mask_bits_) + 1; }
    /// The n-th address of the subnet; n must be below size().
    constexpr address at(std::uint64_t n) const noexcept { return address{prefix_ | n}; }

    /// "<fff8:>/13"
    std::string to_string() const;
    static std::optional<subnet> parse(std::string_view text) noexcept;

    friend constexpr bool operator==(subnet, subnet) = default;

private:
    static constexpr std::uint64_t mask_of(unsigned bits) noexcept {
        return bits == 0 ? 0 : ~std::uint64_t{0} << (64 - bits);
    }
    std::uint64_t prefix_;
    unsigned mask_bits_;
};

}  // namespace troupe

template <>
struct std::hash<troupe::address> {
    std::size_t operator()(troupe::address a) const noexcept {
        return std::hash<std::uint64_t>{}(a.bits());
    }
};

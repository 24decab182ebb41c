#include <charconv>
#include <cstdio>

#include <troupe/address.hpp>

namespace troupe {
namespace {

constexpr std::uint64_t low_mask = 0x0000'ffff'ffff'ffffULL;

// Parses "<hhhh:llll" (without the closing bracket); empty low part allowed when allow_empty.
std::optional<std::uint64_t> parse_pair(std::string_view text, bool allow_empty_low) noexcept {
    if (text.size() < 3 || text.front() != '<') return std::nullopt;
    text.remove_prefix(1);
    auto colon = text.find(':');
    if (colon == std::string_view::npos || colon == 0 || colon > 4) return std::nullopt;
    std::uint64_t high = 0;
    auto hs = text.substr(0, colon);
    auto [hp, he] = std::from_chars(hs.data(), hs.data() + hs.size(), high, 16);
    if (he != std::errc{} || hp != hs.data() + hs.size()) return std::nullopt;
    auto ls = text.substr(colon + 1);
    std::uint64_t low = 0;
    if (ls.empty()) {
        if (!allow_empty_low) return std::nullopt;
    } else {
        if (ls.size() > 12) return std::nullopt;
        auto [lp, le] = std::from_chars(ls.data(), ls.data() + ls.size(), low, 16);
        if (le != std::errc{} || lp != ls.data() + ls.size()) return std::nullopt;
    }
    return (high << 48) | (low & low_mask);
}

}  // namespace

std::string address::to_string() const {
    char buf[32];
    int n =
        std::snprintf(buf, sizeof buf, "<%llx:%llx>", static_cast<unsigned long long>(bits_ >> 48),
                      static_cast<unsigned long long>(bits_ & low_mask));
    return std::string(buf, static_cast<std::size_t>(n));
}

std::optional<address> address::parse(std::string_view text) noexcept {
    if (text.size() < 4 || text.back() != '>') return std::nullopt;
    auto bits = parse_pair(text.substr(0, text.size() - 1), false);
    if (!bits) return std::nullopt;
    return address{*bits};
}

std::string subnet::to_string() const {
    char buf[40];
    auto low = prefix_ & low_mask;
    int n = low == 0 ? std::snprintf(buf, sizeof buf, "<%llx:>/%u",
                                     static_cast<unsigned long long>(prefix_ >> 48), mask_bits_)
                     : std::snprintf(buf, sizeof buf, "<%llx:%llx>/%u",
                                     static_cast<unsigned long long>(prefix_ >> 48),
                                     static_cast<unsigned long long>(low), mask_bits_);
    return std::string(buf, static_cast<std::size_t>(n));
}

std::optional<subnet> subnet::parse(std::string_view text) noexcept {
    auto close = text.find(">/");
    if (close == std::string_view::npos) return std::nullopt;
    auto bits = parse_pair(text.substr(0, close), true);
    if (!bits) return std::nullopt;
    auto ms = text.substr(close + 2);
    unsigned mask = 0;
    auto [p, e] = std::from_chars(ms.data(), ms.data() + ms.size(), mask, 10);
    if (e != std::errc{} || p != ms.data() + ms.size() || mask == 0 || mask > 63) {
        return std::nullopt;
    }
    subnet s{address{*bits}, mask};
    if (s.prefix().bits() != *bits) return std::nullopt;  // bits set below the mask
    return s;
}

}  // namespace troupe

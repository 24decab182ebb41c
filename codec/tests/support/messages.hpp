#pragma once
// Described types the codec tests share: one of every supported field type.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <troupe/address.hpp>
#include <troupe/codec/describe.hpp>
#include <troupe/codec/value.hpp>

namespace demo {

struct SetValue {
    std::string key;
    std::int64_t value = 0;
    friend bool operator==(const SetValue&, const SetValue&) = default;
};
TROUPE_MESSAGE(SetValue, "SetValue", key, value)

enum class color { red, green, blue };
BOOST_DESCRIBE_ENUM(color, red, green, blue)

struct point {
    double x = 0;
    double y = 0;
    friend bool operator==(const point&, const point&) = default;
};
BOOST_DESCRIBE_STRUCT(point, (), (x, y))

struct everything {
    bool flag = false;
    std::int8_t i8 = 0;
    std::uint8_t u8 = 0;
    std::int16_t i16 = 0;
    std::uint16_t u16 = 0;
    std::int32_t i32 = 0;
    std::uint32_t u32 = 0;
    std::int64_t i64 = 0;
    std::uint64_t u64 = 0;
    float f32 = 0;
    double f64 = 0;
    std::string text;
    troupe::bytes raw;
    std::vector<std::int32_t> numbers;
    std::vector<point> points;
    std::map<std::string, double> weights;
    std::unordered_map<std::string, std::vector<std::string>> tags;
    std::optional<std::string> nickname;
    std::optional<point> origin;
    color shade = color::red;
    std::vector<color> palette;
    point where;
    troupe::value extra;
    troupe::address owner;
    friend bool operator==(const everything&, const everything&) = default;
};
TROUPE_MESSAGE(everything, "demo.Everything", flag, i8, u8, i16, u16, i32, u32, i64, u64, f32, f64,
               text, raw, numbers, points, weights, tags, nickname, origin, shade, palette, where,
               extra, owner)

struct profile {
    std::string name;
    std::optional<std::string> nickname;
    std::optional<point> origin;
    friend bool operator==(const profile&, const profile&) = default;
};
TROUPE_MESSAGE(profile, "demo.Profile", name, nickname, origin)

struct empty {
    friend bool operator==(const empty&, const empty&) = default;
};
TROUPE_MESSAGE(empty, "demo.Empty")

}  // namespace demo

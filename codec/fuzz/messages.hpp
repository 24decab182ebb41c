#pragma once
// The described types fuzz_described decodes: every field kind a description may use, nested
// in every way (structs in vectors in maps, optionals of vectors, an inherited base, a
// recursive tree), so that one input reaches every branch of the generic decoder.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <troupe/address.hpp>
#include <troupe/codec/describe.hpp>
#include <troupe/codec/value.hpp>

namespace fuzz {

enum class mood { calm, curious, furious };
BOOST_DESCRIBE_ENUM(mood, calm, curious, furious)

// A narrow underlying type: decoding must never store an out-of-range enumerator.
enum class level : std::uint8_t { low = 1, mid = 7, high = 200 };
BOOST_DESCRIBE_ENUM(level, low, mid, high)

struct point {
    double x = 0;
    double y = 0;
    float z = 0;
};
BOOST_DESCRIBE_STRUCT(point, (), (x, y, z))

// Recursive: only options::max_depth bounds it.
struct tree {
    std::string label;
    std::optional<mood> feeling;
    std::vector<tree> children;
};
TROUPE_MESSAGE(tree, "fuzz.Tree", label, feeling, children)

struct header {
    std::uint32_t seq = 0;
    troupe::address from;
};
BOOST_DESCRIBE_STRUCT(header, (), (seq, from))

// Fields of a described base come first.
struct inner : header {
    std::int16_t id = 0;
    std::optional<point> at;
    std::vector<troupe::bytes> blobs;
    std::map<std::string, level> levels;
    troupe::value any;
};
BOOST_DESCRIBE_STRUCT(inner, (header), (id, at, blobs, levels, any))

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
    std::optional<std::vector<std::optional<std::int64_t>>> sparse;
    mood shade = mood::calm;
    std::vector<level> levels;
    inner nested;
    std::vector<inner> inners;
    std::map<std::string, inner> by_name;
    std::map<std::string, std::optional<troupe::value>> loose;
    troupe::value extra;
    troupe::address owner;
    std::vector<troupe::address> peers;
    tree root;
};
TROUPE_MESSAGE(everything, "fuzz.Everything", flag, i8, u8, i16, u16, i32, u32, i64, u64, f32, f64,
               text, raw, numbers, points, weights, tags, nickname, origin, sparse, shade, levels,
               nested, inners, by_name, loose, extra, owner, peers, root)

}  // namespace fuzz

#pragma once
// The state one encode or decode call carries: the options, the current depth, and on
// failure the problem and the path to it. The path is built while the failure unwinds
// (each level appends its own segment), so the success path pays nothing for it.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <troupe/codec/options.hpp>
#include <troupe/error.hpp>

namespace troupe::codec::detail {

/// What a reader found, as far as the codecs care.
enum class node_kind : std::uint8_t {
    nil,
    boolean,
    int64,
    uint64,  // an integer above INT64_MAX: out of range everywhere (values carry int64)
    float64,
    string,
    bytes,
    array,
    map,
    other,  // something no described type takes (a MessagePack ext, a JSON number too big)
};

std::string_view to_string(node_kind k) noexcept;

class context {
public:
    explicit context(const options& o) noexcept : opts(o) {}

    const options& opts;
    std::size_t depth = 0;

    /// Records the problem; always returns false so callers can `return c.fail(...)`.
    bool fail(std::string problem) {
        problem_ = std::move(problem);
        return false;
    }
    /// "expected int64, got string"
    bool expected(std::string_view what, std::string_view got);

    // Path segments, appended while a failure unwinds; all return false.
    bool in_field(std::string_view name);
    bool in_index(std::size_t i);
    bool in_key(std::string_view key);

    /// Enters one level of nesting; false (with the problem set) past options::max_depth.
    bool enter();
    void leave() noexcept { --depth; }

    /// "SetValue.items[2].name: expected int64, got string" as errc::bad_message.
    troupe::error to_error(std::string_view root) const;
    const std::string& problem() const noexcept { return problem_; }

private:
    std::string problem_;
    std::vector<std::string> path_;  // innermost first
};

/// Enters a nesting level for the scope of a container.
class depth_guard {
public:
    explicit depth_guard(context& c) : c_(c), ok_(c.enter()) {}
    ~depth_guard() {
        if (ok_) c_.leave();
    }
    depth_guard(const depth_guard&) = delete;
    depth_guard& operator=(const depth_guard&) = delete;
    explicit operator bool() const noexcept { return ok_; }

private:
    context& c_;
    bool ok_;
};

/// "\"purple\"": user text for an error message, cut at 64 characters, control and
/// non-ASCII bytes shown as '?'.
std::string quoted_for_error(std::string_view text);

/// An error that is not about a field: "SetValue: JSON syntax error at byte 3: ...".
troupe::error bad_message(std::string text);

}  // namespace troupe::codec::detail

#include <troupe/codec/detail/context.hpp>

namespace troupe::codec::detail {

std::string_view to_string(node_kind k) noexcept {
    switch (k) {
        case node_kind::nil:
            return "nil";
        case node_kind::boolean:
            return "bool";
        case node_kind::int64:
            return "int64";
        case node_kind::uint64:
            return "an integer above the int64 range";
        case node_kind::float64:
            return "double";
        case node_kind::string:
            return "string";
        case node_kind::bytes:
            return "bytes";
        case node_kind::array:
            return "array";
        case node_kind::map:
            return "map";
        case node_kind::other:
            return "an unsupported value";
    }
    return "unknown";
}

bool context::expected(std::string_view what, std::string_view got) {
    std::string p = "expected ";
    p += what;
    p += ", got ";
    p += got;
    return fail(std::move(p));
}

namespace {

// Input text fit for an error message: cut at 64 characters, control and non-ASCII bytes
// shown as '?'. Paths carry keys from the input (an unknown field, a map key), so they go
// through it too.
void append_for_error(std::string& out, std::string_view text) {
    constexpr std::size_t limit = 64;
    for (unsigned char ch : text.substr(0, limit))
        out += ch >= 0x20 && ch < 0x7f ? static_cast<char>(ch) : '?';
    if (text.size() > limit) out += "...";
}

}  // namespace

bool context::in_field(std::string_view name) {
    std::string s = ".";
    append_for_error(s, name);
    path_.push_back(std::move(s));
    return false;
}

bool context::in_index(std::size_t i) {
    std::string s = "[";
    s += std::to_string(i);
    s += ']';
    path_.push_back(std::move(s));
    return false;
}

bool context::in_key(std::string_view key) {
    std::string s = "[\"";
    append_for_error(s, key);
    s += "\"]";
    path_.push_back(std::move(s));
    return false;
}

bool context::enter() {
    if (depth >= opts.max_depth) {
        return fail("nesting deeper than " + std::to_string(opts.max_depth) +
                    " levels (options::max_depth)");
    }
    ++depth;
    return true;
}

troupe::error context::to_error(std::string_view root) const {
    std::string text{root};
    for (auto it = path_.rbegin(); it != path_.rend(); ++it) text += *it;
    text += ": ";
    text += problem_;
    return troupe::error{errc::bad_message, std::move(text)};
}

std::string quoted_for_error(std::string_view text) {
    std::string out = "\"";
    append_for_error(out, text);
    out += '"';
    return out;
}

troupe::error bad_message(std::string text) {
    return troupe::error{errc::bad_message, std::move(text)};
}

}  // namespace troupe::codec::detail

#include <algorithm>
#include <charconv>
#include <cmath>

#include <troupe/codec/value.hpp>

namespace troupe {

bytes to_bytes(std::string_view text) {
    bytes out(text.size());
    std::transform(text.begin(), text.end(), out.begin(),
                   [](char c) { return static_cast<std::byte>(c); });
    return out;
}

// --- value_map -------------------------------------------------------------------------

value_map::value_map(std::initializer_list<entry> entries) {
    entries_.reserve(entries.size());
    for (const auto& e : entries) insert_or_assign(e.first, e.second);
}

value* value_map::find(std::string_view key) noexcept {
    for (auto& e : entries_)
        if (e.first == key) return &e.second;
    return nullptr;
}

const value* value_map::find(std::string_view key) const noexcept {
    for (const auto& e : entries_)
        if (e.first == key) return &e.second;
    return nullptr;
}

value& value_map::at(std::string_view key) {
    if (auto* v = find(key)) return *v;
    throw bad_value_access("no key \"" + std::string{key} + "\" in the map");
}

const value& value_map::at(std::string_view key) const {
    if (auto* v = find(key)) return *v;
    throw bad_value_access("no key \"" + std::string{key} + "\" in the map");
}

value& value_map::insert_or_assign(std::string key, value v) {
    if (auto* existing = find(key)) {
        *existing = std::move(v);
        return *existing;
    }
    return entries_.emplace_back(std::move(key), std::move(v)).second;
}

value& value_map::append_unique(std::string key, value v) {
    return entries_.emplace_back(std::move(key), std::move(v)).second;
}

bool value_map::erase(std::string_view key) {
    auto it = std::find_if(entries_.begin(), entries_.end(),
                           [&](const entry& e) { return e.first == key; });
    if (it == entries_.end()) return false;
    entries_.erase(it);
    return true;
}

bool operator==(const value_map& a, const value_map& b) {
    if (a.size() != b.size()) return false;
    for (const auto& [key, v] : a) {
        const value* other = b.find(key);
        if (!other || !(*other == v)) return false;
    }
    return true;
}

// --- value -----------------------------------------------------------------------------

std::string_view to_string(value::kind k) noexcept {
    switch (k) {
        case value::kind::nil:
            return "nil";
        case value::kind::boolean:
            return "bool";
        case value::kind::int64:
            return "int64";
        case value::kind::float64:
            return "double";
        case value::kind::string:
            return "string";
        case value::kind::bytes:
            return "bytes";
        case value::kind::array:
            return "array";
        case value::kind::map:
            return "map";
    }
    return "unknown";
}

void value::throw_kind_mismatch(kind expected) const {
    std::string what = "expected ";
    what += troupe::to_string(expected);
    what += ", got ";
    what += troupe::to_string(type());
    throw bad_value_access(what);
}

const value& value::at(std::size_t i) const {
    const auto& a = as_array();
    if (i >= a.size())
        throw bad_value_access("index " + std::to_string(i) + " is out of range for an array of " +
                               std::to_string(a.size()));
    return a[i];
}

value& value::at(std::size_t i) {
    return const_cast<value&>(static_cast<const value&>(*this).at(i));
}

namespace {

void print_quoted(std::string& out, std::string_view s, bool as_bytes) {
    static constexpr char hex[] = "0123456789abcdef";
    if (as_bytes) out += 'b';
    out += '"';
    for (unsigned char c : s) {
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\t':
                out += "\\t";
                break;
            default:
                if (c < 0x20 || c == 0x7f || (as_bytes && c >= 0x80)) {
                    out += "\\x";
                    out += hex[c >> 4];
                    out += hex[c & 15];
                } else {
                    out += static_cast<char>(c);
                }
        }
    }
    out += '"';
}

void print(std::string& out, const value& v, int depth) {
    if (depth > 64) {
        out += "...";
        return;
    }
    switch (v.type()) {
        case value::kind::nil:
            out += "nil";
            return;
        case value::kind::boolean:
            out += v.as_bool() ? "true" : "false";
            return;
        case value::kind::int64:
            out += std::to_string(v.as_int64());
            return;
        case value::kind::float64: {
            double d = v.as_double();
            char buf[32];
            auto r = std::to_chars(buf, buf + sizeof buf, d);
            std::string_view text{buf, static_cast<std::size_t>(r.ptr - buf)};
            out += text;
            // Keep doubles recognisable: 1.0 prints as "1.0", not "1".
            if (std::isfinite(d) && text.find_first_of(".e") == std::string_view::npos) out += ".0";
            return;
        }
        case value::kind::string:
            print_quoted(out, v.as_string(), false);
            return;
        case value::kind::bytes: {
            const auto& b = v.as_bytes();
            print_quoted(out, {reinterpret_cast<const char*>(b.data()), b.size()}, true);
            return;
        }
        case value::kind::array: {
            out += '[';
            bool first = true;
            for (const auto& e : v.as_array()) {
                if (!first) out += ", ";
                first = false;
                print(out, e, depth + 1);
            }
            out += ']';
            return;
        }
        case value::kind::map: {
            out += '{';
            bool first = true;
            for (const auto& [key, e] : v.as_map()) {
                if (!first) out += ", ";
                first = false;
                print_quoted(out, key, false);
                out += ": ";
                print(out, e, depth + 1);
            }
            out += '}';
            return;
        }
    }
}

}  // namespace

std::string value::to_string() const {
    std::string out;
    print(out, *this, 0);
    return out;
}

}  // namespace troupe

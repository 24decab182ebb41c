// Boost.JSON is used header-only: its implementation is compiled here, once.
#include <boost/json/src.hpp>
//
#include <charconv>
#include <cmath>

#include <troupe/codec/detail/base64.hpp>
#include <troupe/codec/json.hpp>

namespace troupe::codec {
namespace detail {

namespace {

// Builds Boost.JSON's DOM as its own parser does, except for doubles: Boost.JSON 1.81 may
// round a decimal the last bit wrong, so each double is read again from its text with
// std::from_chars, which is exact. Only that keeps "a double stays a double" true.
struct exact_handler {
    static constexpr std::size_t max_object_size = boost::json::object::max_size();
    static constexpr std::size_t max_array_size = boost::json::array::max_size();
    static constexpr std::size_t max_key_size = boost::json::string::max_size();
    static constexpr std::size_t max_string_size = boost::json::string::max_size();

    using ec_t = boost::system::error_code;
    using sv = boost::json::string_view;

    exact_handler(boost::json::storage_ptr sp, unsigned char* temp, std::size_t size)
        : st(std::move(sp), temp, size) {}

    bool on_document_begin(ec_t&) { return true; }
    bool on_document_end(ec_t&) { return true; }
    bool on_object_begin(ec_t&) { return true; }
    bool on_object_end(std::size_t n, ec_t&) {
        st.push_object(n);
        return true;
    }
    bool on_array_begin(ec_t&) { return true; }
    bool on_array_end(std::size_t n, ec_t&) {
        st.push_array(n);
        return true;
    }
    bool on_key_part(sv s, std::size_t, ec_t&) {
        st.push_chars(s);
        return true;
    }
    bool on_key(sv s, std::size_t, ec_t&) {
        st.push_key(s);
        return true;
    }
    bool on_string_part(sv s, std::size_t, ec_t&) {
        st.push_chars(s);
        return true;
    }
    bool on_string(sv s, std::size_t, ec_t&) {
        st.push_string(s);
        return true;
    }
    bool on_number_part(sv s, ec_t&) {
        number.append(s.data(), s.size());
        return true;
    }
    bool on_int64(std::int64_t i, sv, ec_t&) {
        number.clear();
        st.push_int64(i);
        return true;
    }
    bool on_uint64(std::uint64_t u, sv, ec_t&) {
        number.clear();
        st.push_uint64(u);
        return true;
    }
    bool on_double(double d, sv s, ec_t&) {
        std::string_view text{s.data(), s.size()};
        if (!number.empty()) {
            number.append(s.data(), s.size());
            text = number;
        }
        double exact;
        auto r = std::from_chars(text.data(), text.data() + text.size(), exact);
        // Out of range: keep the parser's value (infinity, which decoding refuses, or zero
        // for an underflow, which is the right rounding).
        if (r.ec == std::errc{} && r.ptr == text.data() + text.size()) d = exact;
        number.clear();
        st.push_double(d);
        return true;
    }
    bool on_bool(bool b, ec_t&) {
        st.push_bool(b);
        return true;
    }
    bool on_null(ec_t&) {
        st.push_null();
        return true;
    }
    bool on_comment_part(sv, ec_t&) { return true; }
    bool on_comment(sv, ec_t&) { return true; }

    boost::json::value_stack st;
    std::string number;  // the parts of a number split across buffers
};

}  // namespace

result<void> json_document::parse(std::string_view text, const options& opts,
                                  std::string_view what) {
    if (text.size() > opts.max_size) {
        return bad_message(std::string{what} + ": the JSON text is " + std::to_string(text.size()) +
                           " bytes, over the limit of " + std::to_string(opts.max_size) +
                           " (options::max_size)");
    }
    boost::json::parse_options po;
    // The parser counts the top level as depth 1; options::max_depth counts the
    // containers inside it, as the MessagePack reader does.
    po.max_depth = opts.max_depth + 1;
    unsigned char temp[1024];
    boost::json::storage_ptr sp(&resource_);
    boost::json::basic_parser<exact_handler> p{po, sp, temp, sizeof temp};
    p.handler().st.reset(sp);
    boost::system::error_code ec;
    std::size_t used = p.write_some(false, text.data(), text.size(), ec);
    if (!ec && used < text.size()) ec = boost::json::error::extra_data;
    if (ec) {
        std::string problem = ec == boost::json::error::too_deep
                                  ? "nesting deeper than " + std::to_string(opts.max_depth) +
                                        " levels (options::max_depth)"
                                  : ec.message();
        return bad_message(std::string{what} + ": malformed JSON at byte " + std::to_string(used) +
                           ": " + problem);
    }
    root_ = p.handler().st.release();
    return {};
}

node_kind json_reader::kind() const noexcept {
    switch (v_->kind()) {
        case boost::json::kind::null:
            return node_kind::nil;
        case boost::json::kind::bool_:
            return node_kind::boolean;
        case boost::json::kind::int64:
            return node_kind::int64;
        case boost::json::kind::uint64:
            // Boost.JSON keeps integers that fit as int64.
            return node_kind::uint64;
        case boost::json::kind::double_:
            return std::isfinite(v_->get_double()) ? node_kind::float64 : node_kind::other;
        case boost::json::kind::string:
            return node_kind::string;
        case boost::json::kind::array:
            return node_kind::array;
        case boost::json::kind::object:
            return node_kind::map;
    }
    return node_kind::other;
}

std::string json_reader::got() const {
    switch (kind()) {
        case node_kind::uint64:
            return std::to_string(v_->get_uint64()) + " (above the int64 range)";
        case node_kind::other:
            return "a number beyond double's range";
        default:
            return std::string{to_string(kind())};
    }
}

namespace {

// The length of the UTF-8 sequence at s[i], or 0 if it is not valid (overlong forms,
// surrogates and code points above U+10FFFF are invalid).
std::size_t utf8_sequence(std::string_view s, std::size_t i) {
    auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
    unsigned char c = byte(i);
    std::size_t n;
    unsigned char lo = 0x80, hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) {
        n = 2;
    } else if (c >= 0xe0 && c <= 0xef) {
        n = 3;
        if (c == 0xe0) lo = 0xa0;
        if (c == 0xed) hi = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
        n = 4;
        if (c == 0xf0) lo = 0x90;
        if (c == 0xf4) hi = 0x8f;
    } else {
        return 0;
    }
    if (i + n > s.size()) return 0;
    if (byte(i + 1) < lo || byte(i + 1) > hi) return 0;
    for (std::size_t k = 2; k < n; ++k)
        if (byte(i + k) < 0x80 || byte(i + k) > 0xbf) return 0;
    return n;
}

}  // namespace

bool append_json_string(std::string& out, std::string_view s) {
    static constexpr char hex[] = "0123456789abcdef";
    out += '"';
    std::size_t i = 0, run = 0;  // [run, i) is copied as is
    while (i < s.size()) {
        unsigned char c = static_cast<unsigned char>(s[i]);
        if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
            ++i;
            continue;
        }
        if (c >= 0x80) {
            std::size_t n = utf8_sequence(s, i);
            if (n == 0) return false;
            i += n;
            continue;
        }
        out.append(s.data() + run, i - run);
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
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            default:
                out += "\\u00";
                out += hex[c >> 4];
                out += hex[c & 15];
        }
        run = ++i;
    }
    out.append(s.data() + run, i - run);
    out += '"';
    return true;
}

void append_json_double(std::string& out, double d) {
    char buf[32];
    auto r = std::to_chars(buf, buf + sizeof buf, d);
    std::string_view text{buf, static_cast<std::size_t>(r.ptr - buf)};
    out += text;
    if (text.find_first_of(".e") == std::string_view::npos) out += ".0";
}

bool json_writer::float64(context& c, double d) {
    if (!std::isfinite(d)) {
        return c.fail(std::isnan(d) ? "NaN has no JSON form" : "infinity has no JSON form");
    }
    separate();
    append_json_double(out_, d);
    return true;
}

bool json_writer::bytes(context&, std::span<const std::byte> b) {
    separate();
    out_ += '"';
    base64_encode(b, out_);
    out_ += '"';
    return true;
}

}  // namespace detail

namespace json {

result<value> decode(std::string_view text, const options& opts) {
    detail::json_document doc;
    if (auto parsed = doc.parse(text, opts, "value"); !parsed) return parsed.error();
    detail::context c{opts};
    detail::json_reader r{doc.root()};
    value out;
    if (!detail::decode(c, r, out)) return c.to_error("value");
    return out;
}

result<std::string> encode(const value& v, const options& opts) {
    std::string out;
    detail::context c{opts};
    detail::json_writer w{out};
    if (!detail::encode(c, w, v)) return c.to_error("value");
    return out;
}

}  // namespace json
}  // namespace troupe::codec

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>

#include <troupe/codec/detail/base64.hpp>
#include <troupe/codec/json.hpp>

namespace troupe::codec {
namespace detail {

namespace {

// Texts up to this size are parsed by the thread's parser, which keeps its buffers
// (several times the text) for the next call; larger ones get a parser of their own that
// is freed with the document, so one big message does not pin memory in a thread.
constexpr std::size_t kept_parser_limit = 1 << 20;

simdjson::dom::parser& thread_parser() {
    thread_local simdjson::dom::parser parser;
    return parser;
}

}  // namespace

result<void> json_document::parse(std::string_view text, const options& opts,
                                  std::string_view what) {
    if (text.size() > opts.max_size) {
        return bad_message(std::string{what} + ": the JSON text is " + std::to_string(text.size()) +
                           " bytes, over the limit of " + std::to_string(opts.max_size) +
                           " (options::max_size)");
    }
    simdjson::dom::parser* parser = &thread_parser();
    if (text.size() > kept_parser_limit) {
        own_ = std::make_unique<simdjson::dom::parser>();
        parser = own_.get();
    }
    // simdjson counts the top level as depth 1; options::max_depth counts the containers
    // inside it, as the MessagePack reader does.
    std::size_t depth = opts.max_depth + 1;
    simdjson::error_code err = simdjson::SUCCESS;
    if (parser->max_depth() != depth || parser->capacity() < text.size())
        err = parser->allocate(std::max(parser->capacity(), text.size()), depth);
    if (!err) err = parser->parse(text.data(), text.size()).get(root_);
    if (err) {
        std::string problem = err == simdjson::DEPTH_ERROR
                                  ? "nesting deeper than " + std::to_string(opts.max_depth) +
                                        " levels (options::max_depth)"
                                  : simdjson::error_message(err);
        return bad_message(std::string{what} + ": malformed JSON: " + problem);
    }
    return {};
}

std::string json_reader::got() const {
    if (kind() == node_kind::uint64)
        return std::to_string(get_uint64()) + " (above the int64 range)";
    return std::string{to_string(kind())};  // simdjson refuses numbers beyond double's range
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

namespace {

// What each byte needs in a JSON string: 0 nothing, 1 an escape, 2 a UTF-8 check.
constexpr auto byte_class = [] {
    std::array<std::uint8_t, 256> t{};
    for (int c = 0; c < 0x20; ++c) t[c] = 1;
    t['"'] = t['\\'] = 1;
    for (int c = 0x80; c < 0x100; ++c) t[c] = 2;
    return t;
}();

}  // namespace

bool append_json_string(out_buffer& out, std::string_view s) {
    static constexpr char hex[] = "0123456789abcdef";
    out.put('"');
    std::size_t i = 0, run = 0;  // [run, i) is copied as is
    while (i < s.size()) {
        unsigned char c = static_cast<unsigned char>(s[i]);
        std::uint8_t kind = byte_class[c];
        if (kind == 0) {
            ++i;
            continue;
        }
        if (kind == 2) {
            std::size_t n = utf8_sequence(s, i);
            if (n == 0) return false;
            i += n;
            continue;
        }
        out.append(s.data() + run, i - run);
        switch (c) {
            case '"':
                out.append("\\\"");
                break;
            case '\\':
                out.append("\\\\");
                break;
            case '\n':
                out.append("\\n");
                break;
            case '\r':
                out.append("\\r");
                break;
            case '\t':
                out.append("\\t");
                break;
            default: {
                char* p = out.grab(6);
                std::memcpy(p, "\\u00", 4);
                p[4] = hex[c >> 4];
                p[5] = hex[c & 15];
            }
        }
        run = ++i;
    }
    out.append(s.data() + run, i - run);
    out.put('"');
    return true;
}

void append_json_double(out_buffer& out, double d) {
    char buf[32];
    auto r = std::to_chars(buf, buf + sizeof buf, d);
    std::string_view text{buf, static_cast<std::size_t>(r.ptr - buf)};
    out.append(text);
    if (text.find_first_of(".e") == std::string_view::npos) out.append(".0");
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
    std::size_t n = base64_size(b.size());
    char* p = out_.grab(n + 2);
    p[0] = '"';
    base64_encode(b, p + 1);
    p[n + 1] = '"';
    return true;
}

}  // namespace detail

namespace json {

result<value> decode(std::string_view text, const options& opts) {
    return decode<value>(text, opts);
}

result<std::string> encode(const value& v, const options& opts) {
    return encode<value>(v, opts);
}

}  // namespace json
}  // namespace troupe::codec

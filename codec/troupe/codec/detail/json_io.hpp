#pragma once
// The reader and writer that connect the one decoder and encoder to JSON. Reading parses
// with simdjson into its DOM (a tape, in a parser kept per thread); writing appends text to
// a std::string directly (no DOM).

#include <simdjson.h>

#include <charconv>
#include <cstring>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <boost/container/small_vector.hpp>

#include <troupe/codec/detail/context.hpp>
#include <troupe/codec/detail/out_buffer.hpp>
#include <troupe/error.hpp>

namespace troupe::codec::detail {

/// One parsed JSON text, valid until the document is destroyed. Thread contract: one
/// document per thread at a time (it uses the thread's parser).
class json_document {
public:
    json_document() = default;
    json_document(const json_document&) = delete;
    json_document& operator=(const json_document&) = delete;

    /// Parses `text` within the options' limits; the error names `what` ("SetValue").
    result<void> parse(std::string_view text, const options& opts, std::string_view what);
    simdjson::dom::element root() const noexcept { return root_; }

private:
    std::unique_ptr<simdjson::dom::parser> own_;  // for texts too big to keep per thread
    simdjson::dom::element root_;
};

class json_reader {
public:
    static constexpr bool base64_bytes = true;

    explicit json_reader(simdjson::dom::element e) noexcept : e_(e) {}

    node_kind kind() const noexcept {
        switch (e_.type()) {
            case simdjson::dom::element_type::NULL_VALUE:
                return node_kind::nil;
            case simdjson::dom::element_type::BOOL:
                return node_kind::boolean;
            case simdjson::dom::element_type::INT64:
                return node_kind::int64;
            case simdjson::dom::element_type::UINT64:
                // simdjson keeps integers that fit as int64.
                return node_kind::uint64;
            case simdjson::dom::element_type::DOUBLE:
                return node_kind::float64;
            case simdjson::dom::element_type::STRING:
                return node_kind::string;
            case simdjson::dom::element_type::ARRAY:
                return node_kind::array;
            case simdjson::dom::element_type::OBJECT:
                return node_kind::map;
        }
        return node_kind::other;
    }
    std::string got() const;

    // The kind was checked first, so these reads cannot fail.
    bool get_bool() const noexcept { return read<bool>(); }
    std::int64_t get_int64() const noexcept { return read<std::int64_t>(); }
    std::uint64_t get_uint64() const noexcept { return read<std::uint64_t>(); }
    double get_double() const noexcept { return read<double>(); }
    std::string_view get_string() const noexcept { return read<std::string_view>(); }
    std::span<const std::byte> get_bytes() const noexcept { return {}; }  // JSON has none
    std::size_t size() const noexcept {
        if (e_.is_array()) return read<simdjson::dom::array>().size();
        if (e_.is_object()) return read<simdjson::dom::object>().size();
        return 0;
    }
    void skip() const noexcept {}

    template <class F>
    bool each_element(F&& f) const {
        std::size_t i = 0;
        const auto array = read<simdjson::dom::array>();
        for (simdjson::dom::element e : array) {
            json_reader r{e};
            if (!f(r, i++)) return false;
        }
        return true;
    }
    template <class F>
    bool each_entry(context&, F&& f) const {
        const auto object = read<simdjson::dom::object>();
        for (simdjson::dom::key_value_pair kv : object) {
            json_reader r{kv.value};
            if (!f(kv.key, r)) return false;
        }
        return true;
    }

private:
    template <class T>
    T read() const noexcept {
        T out{};
        [[maybe_unused]] auto err = e_.get(out);
        return out;
    }

    simdjson::dom::element e_;
};

/// Appends `s` as a JSON string literal; false if `s` is not valid UTF-8.
bool append_json_string(out_buffer& out, std::string_view s);
/// Appends a finite double so that it reads back as a double ("1.0", not "1").
void append_json_double(out_buffer& out, double d);

class json_writer {
public:
    explicit json_writer(std::string& out) noexcept : out_(out) {}

    bool nil(context&) {
        separate();
        out_.append("null");
        return true;
    }
    bool boolean(context&, bool b) {
        separate();
        out_.append(b ? std::string_view{"true"} : std::string_view{"false"});
        return true;
    }
    bool int64(context&, std::int64_t i) {
        separate();
        char buf[24];
        auto r = std::to_chars(buf, buf + sizeof buf, i);
        out_.append(buf, static_cast<std::size_t>(r.ptr - buf));
        return true;
    }
    bool float64(context& c, double d);
    bool string(context& c, std::string_view s) {
        separate();
        return append_json_string(out_, s) || c.fail("a string is not valid UTF-8 (use bytes)");
    }
    bool bytes(context& c, std::span<const std::byte> b);
    bool begin_array(context&, std::size_t) {
        separate();
        out_.put('[');
        open_.push_back(0);
        return true;
    }
    bool end_array(context&) {
        out_.put(']');
        open_.pop_back();
        return true;
    }
    bool begin_map(context&, std::size_t) {
        separate();
        out_.put('{');
        open_.push_back(0);
        return true;
    }
    bool key(context& c, std::string_view k) {
        if (open_.back()++) out_.put(',');
        if (!append_json_string(out_, k)) return c.fail("a key is not valid UTF-8");
        out_.put(':');
        after_key_ = true;
        return true;
    }
    /// A described field's name: a C++ identifier, so nothing to escape or check.
    bool field(context&, std::string_view name) {
        bool comma = open_.back()++ != 0;
        char* p = out_.grab(name.size() + 3 + (comma ? 1 : 0));
        if (comma) *p++ = ',';
        *p++ = '"';
        std::memcpy(p, name.data(), name.size());
        p += name.size();
        *p++ = '"';
        *p = ':';
        after_key_ = true;
        return true;
    }
    bool end_map(context&) {
        out_.put('}');
        open_.pop_back();
        return true;
    }

private:
    // Writes the comma before an array element; a map's value follows its key instead.
    void separate() {
        if (after_key_) {
            after_key_ = false;
        } else if (!open_.empty() && open_.back()++) {
            out_.put(',');
        }
    }

    out_buffer out_;
    // Per open container, the items written so far. Sixteen levels before any allocation.
    boost::container::small_vector<std::uint32_t, 16> open_;
    bool after_key_ = false;
};

}  // namespace troupe::codec::detail

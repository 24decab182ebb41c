#pragma once
// The reader and writer that connect the one decoder and encoder to JSON. Reading parses
// with Boost.JSON into a DOM kept in a stack-first monotonic buffer; writing appends text
// to a std::string directly (no DOM).

#include <charconv>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/value.hpp>

#include <troupe/codec/detail/context.hpp>
#include <troupe/error.hpp>

namespace troupe::codec::detail {

/// One parsed JSON text. Thread contract: one thread at a time.
class json_document {
public:
    json_document() = default;
    json_document(const json_document&) = delete;
    json_document& operator=(const json_document&) = delete;

    /// Parses `text` within the options' limits; the error names `what` ("SetValue").
    result<void> parse(std::string_view text, const options& opts, std::string_view what);
    const boost::json::value& root() const noexcept { return root_; }

private:
    unsigned char buffer_[2048];
    boost::json::monotonic_resource resource_{buffer_, sizeof buffer_};
    boost::json::value root_;
};

class json_reader {
public:
    static constexpr bool base64_bytes = true;

    explicit json_reader(const boost::json::value& v) noexcept : v_(&v) {}

    node_kind kind() const noexcept;
    std::string got() const;

    bool get_bool() const noexcept { return v_->get_bool(); }
    std::int64_t get_int64() const noexcept { return v_->get_int64(); }
    std::uint64_t get_uint64() const noexcept { return v_->get_uint64(); }
    double get_double() const noexcept { return v_->get_double(); }
    std::string_view get_string() const noexcept { return v_->get_string(); }
    std::span<const std::byte> get_bytes() const noexcept { return {}; }
    std::size_t size() const noexcept {
        if (auto* a = v_->if_array()) return a->size();
        if (auto* o = v_->if_object()) return o->size();
        return 0;
    }
    void skip() const noexcept {}

    template <class F>
    bool each_element(F&& f) const {
        std::size_t i = 0;
        for (const auto& e : v_->get_array()) {
            json_reader r{e};
            if (!f(r, i++)) return false;
        }
        return true;
    }
    template <class F>
    bool each_entry(context&, F&& f) const {
        for (const auto& kv : v_->get_object()) {
            json_reader r{kv.value()};
            if (!f(std::string_view{kv.key()}, r)) return false;
        }
        return true;
    }

private:
    const boost::json::value* v_;
};

/// Appends `s` as a JSON string literal; false if `s` is not valid UTF-8.
bool append_json_string(std::string& out, std::string_view s);
/// Appends a finite double so that it reads back as a double ("1.0", not "1").
void append_json_double(std::string& out, double d);

class json_writer {
public:
    explicit json_writer(std::string& out) noexcept : out_(out) {}

    bool nil(context&) {
        separate();
        out_ += "null";
        return true;
    }
    bool boolean(context&, bool b) {
        separate();
        out_ += b ? "true" : "false";
        return true;
    }
    bool int64(context&, std::int64_t i) {
        separate();
        char buf[24];
        auto r = std::to_chars(buf, buf + sizeof buf, i);
        out_.append(buf, r.ptr);
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
        out_ += '[';
        open_.push_back(0);
        return true;
    }
    bool end_array(context&) {
        out_ += ']';
        open_.pop_back();
        return true;
    }
    bool begin_map(context&, std::size_t) {
        separate();
        out_ += '{';
        open_.push_back(0);
        return true;
    }
    bool key(context& c, std::string_view k) {
        if (open_.back()++) out_ += ',';
        if (!append_json_string(out_, k)) return c.fail("a key is not valid UTF-8");
        out_ += ':';
        after_key_ = true;
        return true;
    }
    bool end_map(context&) {
        out_ += '}';
        open_.pop_back();
        return true;
    }

private:
    // Writes the comma before an array element; a map's value follows its key instead.
    void separate() {
        if (after_key_) {
            after_key_ = false;
        } else if (!open_.empty() && open_.back()++) {
            out_ += ',';
        }
    }

    std::string& out_;
    std::vector<std::uint32_t> open_;  // per open container: items written so far
    bool after_key_ = false;
};

}  // namespace troupe::codec::detail

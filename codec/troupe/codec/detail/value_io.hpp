#pragma once
// The reader and writer that connect the one decoder and encoder to troupe::value.

#include <span>
#include <string>
#include <vector>

#include <troupe/codec/detail/context.hpp>
#include <troupe/codec/value.hpp>

namespace troupe::codec::detail {

class value_reader {
public:
    static constexpr bool base64_bytes = false;

    explicit value_reader(const troupe::value& v) noexcept : v_(&v) {}

    node_kind kind() const noexcept { return static_cast<node_kind>(kind_map[index()]); }
    std::string got() const { return std::string{troupe::to_string(v_->type())}; }

    bool get_bool() const { return *v_->if_bool(); }
    std::int64_t get_int64() const { return *v_->if_int64(); }
    std::uint64_t get_uint64() const { return 0; }
    double get_double() const { return *v_->if_double(); }
    std::string_view get_string() const { return *v_->if_string(); }
    std::span<const std::byte> get_bytes() const { return *v_->if_bytes(); }
    std::size_t size() const noexcept {
        if (auto* a = v_->if_array()) return a->size();
        if (auto* m = v_->if_map()) return m->size();
        return 0;
    }
    void skip() const noexcept {}

    template <class F>
    bool each_element(F&& f) const {
        std::size_t i = 0;
        for (const auto& e : *v_->if_array()) {
            value_reader r{e};
            if (!f(r, i++)) return false;
        }
        return true;
    }
    template <class F>
    bool each_entry(context&, F&& f) const {
        for (const auto& [key, e] : *v_->if_map()) {
            value_reader r{e};
            if (!f(std::string_view{key}, r)) return false;
        }
        return true;
    }

private:
    std::size_t index() const noexcept { return static_cast<std::size_t>(v_->type()); }
    // value::kind -> node_kind, in value::kind's order.
    static constexpr node_kind kind_map[] = {
        node_kind::nil,    node_kind::boolean, node_kind::int64, node_kind::float64,
        node_kind::string, node_kind::bytes,   node_kind::array, node_kind::map};
    const troupe::value* v_;
};

/// Builds a value from the encoder's events.
class value_writer {
public:
    troupe::value take() { return std::move(root_); }

    bool nil(context&) { return put(troupe::value{}) != nullptr; }
    bool boolean(context&, bool b) { return put(b) != nullptr; }
    bool int64(context&, std::int64_t i) { return put(i) != nullptr; }
    bool float64(context&, double d) { return put(d) != nullptr; }
    bool string(context&, std::string_view s) { return put(std::string{s}) != nullptr; }
    bool bytes(context&, std::span<const std::byte> b) {
        return put(troupe::bytes(b.begin(), b.end())) != nullptr;
    }
    bool begin_array(context&, std::size_t n) {
        troupe::value::array a;
        a.reserve(n);
        stack_.push_back(put(std::move(a)));
        return true;
    }
    bool end_array(context&) {
        stack_.pop_back();
        return true;
    }
    bool begin_map(context&, std::size_t n) {
        troupe::value::map m;
        m.reserve(n);
        stack_.push_back(put(std::move(m)));
        return true;
    }
    bool key(context&, std::string_view k) {
        key_ = k;
        return true;
    }
    bool field(context& c, std::string_view name) { return key(c, name); }
    bool end_map(context&) {
        stack_.pop_back();
        return true;
    }

private:
    troupe::value* put(troupe::value v) {
        if (stack_.empty()) {
            root_ = std::move(v);
            return &root_;
        }
        troupe::value& top = *stack_.back();
        if (auto* a = top.if_array()) return &a->emplace_back(std::move(v));
        // Keys come from a struct, a std::map or a value map: unique already.
        return &top.if_map()->append_unique(std::move(key_), std::move(v));
    }

    troupe::value root_;
    std::vector<troupe::value*> stack_;
    std::string key_;
};

}  // namespace troupe::codec::detail

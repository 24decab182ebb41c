#pragma once
// message_type: what the registry knows of one named message type (its stable name, its C++
// type, how to decode and encode it), and message_box: a decoded message of a type known
// only at run time.
//
//   const message_type* t = registry.find("SetValue");
//   result<message_box> m = t->decode(format::json, R"({"key":"k","value":1})");
//   SetValue* typed = m->get<SetValue>();           // nullptr for any other type
//   result<std::string> frame = t->encode(*m, format::msgpack);

#include <memory>
#include <string>
#include <string_view>
#include <typeindex>

#include <troupe/codec/convert.hpp>
#include <troupe/codec/format.hpp>

namespace troupe::codec {

class message_type;

/// A decoded message whose type is known at run time. Move-only; owns the message.
class message_box {
public:
    message_box(const message_type& type, void* object, void (*destroy)(void*)) noexcept
        : type_(&type), object_(object, destroy) {}

    const message_type& type() const noexcept { return *type_; }
    /// The message if it is a T; nullptr otherwise.
    template <class T>
    T* get() const noexcept;

    void* object() const noexcept { return object_.get(); }
    /// Gives the message up to the caller (who must delete it as its registered type).
    void* release() noexcept { return object_.release(); }

private:
    const message_type* type_;
    std::unique_ptr<void, void (*)(void*)> object_;
};

class message_type {
public:
    template <named_message T>
    static const message_type& of() {
        static const message_type t{message_name<T>(), troupe::detail::type_name<T>(), typeid(T),
                                    ops_for<T>()};
        return t;
    }

    std::string_view name() const noexcept { return name_; }
    std::type_index cpp_type() const noexcept { return type_; }
    /// The C++ type's name ("kv::SetValue"), for errors.
    std::string_view cpp_name() const noexcept { return cpp_name_; }

    result<message_box> decode(format f, std::string_view in, const options& opts = {}) const {
        return ops_.decode(*this, f, in, opts);
    }
    result<message_box> from_value(const value& v, const options& opts = {}) const {
        return ops_.from_value(*this, v, opts);
    }
    /// `m` must hold this type (m.type() == *this); another type is an invalid_argument error.
    result<std::string> encode(const message_box& m, format f, const options& opts = {}) const {
        if (&m.type() != this) return wrong_box(m);
        return ops_.encode(m.object(), f, opts);
    }
    result<value> to_value(const message_box& m, const options& opts = {}) const {
        if (&m.type() != this) return wrong_box(m);
        return ops_.to_value(m.object(), opts);
    }

    friend bool operator==(const message_type& a, const message_type& b) noexcept {
        return &a == &b;
    }

private:
    struct ops {
        result<message_box> (*decode)(const message_type&, format, std::string_view,
                                      const options&);
        result<message_box> (*from_value)(const message_type&, const value&, const options&);
        result<std::string> (*encode)(const void*, format, const options&);
        result<value> (*to_value)(const void*, const options&);
    };

    message_type(std::string_view name, std::string_view cpp_name, std::type_index type,
                 ops o) noexcept
        : name_(name), cpp_name_(cpp_name), type_(type), ops_(o) {}

    template <class T>
    static message_box box(const message_type& t, T&& v) {
        return message_box{t, new T(std::move(v)), [](void* p) { delete static_cast<T*>(p); }};
    }

    template <class T>
    static ops ops_for() {
        return ops{
            [](const message_type& t, format f, std::string_view in,
               const options& opts) -> result<message_box> {
                auto r = codec::decode<T>(f, in, opts);
                if (!r) return r.error();
                return box(t, std::move(*r));
            },
            [](const message_type& t, const value& v, const options& opts) -> result<message_box> {
                auto r = codec::from_value<T>(v, opts);
                if (!r) return r.error();
                return box(t, std::move(*r));
            },
            [](const void* p, format f, const options& opts) {
                return codec::encode(f, *static_cast<const T*>(p), opts);
            },
            [](const void* p, const options& opts) {
                return codec::to_value(*static_cast<const T*>(p), opts);
            },
        };
    }

    troupe::error wrong_box(const message_box& m) const {
        return troupe::error{errc::invalid_argument, "a " + std::string{m.type().name()} +
                                                         " message given to the codec of " +
                                                         std::string{name_}};
    }

    std::string_view name_;
    std::string_view cpp_name_;
    std::type_index type_;
    ops ops_;
};

template <class T>
T* message_box::get() const noexcept {
    return type_->cpp_type() == typeid(T) ? static_cast<T*>(object_.get()) : nullptr;
}

}  // namespace troupe::codec

#pragma once
// How an endpoint reaches a typed handler: for every named message M that actor type A
// handles, one binding decodes M (from a value or bytes), sends it through ref<A>, and
// encodes the handler's reply in the caller's format. The table per A is built once.

#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <troupe/codec/format.hpp>
#include <troupe/codec/message_type.hpp>
#include <troupe/detail/async_state.hpp>
#include <troupe/ref.hpp>

namespace troupe::codec::detail {

struct binding {
    const message_type* type;
    /// The handler's reply type as errors and discovery show it ("int64", "nil").
    std::string_view reply;
    pending<value> (*ask_value)(const actor_handle&, const value&, duration, const options&);
    pending<std::string> (*ask_bytes)(const actor_handle&, format, std::string_view, duration,
                                      const options&);
    result<void> (*tell_value)(const actor_handle&, const value&, const options&);
    result<void> (*tell_bytes)(const actor_handle&, format, std::string_view, const options&);
};

template <class A, class M>
struct binder {
    using reply_t = troupe::detail::reply_type_t<A, M>;

    static ref<A> typed(const actor_handle& h) {
        return ref<A>{troupe::detail::intrusive_ptr<troupe::detail::actor_cell>(h.cell())};
    }

    // Asks, then completes a new pending with the reply encoded by `encode`. The new state
    // drives the actor's executor when waited on, as the ask's own would.
    template <class Out, class Encode>
    static pending<Out> forward(const actor_handle& h, M&& msg, duration timeout, Encode encode) {
        using state = troupe::detail::async_state<Out>;
        troupe::detail::intrusive_ptr<state> st{new state(&h.cell()->home().executor()),
                                                troupe::detail::adopt};
        typed(h).ask(std::move(msg), timeout).then([st, encode](result<reply_t> r) {
            if (!r) {
                st->complete(r.error());
            } else if constexpr (std::is_void_v<reply_t>) {
                st->complete(encode(value{}));
            } else {
                st->complete(encode(*r));
            }
        });
        return pending<Out>{std::move(st)};
    }

    static pending<value> ask_value(const actor_handle& h, const value& v, duration timeout,
                                    const options& opts) {
        auto m = from_value<M>(v, opts);
        if (!m) return pending<value>::ready(m.error());
        return forward<value>(h, std::move(*m), timeout,
                              [opts](const auto& reply) { return to_value(reply, opts); });
    }

    static pending<std::string> ask_bytes(const actor_handle& h, format f, std::string_view in,
                                          duration timeout, const options& opts) {
        auto m = decode<M>(f, in, opts);
        if (!m) return pending<std::string>::ready(m.error());
        return forward<std::string>(h, std::move(*m), timeout, [f, opts](const auto& reply) {
            return codec::encode(f, reply, opts);
        });
    }

    static result<void> tell_value(const actor_handle& h, const value& v, const options& opts) {
        auto m = from_value<M>(v, opts);
        if (!m) return m.error();
        return typed(h).try_tell(std::move(*m));
    }

    static result<void> tell_bytes(const actor_handle& h, format f, std::string_view in,
                                   const options& opts) {
        auto m = decode<M>(f, in, opts);
        if (!m) return m.error();
        return typed(h).try_tell(std::move(*m));
    }

    static binding make() {
        std::string_view reply = "nil";
        if constexpr (!std::is_void_v<reply_t>) {
            static_assert(is_field_type<reply_t>(),
                          "troupe::codec: a handler of a named message must reply with a type "
                          "the codecs can encode (describe it with TROUPE_MESSAGE or "
                          "BOOST_DESCRIBE_STRUCT), or with void");
            reply = root_name<reply_t>();
        }
        return binding{
            &message_type::of<M>(), reply, &ask_value, &ask_bytes, &tell_value, &tell_bytes};
    }
};

/// The bindings of every named message in A's message list, in list order.
template <class A, class... Ms>
std::vector<binding> make_bindings(troupe::detail::type_list<Ms...>) {
    std::vector<binding> out;
    (
        [&] {
            if constexpr (named_message<Ms>) out.push_back(binder<A, Ms>::make());
        }(),
        ...);
    return out;
}

template <class A>
const std::vector<binding>& bindings_of() {
    static const std::vector<binding> table = make_bindings<A>(typename A::message_list{});
    return table;
}

}  // namespace troupe::codec::detail

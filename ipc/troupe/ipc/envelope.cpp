#include <chrono>

#include <troupe/codec/format.hpp>
#include <troupe/ipc/envelope.hpp>

namespace troupe::ipc {

namespace {

codec::options envelope_options() {
    codec::options o;
    o.max_size = hard_max_frame;
    o.extra = codec::extra_fields::ignore;
    return o;
}

std::string_view format_name(codec::format f) {
    return f == codec::format::json ? "JSON" : "MessagePack";
}

// A request in MessagePack's positional form: [correlation_id, target, message_type,
// payload, expects_reply?, expects_stream?, response_timeout_ms?].
std::optional<request> request_from_array(const value::array& a) {
    if (a.size() < 4 || a.size() > 7) return std::nullopt;
    request r;
    const auto* cid = a[0].if_string();
    const auto* target = a[1].if_string();
    const auto* type = a[2].if_string();
    if (!cid || !target || !type) return std::nullopt;
    r.correlation_id = *cid;
    r.target = *target;
    r.message_type = *type;
    r.payload = a[3];
    if (a.size() > 4) {
        const bool* b = a[4].if_bool();
        if (!b) return std::nullopt;
        r.expects_reply = *b;
    }
    if (a.size() > 5) {
        const bool* b = a[5].if_bool();
        if (!b) return std::nullopt;
        r.expects_stream = *b;
    }
    if (a.size() > 6) {
        const auto* ms = a[6].if_int64();
        if (!ms) return std::nullopt;
        r.response_timeout_ms = *ms;
    }
    return r;
}

}  // namespace

template <class T>
std::optional<T> read_envelope(const frame& f, refusal& why) {
    const codec::options opts = envelope_options();
    auto typed = codec::decode<T>(f.format, f.payload, opts);
    if (typed) return std::move(*typed);
    // Why? Read it untyped: unreadable bytes, or a readable payload of the wrong shape.
    auto untyped = f.format == codec::format::json ? codec::json::decode(f.payload, opts)
                                                   : codec::msgpack::decode(f.payload, opts);
    why.correlation_id = std::string{unknown_correlation_id};
    if (!untyped) {
        why.why = {code::serialization_error,
                   "the " + to_string(f.type) + " frame's payload is not valid " +
                       std::string{format_name(f.format)} + ": " + untyped.error().reason()};
        return std::nullopt;
    }
    if constexpr (std::is_same_v<T, request>) {
        if (const auto* a = untyped->if_array()) {
            if (auto r = request_from_array(*a)) return r;
        }
    }
    if (const auto* m = untyped->if_map()) {
        for (const auto& [key, v] : *m) {
            if (key == "correlation_id" && v.if_string()) why.correlation_id = *v.if_string();
        }
    }
    why.why = {code::protocol_error, "the " + to_string(f.type) + " frame is not a valid " +
                                         to_string(f.type) +
                                         " envelope: " + typed.error().reason()};
    return std::nullopt;
}

template std::optional<request> read_envelope<request>(const frame&, refusal&);
template std::optional<response> read_envelope<response>(const frame&, refusal&);
template std::optional<stream_frame> read_envelope<stream_frame>(const frame&, refusal&);
template std::optional<subscription_request> read_envelope<subscription_request>(const frame&,
                                                                                 refusal&);
template std::optional<subscription_response> read_envelope<subscription_response>(const frame&,
                                                                                   refusal&);
template std::optional<discover_request> read_envelope<discover_request>(const frame&, refusal&);
template std::optional<discover_response> read_envelope<discover_response>(const frame&, refusal&);
template std::optional<push> read_envelope<push>(const frame&, refusal&);

namespace {

template <class T>
result<void> encode_body(std::string& out, codec::format f, const T& body) {
    static const codec::options opts = [] {
        codec::options o;
        o.omit_empty_optionals = true;  // "error" only on errors, "payload" only on success
        return o;
    }();
    return f == codec::format::json ? codec::json::encode_to(out, body, opts)
                                    : codec::msgpack::encode_to(out, body, opts);
}

template <class T>
std::string_view correlation_of(const T& body) {
    if constexpr (requires { body.correlation_id; })
        return body.correlation_id;
    else
        return unknown_correlation_id;
}

}  // namespace

template <class T>
bool append_envelope(std::string& out, frame_type type, codec::format f, std::uint8_t version,
                     const T& body) {
    if (version == 1) f = codec::format::json;
    const std::size_t start = begin_frame(out, type, f, version);
    if (auto ok = encode_body(out, f, body); !ok) {
        out.resize(start);
        append_error(out, f, version, correlation_of(body),
                     failure{code::serialization_error,
                             "the answer could not be encoded: " + ok.error().reason()});
        return false;
    }
    finish_frame(out, start);
    return true;
}

template bool append_envelope<request>(std::string&, frame_type, codec::format, std::uint8_t,
                                       const request&);
template bool append_envelope<response>(std::string&, frame_type, codec::format, std::uint8_t,
                                        const response&);
template bool append_envelope<stream_frame>(std::string&, frame_type, codec::format, std::uint8_t,
                                            const stream_frame&);
template bool append_envelope<subscription_request>(std::string&, frame_type, codec::format,
                                                    std::uint8_t, const subscription_request&);
template bool append_envelope<subscription_response>(std::string&, frame_type, codec::format,
                                                     std::uint8_t, const subscription_response&);
template bool append_envelope<discover_request>(std::string&, frame_type, codec::format,
                                                std::uint8_t, const discover_request&);
template bool append_envelope<discover_response>(std::string&, frame_type, codec::format,
                                                 std::uint8_t, const discover_response&);
template bool append_envelope<push>(std::string&, frame_type, codec::format, std::uint8_t,
                                    const push&);

void append_error(std::string& out, codec::format f, std::uint8_t version,
                  std::string_view correlation_id, const failure& why) {
    response r;
    r.correlation_id = std::string{correlation_id};
    r.success = false;
    r.error = why.message;
    r.error_code = std::string{to_string(why.what)};
    if (version == 1) f = codec::format::json;
    const std::size_t start = begin_frame(out, frame_type::error, f, version);
    if (!encode_body(out, f, r)) {
        // Only a correlation id that is not text can fail here (invalid UTF-8 in JSON).
        out.resize(start);
        r.correlation_id = std::string{unknown_correlation_id};
        begin_frame(out, frame_type::error, f, version);
        (void)encode_body(out, f, r).has_value();
    }
    finish_frame(out, start);
}

std::int64_t unix_ms() noexcept {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace troupe::ipc

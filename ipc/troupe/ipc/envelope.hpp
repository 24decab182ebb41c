#pragma once
// The payloads of IPC frames (acton-reactive's IPC protocol v2), described once for the
// codec, so that JSON and MessagePack frames read and write the same fields.
//
// Client to server: request, subscription_request (subscribe and unsubscribe),
// discover_request. Server to client: response (success and error frames), stream_frame,
// subscription_response, discover_response, push. Optional fields are std::optional: a
// missing field reads as "not given", and the protocol's default applies.
//
// read_envelope decodes a frame's payload into one of these and, when it cannot, says why
// with the protocol's error code and the correlation id it could still find ("unknown"
// when none): bytes that are not JSON/MessagePack are SERIALIZATION_ERROR, a well-formed
// payload with a missing field or a field of the wrong type is PROTOCOL_ERROR.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <troupe/codec/describe.hpp>
#include <troupe/codec/value.hpp>
#include <troupe/ipc/error_code.hpp>
#include <troupe/ipc/frame.hpp>

namespace troupe::ipc {

/// The correlation id of an answer to a payload nobody could read.
inline constexpr std::string_view unknown_correlation_id = "unknown";
/// The correlation id of the one error frame a refused connection gets.
inline constexpr std::string_view rejected_correlation_id = "__connection_rejected__";
/// How long a request waits for its reply when it does not say (30 s).
inline constexpr std::int64_t default_response_timeout_ms = 30000;

struct request {
    std::string correlation_id;
    std::string target;        // an exposed name
    std::string message_type;  // a registered message name
    std::optional<troupe::value> payload;
    std::optional<bool> expects_reply;   // default false: fire and forget
    std::optional<bool> expects_stream;  // default false
    std::optional<std::int64_t> response_timeout_ms;
};
BOOST_DESCRIBE_STRUCT(request, (),
                      (correlation_id, target, message_type, payload, expects_reply, expects_stream,
                       response_timeout_ms))

struct response {
    std::string correlation_id;
    bool success = true;
    std::optional<std::string> error;
    std::optional<std::string> error_code;
    std::optional<troupe::value> payload;
};
BOOST_DESCRIBE_STRUCT(response, (), (correlation_id, success, error, error_code, payload))

struct stream_frame {
    std::string correlation_id;
    std::int64_t sequence = 0;
    bool is_final = false;
    std::optional<std::string> error;
    std::optional<std::string> error_code;
    std::optional<troupe::value> payload;
};
BOOST_DESCRIBE_STRUCT(stream_frame, (),
                      (correlation_id, sequence, is_final, error, error_code, payload))

struct subscription_request {
    std::string correlation_id;
    std::vector<std::string> message_types;
};
BOOST_DESCRIBE_STRUCT(subscription_request, (), (correlation_id, message_types))

struct subscription_response {
    std::string correlation_id;
    bool success = true;
    std::optional<std::string> error;
    std::optional<std::string> error_code;
    std::optional<std::vector<std::string>> subscribed_types;
};
BOOST_DESCRIBE_STRUCT(subscription_response, (),
                      (correlation_id, success, error, error_code, subscribed_types))

struct discover_request {
    std::string correlation_id;
    std::optional<bool> include_actors;         // default true
    std::optional<bool> include_message_types;  // default true
};
BOOST_DESCRIBE_STRUCT(discover_request, (), (correlation_id, include_actors, include_message_types))

struct protocol_capabilities {
    bool messagepack = true;
    bool streaming = true;
    bool push = true;
    bool discovery = true;
};
BOOST_DESCRIBE_STRUCT(protocol_capabilities, (), (messagepack, streaming, push, discovery))

struct protocol_version_info {
    std::int64_t current = protocol_version;
    std::int64_t min_supported = min_protocol_version;
    std::int64_t max_supported = protocol_version;
    protocol_capabilities capabilities;
};
BOOST_DESCRIBE_STRUCT(protocol_version_info, (),
                      (current, min_supported, max_supported, capabilities))

struct actor_info {
    std::string name;
    std::vector<std::string> message_types;  // troupe: what this actor handles
};
BOOST_DESCRIBE_STRUCT(actor_info, (), (name, message_types))

struct discover_response {
    std::string correlation_id;
    bool success = true;
    std::optional<std::string> error;
    std::optional<protocol_version_info> protocol_version;
    std::optional<std::vector<actor_info>> actors;
    std::optional<std::vector<std::string>> message_types;
};
BOOST_DESCRIBE_STRUCT(discover_response, (),
                      (correlation_id, success, error, protocol_version, actors, message_types))

struct push {
    std::string notification_id;
    std::string message_type;
    std::optional<std::string> source_actor;
    troupe::value payload;
    std::int64_t timestamp_ms = 0;
};
BOOST_DESCRIBE_STRUCT(push, (),
                      (notification_id, message_type, source_actor, payload, timestamp_ms))

/// Why a payload could not be read, and the correlation id to answer it with.
struct refusal {
    std::string correlation_id{unknown_correlation_id};
    failure why;
};

/// Decodes a frame's payload as T (one of the structs above). Unknown fields are ignored,
/// so newer clients can add fields. A request also reads in MessagePack's positional form
/// (an array of the fields in the order above), which some serializers write for structs.
template <class T>
std::optional<T> read_envelope(const frame& f, refusal& why);

/// Appends a frame carrying `body` (one of the structs above) in format `f`. Writes an
/// error frame instead if `body` cannot be encoded (a NaN in a payload...), so the peer
/// always gets an answer, and returns false.
template <class T>
bool append_envelope(std::string& out, frame_type type, codec::format f, std::uint8_t version,
                     const T& body);

/// The error frame (type 0x03) for `why`.
void append_error(std::string& out, codec::format f, std::uint8_t version,
                  std::string_view correlation_id, const failure& why);

/// Milliseconds since the Unix epoch (for push timestamps).
std::int64_t unix_ms() noexcept;

}  // namespace troupe::ipc

#pragma once
// The error codes of the IPC protocol (the `error_code` strings of error frames), and how a
// troupe error maps onto them.
//
//   ipc::failure f{ipc::code::actor_not_found, "no actor is exposed as \"kv\""};
//   to_string(f.what);                    // "ACTOR_NOT_FOUND"
//   ipc::code_from_string("TIMEOUT");     // code::timeout

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <troupe/error.hpp>

namespace troupe::ipc {

enum class code : std::uint8_t {
    unknown_message_type,          // the target does not handle the message type
    actor_not_found,               // no live actor is exposed under the target name
    serialization_error,           // bytes that are not JSON/MessagePack; a payload that
                                   // does not fit the message type
    target_busy,                   // the actor's bounded mailbox is full
    connection_closed,             // (client side) the connection closed with the request open
    protocol_error,                // a bad frame: type, format, size, envelope fields
    io_error,                      // (client side) the socket failed
    timeout,                       // no reply within response_timeout_ms
    rate_limited,                  // the connection's token bucket is empty
    shutting_down,                 // the server is stopping and takes no new requests
    unsupported_protocol_version,  // a version byte other than 1 or 2
    connection_limit_reached,      // the server has max_connections connections already
    handler_failed,                // troupe: the handler threw or the actor died handling it
    permission_denied,             // troupe: the authorisation hook refused the peer
};

/// The wire name: "ACTOR_NOT_FOUND".
std::string_view to_string(code c) noexcept;
/// The code named `name`, if it is one.
std::optional<code> code_from_string(std::string_view name) noexcept;
/// The protocol code for a troupe error (an ask's timeout is TIMEOUT, a full mailbox
/// TARGET_BUSY, a codec decoding error SERIALIZATION_ERROR...).
code code_of(const troupe::error& e) noexcept;

/// An error as it travels in an error frame.
struct failure {
    code what = code::protocol_error;
    std::string message;
};

/// The failure for a troupe error: its code and its message.
failure failure_of(const troupe::error& e);

}  // namespace troupe::ipc

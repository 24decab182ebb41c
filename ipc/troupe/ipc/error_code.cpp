#include <array>
#include <utility>

#include <troupe/ipc/error_code.hpp>

namespace troupe::ipc {

namespace {

constexpr std::array<std::pair<code, std::string_view>, 14> names{{
    {code::unknown_message_type, "UNKNOWN_MESSAGE_TYPE"},
    {code::actor_not_found, "ACTOR_NOT_FOUND"},
    {code::serialization_error, "SERIALIZATION_ERROR"},
    {code::target_busy, "TARGET_BUSY"},
    {code::connection_closed, "CONNECTION_CLOSED"},
    {code::protocol_error, "PROTOCOL_ERROR"},
    {code::io_error, "IO_ERROR"},
    {code::timeout, "TIMEOUT"},
    {code::rate_limited, "RATE_LIMITED"},
    {code::shutting_down, "SHUTTING_DOWN"},
    {code::unsupported_protocol_version, "UNSUPPORTED_PROTOCOL_VERSION"},
    {code::connection_limit_reached, "CONNECTION_LIMIT_REACHED"},
    {code::handler_failed, "HANDLER_FAILED"},
    {code::permission_denied, "PERMISSION_DENIED"},
}};

}  // namespace

std::string_view to_string(code c) noexcept {
    for (const auto& [k, name] : names) {
        if (k == c) return name;
    }
    return "PROTOCOL_ERROR";
}

std::optional<code> code_from_string(std::string_view name) noexcept {
    for (const auto& [k, n] : names) {
        if (n == name) return k;
    }
    return std::nullopt;
}

code code_of(const troupe::error& e) noexcept {
    switch (e.code()) {
        case errc::timeout:
            return code::timeout;
        case errc::no_such_actor:
            return code::actor_not_found;
        case errc::mailbox_full:
            return code::target_busy;
        case errc::not_found:
            return code::unknown_message_type;
        case errc::bad_message:
        case errc::bad_reply_type:
        case errc::invalid_argument:
            return code::serialization_error;
        case errc::shutting_down:
            return code::shutting_down;
        case errc::handler_failed:
        case errc::no_reply:
        case errc::start_failed:
        case errc::cancelled:
        case errc::duplicate_name:
            return code::handler_failed;
    }
    return code::handler_failed;
}

failure failure_of(const troupe::error& e) {
    return failure{code_of(e), e.reason().empty() ? std::string{to_string(e.code())} : e.reason()};
}

}  // namespace troupe::ipc

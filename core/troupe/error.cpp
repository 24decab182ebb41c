#include <troupe/error.hpp>

namespace troupe {

std::string_view to_string(errc code) noexcept {
    switch (code) {
        case errc::timeout:
            return "timeout";
        case errc::no_such_actor:
            return "no such actor";
        case errc::mailbox_full:
            return "mailbox full";
        case errc::handler_failed:
            return "handler failed";
        case errc::no_reply:
            return "no reply";
        case errc::bad_reply_type:
            return "bad reply type";
        case errc::start_failed:
            return "start failed";
        case errc::duplicate_name:
            return "duplicate name";
        case errc::not_found:
            return "not found";
        case errc::shutting_down:
            return "shutting down";
        case errc::cancelled:
            return "cancelled";
        case errc::invalid_argument:
            return "invalid argument";
        case errc::bad_message:
            return "bad message";
    }
    return "unknown error";
}

std::string error::message() const {
    std::string out{to_string(code_)};
    if (!reason_.empty()) {
        out += ": ";
        out += reason_;
    }
    return out;
}

}  // namespace troupe

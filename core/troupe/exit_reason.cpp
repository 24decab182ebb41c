#include <troupe/exit_reason.hpp>

namespace troupe {

std::string exit_reason::to_string() const {
    const char* name = "normal";
    switch (kind_) {
        case kind::normal:
            name = "normal";
            break;
        case kind::shutdown:
            name = "shutdown";
            break;
        case kind::kill:
            name = "kill";
            break;
        case kind::killed:
            name = "killed";
            break;
        case kind::error:
            name = "error";
            break;
        case kind::noproc:
            name = "noproc";
            break;
        case kind::noconnection:
            name = "noconnection";
            break;
    }
    std::string out = name;
    if (!detail_.empty()) {
        out += '{';
        out += detail_;
        out += '}';
    }
    return out;
}

}  // namespace troupe

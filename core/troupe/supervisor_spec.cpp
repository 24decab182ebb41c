#include <set>

#include <troupe/detail/supervision.hpp>
#include <troupe/supervisor_spec.hpp>

namespace troupe {

std::string_view to_string(restart_type r) noexcept {
    switch (r) {
        case restart_type::permanent:
            return "permanent";
        case restart_type::transient:
            return "transient";
        case restart_type::temporary:
            return "temporary";
    }
    return "unknown";
}

std::string_view to_string(child_type t) noexcept {
    return t == child_type::supervisor ? "supervisor" : "worker";
}

std::string_view to_string(restart_strategy s) noexcept {
    switch (s) {
        case restart_strategy::one_for_one:
            return "one_for_one";
        case restart_strategy::one_for_all:
            return "one_for_all";
        case restart_strategy::rest_for_one:
            return "rest_for_one";
    }
    return "unknown";
}

std::string shutdown_policy::to_string() const {
    switch (kind_) {
        case kind::brutal_kill:
            return "brutal_kill";
        case kind::infinity:
            return "infinity";
        case kind::timeout:
            break;
    }
    return "timeout(" + detail::to_millis(grace_) + ")";
}

shutdown_policy effective_shutdown(std::optional<shutdown_policy> s, child_type t) noexcept {
    if (s) return *s;
    return t == child_type::supervisor ? shutdown_policy::infinity()
                                       : shutdown_policy::timeout(std::chrono::seconds(5));
}

std::optional<error> check_child_spec(const child_spec& c) {
    if (c.id.empty()) {
        return error{errc::invalid_argument,
                     "a child spec has an empty id; give every child a "
                     "unique, non-empty id"};
    }
    if (!c.start) {
        return error{errc::invalid_argument,
                     "child '" + c.id +
                         "' has no start function; use child_spec::worker<A>(id, "
                         "args...) or set `start`"};
    }
    if (c.shutdown && !c.shutdown->is_brutal_kill() && !c.shutdown->is_infinity() &&
        c.shutdown->grace() < duration::zero()) {
        return error{errc::invalid_argument, "child '" + c.id +
                                                 "' has a negative shutdown timeout (" +
                                                 c.shutdown->to_string() + ")"};
    }
    if (c.start_timeout && *c.start_timeout <= duration::zero()) {
        return error{errc::invalid_argument,
                     "child '" + c.id + "' has a start_timeout of " +
                         detail::to_millis(*c.start_timeout) +
                         "; it must be positive (duration::max() waits forever)"};
    }
    return std::nullopt;
}

std::optional<error> check_supervisor_spec(const supervisor_spec& s) {
    if (s.max_restarts < 0) {
        return error{errc::invalid_argument, "max_restarts is " + std::to_string(s.max_restarts) +
                                                 "; it must be 0 or more"};
    }
    if (s.period <= duration::zero()) {
        return error{
            errc::invalid_argument,
            "the restart period is " + detail::to_millis(s.period) + "; it must be positive"};
    }
    std::set<std::string> ids;
    for (const auto& c : s.children) {
        if (auto bad = check_child_spec(c)) return bad;
        if (!ids.insert(c.id).second) {
            return error{errc::duplicate_name,
                         "two children have the id '" + c.id + "'; ids must be unique"};
        }
    }
    return std::nullopt;
}

}  // namespace troupe

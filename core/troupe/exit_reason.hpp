#pragma once
// Why an actor exited. Erlang's vocabulary: normal, shutdown, killed, error{what}, noproc,
// noconnection. Comparable and printable.

#include <cstdint>
#include <ostream>
#include <string>
#include <utility>

namespace troupe {

class exit_reason {
public:
    enum class kind : std::uint8_t {
        normal,        // finished its work, or stopped on request
        shutdown,      // asked to shut down by its supervisor or the node
        kill,          // sent as a signal: untrappable
        killed,        // what linked actors see after a kill
        error,         // a handler threw, a start hook failed, a runaway script...
        noproc,        // the target did not exist
        noconnection,  // the target's node is unreachable (cluster)
    };

    exit_reason() = default;
    explicit exit_reason(kind k, std::string detail = {}) : kind_(k), detail_(std::move(detail)) {}

    static exit_reason normal() { return exit_reason{kind::normal}; }
    static exit_reason shutdown(std::string detail = {}) {
        return exit_reason{kind::shutdown, std::move(detail)};
    }
    static exit_reason kill() { return exit_reason{kind::kill}; }
    static exit_reason killed() { return exit_reason{kind::killed}; }
    static exit_reason error(std::string what) { return exit_reason{kind::error, std::move(what)}; }
    static exit_reason noproc() { return exit_reason{kind::noproc}; }
    static exit_reason noconnection() { return exit_reason{kind::noconnection}; }

    kind what() const noexcept { return kind_; }
    const std::string& detail() const noexcept { return detail_; }
    /// Only `normal` leaves linked actors alone.
    bool is_normal() const noexcept { return kind_ == kind::normal; }
    /// normal, shutdown and shutdown{detail} are orderly; everything else is abnormal (a
    /// transient child is restarted only after an abnormal exit, as in OTP).
    bool is_abnormal() const noexcept { return kind_ != kind::normal && kind_ != kind::shutdown; }

    /// "normal", "shutdown", "shutdown{detail}", "killed", "error{what}", ...
    std::string to_string() const;

    friend bool operator==(const exit_reason&, const exit_reason&) = default;
    friend std::ostream& operator<<(std::ostream& os, const exit_reason& r) {
        return os << r.to_string();
    }

private:
    kind kind_ = kind::normal;
    std::string detail_;
};

}  // namespace troupe

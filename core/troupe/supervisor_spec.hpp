#pragma once
// What a supervisor is told to do: the declarative half of supervision, as OTP's child
// specs and supervisor flags.
//
//   troupe::spawn_options registered;
//   registered.register_as = "cache";  // whereis("cache") finds the current one
//   troupe::supervisor_spec spec{
//       .strategy = troupe::restart_strategy::rest_for_one,
//       .max_restarts = 3,  // more than 3 restarts within 5 s: give up (exit `shutdown`)
//       .period = 5s,
//       .children = {
//           troupe::child_spec::worker<database>("db", "postgres://..."),
//           troupe::child_spec::worker_with<cache>("cache", registered),
//           troupe::child_spec::worker<mailer>("mailer")
//               .with_restart(troupe::restart_type::transient)
//               .with_shutdown(troupe::shutdown_policy::brutal_kill()),
//           troupe::child_spec::supervisor("jobs", jobs_spec),  // a nested supervisor
//       }};
//
// A child spec is an id, a start function and four options:
//  - restart: permanent (always restarted), transient (only after an abnormal exit: not
//    normal, shutdown or shutdown{...}), temporary (never; forgotten once it exits);
//  - shutdown: brutal_kill (killed at once), timeout(d) (sent `shutdown`, killed if still
//    there after d; 5 s by default for workers) or infinity (the default for supervisors);
//  - type: worker or supervisor (only counts and the shutdown default depend on it);
//  - start_timeout: set, the child starts "with acknowledgement": after its start function
//    returned, the supervisor waits up to that long for the child to call init_done()
//    (duration::max(): no limit). Nested supervisors do so by default: they acknowledge once
//    all their own children have started, so a tree comes up in order, level by level.
//
// The start function runs inside the supervisor, which links the address it returns (so a
// start function that spawned without link is still supervised). Returning a null address
// means "ignore": the child is not started (and a temporary one is forgotten), as OTP's
// `ignore`. worker<A>/worker_with<A> copy their arguments into the spec and construct a new
// A from copies at each (re)start, spawned linked, named after the id unless opts.name says
// otherwise.

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <troupe/address.hpp>
#include <troupe/clock.hpp>
#include <troupe/error.hpp>
#include <troupe/node.hpp>
#include <troupe/spawn_options.hpp>

namespace troupe {

enum class restart_type : std::uint8_t { permanent, transient, temporary };
enum class child_type : std::uint8_t { worker, supervisor };
enum class restart_strategy : std::uint8_t { one_for_one, one_for_all, rest_for_one };

std::string_view to_string(restart_type r) noexcept;
std::string_view to_string(child_type t) noexcept;
std::string_view to_string(restart_strategy s) noexcept;

/// How a supervisor stops a child: brutal_kill, timeout(d) or infinity.
class shutdown_policy {
public:
    /// exit(child, kill) at once.
    static shutdown_policy brutal_kill() noexcept { return shutdown_policy{kind::brutal_kill, {}}; }
    /// exit(child, shutdown), then exit(child, kill) if it has not exited after `d`.
    static shutdown_policy timeout(duration d) noexcept {
        return shutdown_policy{kind::timeout, d};
    }
    /// exit(child, shutdown), then wait as long as it takes (supervisors' default).
    static shutdown_policy infinity() noexcept { return shutdown_policy{kind::infinity, {}}; }

    bool is_brutal_kill() const noexcept { return kind_ == kind::brutal_kill; }
    bool is_infinity() const noexcept { return kind_ == kind::infinity; }
    /// The grace period of timeout(d); zero for the other two.
    duration grace() const noexcept { return grace_; }
    /// "brutal_kill", "infinity", "timeout(5000ms)"
    std::string to_string() const;

    friend bool operator==(const shutdown_policy&, const shutdown_policy&) = default;

private:
    enum class kind : std::uint8_t { brutal_kill, timeout, infinity };
    shutdown_policy(kind k, duration d) noexcept : kind_(k), grace_(d) {}
    kind kind_;
    duration grace_;
};

/// Starts one child, inside the supervisor (so spawn_options::link links it to the
/// supervisor). Returns its address, a null address to be ignored, or an error.
using start_fn = std::function<result<address>(node&)>;

struct supervisor_spec;
template <class... Args>
struct uniform_spec;

struct child_spec {
    std::string id{};
    start_fn start{};
    restart_type restart = restart_type::permanent;
    /// Unset: timeout(5 s) for a worker, infinity for a supervisor.
    std::optional<shutdown_policy> shutdown{};
    child_type type = child_type::worker;
    /// Set: wait for the child's init_done() after its start function returned, up to this
    /// long (duration::max(): no limit). Late: the child is killed and the start fails with
    /// errc::timeout; an exit first fails the start with the child's exit reason.
    std::optional<duration> start_timeout{};

    /// A worker A(args...), spawned linked and named `id`. The arguments are copied for each
    /// (re)start.
    template <class A, class... Args>
    static child_spec worker(std::string id, Args... args) {
        return worker_with<A>(std::move(id), spawn_options{}, std::move(args)...);
    }
    /// The same with spawn options (a name to register_as, a mailbox capacity...).
    template <class A, class... Args>
    static child_spec worker_with(std::string id, spawn_options opts, Args... args) {
        opts.link = true;
        if (opts.name.empty()) opts.name = id;
        child_spec c;
        c.id = std::move(id);
        c.start = [opts = std::move(opts), ... args = std::move(args)](node& n) -> result<address> {
            auto spawned = n.template spawn_with<A>(opts, args...);
            if (!spawned) return spawned.error();
            return spawned->addr();
        };
        return c;
    }
    /// A nested supervisor (type supervisor, shutdown infinity, started with
    /// acknowledgement: it counts as started once all its children are). Defined in
    /// supervisor.cpp.
    static child_spec supervisor(std::string id, supervisor_spec spec, spawn_options opts = {});
    /// A nested uniform supervisor of `spec`'s children. Defined in uniform_supervisor.hpp.
    template <class... Args>
    static child_spec uniform(std::string id, uniform_spec<Args...> spec, spawn_options opts = {});

    // Chainable setters: child_spec::worker<A>("a").with_restart(restart_type::transient).
    child_spec with_restart(restart_type r) && {
        restart = r;
        return std::move(*this);
    }
    child_spec with_shutdown(shutdown_policy s) && {
        shutdown = s;
        return std::move(*this);
    }
    child_spec with_type(child_type t) && {
        type = t;
        return std::move(*this);
    }
    child_spec with_start_timeout(duration d) && {
        start_timeout = d;
        return std::move(*this);
    }
};

/// The shutdown policy in force: the spec's, else OTP's default for the child type.
shutdown_policy effective_shutdown(std::optional<shutdown_policy> s, child_type t) noexcept;

/// A supervisor's flags and its static children, started in this order.
struct supervisor_spec {
    restart_strategy strategy = restart_strategy::one_for_one;
    /// More than max_restarts restarts within `period`: the supervisor shuts its children
    /// down and exits with reason shutdown. OTP's default: 1 in 5 s.
    int max_restarts = 1;
    duration period = std::chrono::seconds(5);
    std::vector<child_spec> children{};
};

/// One row of which_children(), in start order.
struct child_info {
    std::string id{};  // empty for a uniform supervisor's children
    address addr{};    // null while the child is not running
    child_type type = child_type::worker;
    restart_type restart = restart_type::permanent;
    friend bool operator==(const child_info&, const child_info&) = default;
};

/// count_children(): specs, children alive, and specs by type (OTP's counts).
struct child_counts {
    std::size_t specs = 0;
    std::size_t active = 0;
    std::size_t supervisors = 0;
    std::size_t workers = 0;
    friend bool operator==(const child_counts&, const child_counts&) = default;
};

/// What is wrong with a child spec (empty id, no start function, negative times), or
/// nothing.
std::optional<error> check_child_spec(const child_spec& c);
/// The same for a supervisor spec: its flags, each child, and duplicate ids.
std::optional<error> check_supervisor_spec(const supervisor_spec& s);

}  // namespace troupe

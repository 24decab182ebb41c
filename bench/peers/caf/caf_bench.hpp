#pragma once
// What the CAF peer programs share: the `workers=K` setting, the failure path and the atoms.

#include <algorithm>
#include <cstdarg>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include <caf/all.hpp>

#include "../../bench_cli.hpp"

namespace caf_bench {

using done_atom = caf::atom_constant<caf::atom("done")>;
using count_atom = caf::atom_constant<caf::atom("count")>;
using go_atom = caf::atom_constant<caf::atom("go")>;

/// Sets the scheduler's worker threads to `workers`, or to one per hardware thread if 0:
/// CAF 0.17's own default is max(4, hardware threads).
inline void set_workers(caf::actor_system_config& cfg, std::size_t workers) {
    if (workers == 0) workers = std::max(1u, std::thread::hardware_concurrency());
    cfg.set("scheduler.max-threads", workers);
}

/// Prints the message on stderr and exits with code 1 at once: actors may still be waiting,
/// and the actor system's destructor would wait for them.
[[noreturn]] inline void fail(const char* fmt, ...) {
    std::va_list ap;
    va_start(ap, fmt);
    std::vfprintf(stderr, fmt, ap);
    va_end(ap);
    std::fputc('\n', stderr);
    std::fflush(stderr);
    std::_Exit(1);
}

}  // namespace caf_bench

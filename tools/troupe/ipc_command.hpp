#pragma once
// `troupe ipc ...`: one request to a running troupe program's IPC server per run (or a
// subscription that prints pushes as they come).

#include <string>
#include <vector>

namespace troupe_cli {

/// Exit codes: the command did its work, the server or the connection failed, bad usage.
inline constexpr int exit_ok = 0;
inline constexpr int exit_failed = 1;
inline constexpr int exit_usage = 2;

/// The help text of `troupe ipc`.
extern const char* const ipc_usage;

/// Runs `troupe ipc` with the arguments that follow "ipc"; returns the exit code.
int run_ipc(const std::vector<std::string>& argv);

}  // namespace troupe_cli

#pragma once
// The socket's place in the file system: the default path, a private directory for it,
// and what is already at the path (a live server, or a stale file to replace).

#include <string>
#include <string_view>

#include <troupe/error.hpp>

namespace troupe::ipc::internal {

/// Creates the socket's directory if needed (mode 0700); with `private_dir` (the default
/// path), also checks that a directory we did not create is ours and writable by nobody
/// else. Then looks at the path: a server
/// answering there is an error ("another server is listening"); a file nobody answers on
/// is removed. Fails for paths too long for a Unix socket (107 bytes).
result<void> prepare_socket_path(const std::string& path, bool private_dir);

/// Removes the socket file if it is still a socket (at shutdown).
void remove_socket_file(const std::string& path) noexcept;

}  // namespace troupe::ipc::internal

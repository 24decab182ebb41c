#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <troupe/ipc/internal/socket_file.hpp>
#include <troupe/ipc/server.hpp>

namespace troupe::ipc {

std::string default_socket_path(std::string_view app) {
    std::string name{app.empty() ? std::string_view{"troupe"} : app};
    name += ".sock";
    if (const char* runtime = std::getenv("XDG_RUNTIME_DIR"); runtime && *runtime) {
        return std::string{runtime} + "/troupe/" + name;
    }
    return "/tmp/troupe-" + std::to_string(::getuid()) + "/" + name;
}

}  // namespace troupe::ipc

namespace troupe::ipc::internal {

namespace {

error io_failure(std::string what, int err) {
    return error{errc::invalid_argument, std::move(what) + ": " + std::strerror(err)};
}

std::string octal(unsigned mode) {
    char text[8];
    std::snprintf(text, sizeof text, "0%03o", mode);
    return text;
}

result<void> ensure_dir(const std::string& dir, bool private_dir) {
    if (::mkdir(dir.c_str(), 0700) == 0) return {};
    if (errno != EEXIST) return io_failure("cannot create the socket directory " + dir, errno);
    if (!private_dir) return {};
    struct stat st {};
    if (::lstat(dir.c_str(), &st) != 0) return io_failure("cannot inspect " + dir, errno);
    if (!S_ISDIR(st.st_mode)) {
        return error{errc::invalid_argument,
                     dir +
                         " exists and is not a directory; remove it or choose another "
                         "socket path (server_config::socket_path)"};
    }
    if (st.st_uid != ::getuid()) {
        return error{errc::invalid_argument,
                     "the socket directory " + dir + " belongs to uid " +
                         std::to_string(st.st_uid) + ", not to this process (uid " +
                         std::to_string(::getuid()) + "); choose another socket path"};
    }
    if ((st.st_mode & 0022) != 0) {
        return error{errc::invalid_argument, "the socket directory " + dir +
                                                 " is writable by others (mode " +
                                                 octal(st.st_mode & 0777) +
                                                 "); make it 0700 or choose another socket path"};
    }
    return {};
}

// True if a server accepts connections at `path`.
bool someone_listens(const std::string& path) {
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return false;
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
    const bool live = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    ::close(fd);
    return live;
}

}  // namespace

result<void> prepare_socket_path(const std::string& path, bool private_dir) {
    if (path.empty()) return error{errc::invalid_argument, "the socket path is empty"};
    if (path.size() >= sizeof(sockaddr_un::sun_path)) {
        return error{errc::invalid_argument, "the socket path \"" + path + "\" is " +
                                                 std::to_string(path.size()) +
                                                 " bytes; a Unix socket path has at most " +
                                                 std::to_string(sizeof(sockaddr_un::sun_path) - 1)};
    }
    const auto slash = path.rfind('/');
    if (slash != std::string::npos && slash > 0) {
        const std::string dir = path.substr(0, slash);
        // The parent of our directory must exist ($XDG_RUNTIME_DIR, /tmp).
        if (auto ok = ensure_dir(dir, private_dir); !ok) return ok;
    }
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) {
        if (errno == ENOENT) return {};
        return io_failure("cannot inspect " + path, errno);
    }
    if (!S_ISSOCK(st.st_mode)) {
        return error{errc::invalid_argument,
                     path + " exists and is not a socket; remove it or choose another path"};
    }
    if (someone_listens(path)) {
        return error{errc::duplicate_name, "another server is listening at " + path +
                                               "; stop it or choose another app name or "
                                               "socket path"};
    }
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
        return io_failure("cannot remove the stale socket " + path, errno);
    }
    return {};
}

void remove_socket_file(const std::string& path) noexcept {
    struct stat st {};
    if (::lstat(path.c_str(), &st) == 0 && S_ISSOCK(st.st_mode)) ::unlink(path.c_str());
}

}  // namespace troupe::ipc::internal

#pragma once
// Runs a client program in another process and shows what it printed, indented.
#include <cstdio>
#include <iostream>
#include <string>

namespace my_service {

inline void run_client(const char* who, const std::string& command) {
    std::cout << "-- " << who << std::endl;
    FILE* out = ::popen((command + " 2>&1").c_str(), "r");
    if (!out) return;
    char line[512];
    while (std::fgets(line, sizeof line, out)) std::cout << "   " << line;
    const int status = ::pclose(out);
    if (status != 0) std::cout << "   (" << who << " exited with status " << status << ")\n";
    std::cout.flush();
}

/// The command line that runs `program` with the socket in TROUPE_IPC_SOCKET.
inline std::string with_socket(const std::string& socket, const std::string& program) {
    return "TROUPE_IPC_SOCKET=" + socket + " " + program;
}

}  // namespace my_service

#pragma once
// What every workload program in bench/ shares (see bench/README.md): its command line,
// `[V1 [V2 ...]] [workers=K]`, a wall-clock stopwatch, and readings of the process's
// resident memory and CPU time (the idle workload).
//
//  - Values are positive integers, positional, each with a default.
//  - `workers=K` (K >= 1) sets the node's worker threads; absent, one per hardware thread.
//  - `--help`, `-h` or anything malformed prints the Usage line and exits with code 2
//    (on stdout for --help, on stderr after an error message otherwise).

#include <unistd.h>

#include <charconv>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <initializer_list>
#include <string_view>
#include <system_error>
#include <vector>

#include <sys/resource.h>

namespace bench {

struct cli {
    std::vector<std::uint64_t> values;  // one per default, in order
    std::size_t workers = 0;            // 0: one per hardware thread
};

[[noreturn]] inline void usage(std::string_view usage_line, bool asked) {
    std::fprintf(asked ? stdout : stderr, "Usage: %.*s\n", static_cast<int>(usage_line.size()),
                 usage_line.data());
    std::exit(2);
}

inline bool parse_positive(std::string_view s, std::uint64_t& out) {
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc{} && end == s.data() + s.size() && out > 0;
}

/// Parses argv against `defaults`; on --help or a bad argument prints `usage_line` and exits.
inline cli parse(int argc, char** argv, std::string_view usage_line,
                 std::initializer_list<std::uint64_t> defaults) {
    cli c{std::vector<std::uint64_t>(defaults), 0};
    std::size_t positional = 0;
    for (int i = 1; i < argc; ++i) {
        std::string_view arg{argv[i]};
        if (arg == "--help" || arg == "-h") usage(usage_line, true);
        std::uint64_t v = 0;
        if (arg.starts_with("workers=")) {
            if (!parse_positive(arg.substr(8), v)) {
                std::fprintf(stderr, "bad worker count: %s\n", argv[i]);
                usage(usage_line, false);
            }
            c.workers = static_cast<std::size_t>(v);
        } else if (positional < c.values.size() && parse_positive(arg, v)) {
            c.values[positional++] = v;
        } else {
            std::fprintf(stderr, "bad argument: %s\n", argv[i]);
            usage(usage_line, false);
        }
    }
    return c;
}

class stopwatch {
public:
    void start() noexcept { t0_ = clock::now(); }
    double elapsed_s() const noexcept {
        return std::chrono::duration<double>(clock::now() - t0_).count();
    }

private:
    using clock = std::chrono::steady_clock;
    clock::time_point t0_ = clock::now();
};

/// Resident bytes of this process (from /proc/self/statm), or 0 if it cannot be read.
inline std::uint64_t resident_bytes() {
    std::FILE* f = std::fopen("/proc/self/statm", "r");
    if (!f) return 0;
    unsigned long long size = 0, resident = 0;
    const int read = std::fscanf(f, "%llu %llu", &size, &resident);
    std::fclose(f);
    return read == 2 ? resident * static_cast<std::uint64_t>(sysconf(_SC_PAGESIZE)) : 0;
}

/// CPU time (user + system, all threads) this process has used so far, in seconds.
inline double cpu_seconds() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    auto s = [](const timeval& t) {
        return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) * 1e-6;
    };
    return s(u.ru_utime) + s(u.ru_stime);
}

}  // namespace bench

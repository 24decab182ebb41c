// The fuzz corpus as a regression test: every input the fuzzers keep in the repository (the
// seeds, and each input that once found a bug) goes through the fuzzers' own checks
// (../checks.hpp), built with the normal compiler, in the normal test run.
//
//   troupe_codec_fuzz_corpus <corpus folder>     # codec/fuzz/corpus
//
// A broken check prints the property, the input's path and the details, and aborts.

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include "checks.hpp"

namespace {

struct target {
    const char* name;  // the fuzzer, and its folder in the corpus
    void (*check)(std::string_view);
};

constexpr target targets[] = {
    {"fuzz_json_value", fuzz::check_json_value},
    {"fuzz_msgpack_value", fuzz::check_msgpack_value},
    {"fuzz_described", fuzz::check_described},
};

std::string read_file(const std::filesystem::path& p) {
    std::ifstream in{p, std::ios::binary};
    return {std::istreambuf_iterator<char>{in}, std::istreambuf_iterator<char>{}};
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "Usage: %s <corpus folder>\n", argv[0]);
        return 2;
    }
    const std::filesystem::path root{argv[1]};
    std::size_t total = 0;
    for (const target& t : targets) {
        std::vector<std::filesystem::path> files;
        for (const auto& e : std::filesystem::directory_iterator{root / t.name})
            if (e.is_regular_file()) files.push_back(e.path());
        std::sort(files.begin(), files.end());
        if (files.empty()) {
            std::fprintf(stderr, "%s: no inputs in %s\n", t.name, (root / t.name).c_str());
            return 1;
        }
        for (const auto& f : files) {
            fuzz::input_name() = f.string();
            t.check(read_file(f));
        }
        std::printf("%s: %zu inputs checked\n", t.name, files.size());
        total += files.size();
    }
    std::printf("%zu passed, 0 failed\n", total);
    return 0;
}

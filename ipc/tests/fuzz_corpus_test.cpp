// The frame fuzzer's corpus (ipc/fuzz/corpus) through the fuzzer's checks in the normal
// build, so that an input that once broke the decoder stays a test.
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "../fuzz/checks.hpp"

TEST(IpcFuzzCorpus, EveryInputPassesTheFuzzersChecks) {
    const std::filesystem::path dir{TROUPE_IPC_FUZZ_CORPUS};
    std::size_t n = 0;
    for (const auto& entry : std::filesystem::directory_iterator{dir}) {
        std::ifstream in{entry.path(), std::ios::binary};
        std::stringstream bytes;
        bytes << in.rdbuf();
        ipc_fuzz::check_stream(bytes.str());  // aborts with a message on a failed check
        ++n;
    }
    EXPECT_GE(n, 16u) << "the corpus at " << dir << " is missing";
}

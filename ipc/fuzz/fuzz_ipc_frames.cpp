// libFuzzer target: a client's byte stream -> frames -> envelopes, checked by check_stream
// (checks.hpp).

#include <cstddef>
#include <cstdint>

#include "checks.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    ipc_fuzz::check_stream({reinterpret_cast<const char*>(data), size});
    return 0;
}

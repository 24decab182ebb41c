// libFuzzer target: a selector byte, then JSON or MessagePack -> fuzz::everything or
// fuzz::tree (messages.hpp), checked by check_described (checks.hpp).

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "checks.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    fuzz::check_described({reinterpret_cast<const char*>(data), size});
    return 0;
}

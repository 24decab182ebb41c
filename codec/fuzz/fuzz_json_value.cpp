// libFuzzer target: JSON text -> troupe::value, checked by check_json_value (checks.hpp).

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "checks.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    fuzz::check_json_value({reinterpret_cast<const char*>(data), size});
    return 0;
}

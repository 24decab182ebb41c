#pragma once
// Limits and policies for decoding untrusted input and for encoding. The defaults suit
// messages between processes; raise them for bulk data, lower them for exposed endpoints.

#include <cstddef>
#include <cstdint>

namespace troupe::codec {

/// What a decoder does with a field that the described type does not have.
enum class extra_fields : std::uint8_t {
    reject,  // an error naming the field (the default: catches typos and version skew)
    ignore,  // skip it (lets older readers accept newer writers' messages)
};

struct options {
    /// The largest input a decoder reads, in bytes (16 MiB). Longer input is an error
    /// before any parsing.
    std::size_t max_size = 16 * 1024 * 1024;
    /// The deepest nesting of arrays and maps a decoder accepts, and an encoder writes
    /// (64). Deeper input is an error, never a deep recursion.
    std::size_t max_depth = 64;
    /// Fields that the target type does not describe.
    extra_fields extra = extra_fields::reject;
    /// Encoding: leave out a struct field whose std::optional is empty instead of writing
    /// null (protocols whose readers tell "absent" from null).
    bool omit_empty_optionals = false;
};

}  // namespace troupe::codec

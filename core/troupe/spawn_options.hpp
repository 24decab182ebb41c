#pragma once

#include <cstddef>
#include <string>

namespace troupe {

/// How to spawn an actor. All fields are optional.
struct spawn_options {
    /// Shown in logs beside the address; defaults to the actor's type name.
    std::string name;
    /// Mailbox capacity for user messages; 0 = unbounded (the default).
    std::size_t capacity = 0;
    /// Register the actor under this name once it has started (see node::register_name).
    std::string register_as;
};

}  // namespace troupe

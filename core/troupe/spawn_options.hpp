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
    /// Register the actor under this name before its start hook runs, as OTP does (see
    /// node::register_name); a taken name fails the spawn with duplicate_name, and the actor
    /// never starts. The name goes away when the actor exits.
    std::string register_as;
    /// Link the new actor to the actor that spawns it (Erlang's spawn_link), atomically:
    /// the link exists before the new actor handles its first message, so it cannot exit
    /// unnoticed. Only from inside an actor. If the start hook fails, spawn returns the
    /// error and no exit signal is sent (the actor never ran).
    bool link = false;
};

}  // namespace troupe

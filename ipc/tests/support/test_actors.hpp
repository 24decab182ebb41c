#pragma once
// The messages of the actors the IPC tests talk to, and the function that spawns and
// exposes those actors (support/test_actors.cpp). The same actors serve the test server
// program that the Python, Node.js and CLI tests start.
//
//   "my-service"  SetValue -> null, GetValue -> int or null (acton-reactive's example)
//   "echo"        Echo -> the same Echo
//   "slow"        Sleep{ms} -> ms, after ms milliseconds, serving others meanwhile
//   "flaky"       supervised: Crash fails the handler, Generation counts its starts
//   "counter"     Count{n} -> [1..n] (streamed when the client asks for a stream)
//   "publisher"   Emit{n} broadcasts n Ticks, then answers n
//   "busy"        a mailbox of one; Hold{ms} blocks its worker for ms

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include <troupe/codec/describe.hpp>
#include <troupe/codec/registry.hpp>
#include <troupe/ipc/server.hpp>
#include <troupe/supervisor.hpp>

namespace ipc_test {

struct SetValue {
    std::string key;
    std::int64_t value = 0;
};
TROUPE_MESSAGE(SetValue, "SetValue", key, value)

struct GetValue {
    std::string key;
};
TROUPE_MESSAGE(GetValue, "GetValue", key)

struct Echo {
    std::string text;
};
TROUPE_MESSAGE(Echo, "Echo", text)

struct Sleep {
    std::int64_t ms = 0;
};
TROUPE_MESSAGE(Sleep, "Sleep", ms)

struct Crash {};
TROUPE_MESSAGE(Crash, "Crash")

struct Generation {};
TROUPE_MESSAGE(Generation, "Generation")

struct Count {
    std::int64_t n = 0;
};
TROUPE_MESSAGE(Count, "Count", n)

struct Tick {
    std::int64_t seq = 0;
};
TROUPE_MESSAGE(Tick, "Tick", seq)

struct Emit {
    std::int64_t n = 0;
};
TROUPE_MESSAGE(Emit, "Emit", n)

struct Hold {
    std::int64_t ms = 0;
};
TROUPE_MESSAGE(Hold, "Hold", ms)

/// Spawns every test actor on `n` and exposes it on `srv` under its test name; registers
/// Tick. `starts` counts flaky's starts. Returns the supervisor of "flaky", so that the
/// caller decides how long it lives.
troupe::result<troupe::supervisor_ref> expose_test_actors(
    troupe::node& n, troupe::ipc::server& srv, troupe::codec::registry& types,
    std::shared_ptr<std::atomic<std::int64_t>> starts);

}  // namespace ipc_test

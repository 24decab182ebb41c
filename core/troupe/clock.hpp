#pragma once
// The clock every timer, time-out and executor uses. Executors may virtualise it
// (testing::deterministic_executor), so code asks its executor for now(), never the OS.

#include <chrono>

namespace troupe {

using clock = std::chrono::steady_clock;
using time_point = clock::time_point;
using duration = clock::duration;

}  // namespace troupe

#pragma once
// journal: what the actors of an example did, in order. The actors write lines from their
// worker threads; main waits for the event it expects and prints what came, so that the
// example's output is the same on every run. Thread-safe.

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <string>
#include <vector>

namespace example {

class journal {
public:
    void write(std::string line) {
        std::lock_guard lock{mutex_};
        lines_.push_back(std::move(line));
        changed_.notify_all();
    }
    /// Waits (up to 5 s) until there are `n` lines, then prints the new ones; `sorted` for
    /// events that happen at once, and so in no particular order.
    void print_until(std::size_t n, bool sorted = false) {
        std::unique_lock lock{mutex_};
        changed_.wait_for(lock, std::chrono::seconds(5), [&] { return lines_.size() >= n; });
        if (sorted) std::sort(lines_.begin() + static_cast<long>(printed_), lines_.end());
        for (; printed_ < lines_.size(); ++printed_) {
            std::printf("  %s\n", lines_[printed_].c_str());
        }
    }
    std::size_t size() {
        std::lock_guard lock{mutex_};
        return lines_.size();
    }

private:
    std::mutex mutex_;
    std::condition_variable changed_;
    std::vector<std::string> lines_;
    std::size_t printed_ = 0;
};

}  // namespace example

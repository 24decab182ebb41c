#include <troupe/stream.hpp>

namespace troupe {
namespace detail {

std::uint64_t next_stream_id() noexcept {
    static std::atomic<std::uint64_t> next{1};
    return next.fetch_add(1, std::memory_order_relaxed);
}

}  // namespace detail

generator<std::uint64_t> interval(node& n, duration period, std::uint64_t count) {
    for (std::uint64_t i = 0; i < count; ++i) {
        co_await n.sleep(period);
        co_yield i;
    }
}

}  // namespace troupe

#pragma once
// Streams: attach a sequence or a generator to an actor. Each item arrives as a message, in
// order, with back-pressure (a bounded mailbox makes the stream wait); then the actor gets
// stream_end{id}. The actor lists the item type and troupe::stream_end among its messages.
//
//   auto s = troupe::attach_stream(a, std::vector<int>{1, 2, 3});
//   auto t = troupe::attach_stream(a, troupe::interval(node, 100ms, 5));   // timed
//
// A stream is driven by a small process of its own; cancel() stops it. If the actor exits,
// the stream stops.

#include <atomic>
#include <cstdint>
#include <iterator>
#include <ranges>
#include <type_traits>
#include <utility>

#include <troupe/generator.hpp>
#include <troupe/node.hpp>
#include <troupe/process.hpp>
#include <troupe/ref.hpp>
#include <troupe/task.hpp>

namespace troupe {

/// The last message of a stream.
struct stream_end {
    std::uint64_t id;
};

class stream_handle {
public:
    stream_handle() = default;
    stream_handle(std::uint64_t id, ref<process> driver) : id_(id), driver_(std::move(driver)) {}
    std::uint64_t id() const noexcept { return id_; }
    /// Stops the stream; the actor gets no further items and no stream_end.
    void cancel() const {
        if (driver_) driver_.kill();
    }
    /// Completes when the stream has delivered everything (or was cancelled).
    pending<exit_reason> wait() const { return driver_.wait(); }

private:
    std::uint64_t id_ = 0;
    ref<process> driver_;
};

namespace detail {

std::uint64_t next_stream_id() noexcept;

template <class A, class T>
task<> drive_generator(process&, ref<A> to, generator<T> gen, std::uint64_t id) {
    while (auto item = co_await gen.next()) {
        if (!(co_await to.send(std::move(*item)))) co_return;  // the receiver is gone
    }
    co_await to.send(stream_end{id});
}

template <class A, class R>
task<> drive_range(process&, ref<A> to, R range, std::uint64_t id) {
    for (auto&& item : range) {
        if (!(co_await to.send(std::forward<decltype(item)>(item)))) co_return;
    }
    co_await to.send(stream_end{id});
}

}  // namespace detail

template <class A, class T>
stream_handle attach_stream(const ref<A>& to, generator<T> gen) {
    if (!to) return stream_handle{};
    auto id = detail::next_stream_id();
    auto driver =
        spawn_process(to.cell()->home(), &detail::drive_generator<A, T>, to, std::move(gen), id);
    return stream_handle{id, driver ? std::move(driver.value()) : ref<process>{}};
}

template <class A, std::ranges::input_range R>
stream_handle attach_stream(const ref<A>& to, R range) {
    if (!to) return stream_handle{};
    auto id = detail::next_stream_id();
    auto driver =
        spawn_process(to.cell()->home(), &detail::drive_range<A, R>, to, std::move(range), id);
    return stream_handle{id, driver ? std::move(driver.value()) : ref<process>{}};
}

/// A timed stream: yields 0, 1, 2, ... `count` values, one every `period`.
generator<std::uint64_t> interval(node& n, duration period, std::uint64_t count);

}  // namespace troupe

// Micro-benchmarks of the core's building blocks, with Google Benchmark:
//  - the mailbox (detail::inbox): push a batch of envelopes, take them all;
//  - the envelope pool: make_envelope + dispose on one thread;
//  - tell to an idle actor through the executor: a batch of tells, then an ask to flush;
//  - ask round trip: ask(...).get() from a thread outside the node;
//  - timer insert + cancel: node.send_after(...) then cancel().
// Those that involve worker threads report wall-clock time (UseRealTime).
#include <cstdint>
#include <vector>

#include <benchmark/benchmark.h>

#include <troupe/troupe.hpp>

using namespace std::chrono_literals;

namespace {

struct payload {
    std::uint64_t value;
};
struct ping {};

// Counts what it is told; answers a ping with that count.
struct sink : troupe::actor<sink, payload, ping> {
    void handle(payload) { ++count_; }
    std::uint64_t handle(ping) { return count_; }

private:
    std::uint64_t count_ = 0;
};

troupe::node_config config(std::int64_t workers) {
    troupe::node_config cfg;
    cfg.workers = static_cast<std::size_t>(workers);
    cfg.level = troupe::log_level::off;
    return cfg;
}

// --- the mailbox, single-threaded --------------------------------------------------------

void BM_inbox_push_take_all(benchmark::State& state) {
    const auto n = static_cast<std::size_t>(state.range(0));
    std::vector<troupe::detail::envelope*> envelopes;
    for (std::size_t i = 0; i < n; ++i) {
        envelopes.push_back(troupe::detail::make_envelope<payload>(troupe::priority::user,
                                                                   troupe::address{}, payload{i}));
    }
    troupe::detail::inbox box;
    for (auto _ : state) {
        for (auto* e : envelopes) box.push(e);
        std::size_t taken = 0;
        for (auto* e = box.take_all(); e; e = e->next) ++taken;
        benchmark::DoNotOptimize(taken);
    }
    for (auto* e : envelopes) e->ops->destroy(e);
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(n));
}
BENCHMARK(BM_inbox_push_take_all)->Arg(1)->Arg(64)->Arg(1024);

// --- the envelope pool, single-threaded ----------------------------------------------------

void BM_envelope_make_dispose(benchmark::State& state) {
    std::uint64_t i = 0;
    for (auto _ : state) {
        auto* e = troupe::detail::make_envelope<payload>(troupe::priority::user, troupe::address{},
                                                         payload{++i});
        benchmark::DoNotOptimize(e);
        troupe::detail::dispose(e, troupe::errc::no_reply, "benchmark");
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_envelope_make_dispose);

// Allocates a batch, then frees it: walks the free list and, past 2 x 256 blocks, the depot.
void BM_envelope_make_dispose_batch(benchmark::State& state) {
    const auto n = static_cast<std::size_t>(state.range(0));
    std::vector<troupe::detail::envelope*> batch(n);
    for (auto _ : state) {
        for (std::size_t i = 0; i < n; ++i) {
            batch[i] = troupe::detail::make_envelope<payload>(troupe::priority::user,
                                                              troupe::address{}, payload{i});
        }
        for (auto* e : batch) troupe::detail::dispose(e, troupe::errc::no_reply, "benchmark");
    }
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(n));
}
BENCHMARK(BM_envelope_make_dispose_batch)->Arg(64)->Arg(1024);

// --- through the executor ----------------------------------------------------------------

// A batch of tells to an idle actor, then an ask that returns once all were handled.
// Arguments: batch size, worker threads.
void BM_tell_batch_then_flush(benchmark::State& state) {
    const auto n = static_cast<std::uint64_t>(state.range(0));
    troupe::node node{config(state.range(1))};
    auto a = node.spawn<sink>().value();
    std::uint64_t expected = 0;
    for (auto _ : state) {
        for (std::uint64_t i = 0; i < n; ++i) a.tell(payload{i});
        expected += n;
        auto r = a.ask(ping{}, 10s).get();
        if (!r || r.value() != expected) {
            state.SkipWithError("the actor did not handle every tell");
            break;
        }
    }
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(n));
}
BENCHMARK(BM_tell_batch_then_flush)
    ->ArgNames({"batch", "workers"})
    ->ArgsProduct({{1, 64, 1024}, {1, 2}})
    ->UseRealTime();

// Argument: worker threads.
void BM_ask_round_trip(benchmark::State& state) {
    troupe::node node{config(state.range(0))};
    auto a = node.spawn<sink>().value();
    for (auto _ : state) {
        auto r = a.ask(ping{}, 10s).get();
        if (!r) {
            state.SkipWithError("ask failed");
            break;
        }
        benchmark::DoNotOptimize(r);
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ask_round_trip)->ArgName("workers")->Arg(1)->Arg(2)->UseRealTime();

void BM_timer_insert_cancel(benchmark::State& state) {
    troupe::node node{config(1)};
    auto a = node.spawn<sink>().value();
    for (auto _ : state) {
        auto t = node.send_after(a.addr(), 1h, payload{1});
        if (!t.cancel()) {
            state.SkipWithError("a one-hour timer could not be cancelled");
            break;
        }
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_timer_insert_cancel)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();

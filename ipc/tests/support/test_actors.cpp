// The actors behind support/test_actors.hpp, compiled once for every IPC test program.
#include "test_actors.hpp"

#include <chrono>
#include <map>
#include <optional>
#include <stdexcept>
#include <thread>
#include <vector>

#include <troupe/troupe.hpp>

namespace ipc_test {

namespace {

// "my-service": the key-value store of the acton example.
struct store : troupe::actor<store, SetValue, GetValue> {
    void handle(const SetValue& m) { entries_[m.key] = m.value; }
    std::optional<std::int64_t> handle(const GetValue& m) const {
        auto it = entries_.find(m.key);
        return it == entries_.end() ? std::nullopt : std::optional{it->second};
    }

private:
    std::map<std::string, std::int64_t> entries_;
};

// "echo": the text back.
struct echo : troupe::actor<echo, Echo> {
    Echo handle(const Echo& m) const { return m; }
};

// "slow": answers after `ms` milliseconds, serving other requests meanwhile.
struct sleeper : troupe::actor<sleeper, Sleep> {
    troupe::deferred<std::int64_t> handle(const Sleep& m) {
        home()
            .sleep(std::chrono::milliseconds{m.ms})
            .then([reply = reply_later<std::int64_t>(), ms = m.ms](troupe::result<void>) mutable {
                reply.send(ms);
            });
        return {};
    }
};

// "flaky": supervised; Crash fails the handler, Generation says how many times it started.
struct flaky : troupe::actor<flaky, Crash, Generation> {
    explicit flaky(std::shared_ptr<std::atomic<std::int64_t>> starts)
        : starts_(std::move(starts)) {}
    void on_start() override { generation_ = ++*starts_; }
    void handle(const Crash&) { throw std::runtime_error("crash requested"); }
    std::int64_t handle(const Generation&) const { return generation_; }

private:
    std::shared_ptr<std::atomic<std::int64_t>> starts_;
    std::int64_t generation_ = 0;
};

// "counter": 1..n (streamed when the client asks for a stream).
struct counter : troupe::actor<counter, Count> {
    std::vector<std::int64_t> handle(const Count& m) const {
        std::vector<std::int64_t> out;
        for (std::int64_t i = 1; i <= m.n; ++i) out.push_back(i);
        return out;
    }
};

// "publisher": Emit{n} broadcasts n Ticks, then answers n.
struct publisher : troupe::actor<publisher, Emit> {
    explicit publisher(troupe::ipc::server* srv) : srv_(srv) {}
    std::int64_t handle(const Emit& m) {
        for (std::int64_t i = 1; i <= m.n; ++i) {
            if (auto ok = srv_->broadcast(Tick{i}, "publisher"); !ok)
                throw std::runtime_error(ok.error().message());
        }
        return m.n;
    }

private:
    troupe::ipc::server* srv_;
};

// "busy": a mailbox of one; Hold blocks its worker for ms.
struct holder : troupe::actor<holder, Hold> {
    std::int64_t handle(const Hold& m) const {
        std::this_thread::sleep_for(std::chrono::milliseconds{m.ms});
        return m.ms;
    }
};

troupe::spawn_options busy_options() {
    troupe::spawn_options o;
    o.capacity = 1;
    return o;
}

troupe::spawn_options flaky_options() {
    troupe::spawn_options o;
    o.register_as = "flaky";
    return o;
}

}  // namespace

/// Spawns every test actor on `n` and exposes it on `srv` under its test name; registers
/// Tick. `starts` counts flaky's starts. The supervisor of "flaky" is returned so that it
/// lives as long as the caller wants.
troupe::result<troupe::supervisor_ref> expose_test_actors(
    troupe::node& n, troupe::ipc::server& srv, troupe::codec::registry& types,
    std::shared_ptr<std::atomic<std::int64_t>> starts) {
    if (auto r = types.add<Tick>(); !r) return r.error();
    auto check = [](troupe::result<void> r) {
        if (!r) throw std::runtime_error(r.error().message());
    };
    check(srv.expose("my-service", n.spawn<store>().value()));
    check(srv.expose("echo", n.spawn<echo>().value()));
    check(srv.expose("slow", n.spawn<sleeper>().value()));
    check(srv.expose("counter", n.spawn<counter>().value()));
    check(srv.expose("publisher", n.spawn<publisher>(&srv).value()));
    check(srv.expose("busy", n.spawn_with<holder>(busy_options()).value()));
    troupe::supervisor_spec spec{.strategy = troupe::restart_strategy::one_for_one,
                                 .max_restarts = 1000,
                                 .period = std::chrono::seconds{1},
                                 .children = {troupe::child_spec::worker_with<flaky>(
                                     "flaky", flaky_options(), std::move(starts))}};
    auto sup = troupe::start_supervisor(n, spec).get();
    if (!sup) return sup.error();
    check(srv.expose_registered<flaky>("flaky", "flaky"));
    return sup;
}

}  // namespace ipc_test

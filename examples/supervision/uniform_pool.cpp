// uniform_pool: a uniform supervisor (OTP's simple_one_for_one) of connections, each
// started on request from a port number. One crashes and is restarted with the same port;
// one is terminated by address; then the pool stops, taking the rest down at once.
//
// The connections write what happens into a journal; main waits for each event and prints
// the journal, so the output is the same on every run (the runtime's own warning about the
// crash goes to stderr).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <troupe/troupe.hpp>

#include "journal.hpp"

using namespace std::chrono_literals;

using example::journal;

struct fail {};
struct get_port {};

// One connection, made from its port.
struct connection : troupe::actor<connection, fail, get_port> {
    connection(int port, journal* j) : port(port), log(j) {}
    void on_start() override { log->write("connection " + std::to_string(port) + ": up"); }
    void handle(fail) { throw std::runtime_error("connection reset"); }
    int handle(get_port) { return port; }
    void on_stopped(const troupe::exit_reason& why) override {
        log->write("connection " + std::to_string(port) + ": exited (" + why.to_string() + ")");
    }
    int port;
    journal* log;
};

int main() {
    troupe::node node;
    journal log;

    // The children are made from an int, the argument of start_child. The start function
    // runs inside the supervisor, so a linked spawn links the child to it.
    troupe::uniform_spec<int> spec;
    spec.start = [&log](troupe::node& n, const int& port) -> troupe::result<troupe::address> {
        troupe::spawn_options opts;
        opts.link = true;
        auto c = n.spawn_with<connection>(opts, port, &log);
        if (!c) return c.error();
        return c->addr();
    };
    spec.restart = troupe::restart_type::permanent;  // the default: restarted whatever the reason
    spec.max_restarts = 3;
    spec.period = 10s;
    spec.shutdown = troupe::shutdown_policy::timeout(1s);

    troupe::uniform_ref<int> pool = troupe::start_uniform_supervisor(node, spec).get().value();
    std::vector<troupe::address> conns;
    for (int port : {8080, 8081, 8082}) conns.push_back(pool.start_child(port).get().value());
    log.print_until(3);

    auto counts = pool.count_children().get().value();
    std::printf("specs %zu, active %zu\n", counts.specs, counts.active);

    std::printf("crash the connection on 8081\n");
    std::size_t before = log.size();
    node.tell(conns[1], fail{});
    log.print_until(before + 2);  // it exited, and a new one started with the same port
    auto children = pool.which_children().get().value();
    for (auto& c : children) {  // in start order: the new 8081 keeps its place
        int port = node.ask<int>(c.addr, get_port{}, 1s).get().value();
        bool is_new = std::find(conns.begin(), conns.end(), c.addr) == conns.end();
        std::printf("  child on port %d%s\n", port, is_new ? ", at a new address" : "");
    }

    std::printf("terminate the connection on 8080\n");
    before = log.size();
    pool.terminate_child(conns[0]).get().value();
    log.print_until(before + 1);
    std::printf("children left: %zu\n", pool.which_children().get().value().size());

    std::printf("stop the pool\n");
    before = log.size();
    auto exited = pool.wait();  // before stop(): wait() on an exited supervisor gives noproc
    pool.stop();
    auto why = std::move(exited).get().value();
    log.print_until(before + 2, /*sorted=*/true);  // stopped at once: in no particular order
    std::printf("pool exited: %s\n", why.to_string().c_str());
}

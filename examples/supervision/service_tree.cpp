// service_tree: a small service under supervision. A worker crashes on purpose; its
// supervisor restarts it, until it crashes too often and the supervisor gives up, which
// its own supervisor sees and repairs, while the registered key-value server beside it
// keeps its state. Then a graceful stop takes the tree down in reverse order.
//
//   top        one_for_one, at most 1 restart in 10 s
//   ├── kv     a server (gen_server), registered as "kv"
//   └── jobs   a supervisor, one_for_one, at most 2 restarts in 10 s
//       └── flaky   a worker, registered as "flaky", that crashes when told to
//
// The actors write what happens into a journal; main waits for each event and prints the
// journal, so the output is the same on every run (the runtime's own warnings about the
// crashes go to stderr).
#include <chrono>
#include <cstdio>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include <troupe/troupe.hpp>

#include "journal.hpp"

using namespace std::chrono_literals;

using example::journal;

// --- the key-value server -------------------------------------------------------------------
struct put {
    std::string key;
    int value;
};
struct get {
    std::string key;
};

struct kv_store {
    using calls = troupe::type_list<get>;
    using casts = troupe::type_list<put>;

    explicit kv_store(journal* j) : log(j) {}

    troupe::init_result init(troupe::server_context<kv_store>& ctx) {
        ctx.trap_exit(true);  // so that terminate() runs when the supervisor shuts us down
        log->write("kv: started");
        return troupe::init_result::ok();
    }
    void handle_cast(const put& p) { data[p.key] = p.value; }
    int handle_call(const get& g) { return data.count(g.key) ? data.at(g.key) : -1; }
    void terminate(const troupe::exit_reason& why) {
        log->write("kv: terminate(" + why.to_string() + "), " + std::to_string(data.size()) +
                   " keys saved");
    }

    journal* log;
    std::map<std::string, int> data;
};

// --- the flaky worker -----------------------------------------------------------------------
struct fail {};

struct flaky : troupe::actor<flaky, fail> {
    explicit flaky(journal* j) : log(j) {}
    void on_start() override { log->write("flaky: started"); }
    void handle(fail) { throw std::runtime_error("crashed on purpose"); }
    void on_stopped(const troupe::exit_reason& why) override {
        log->write("flaky: exited (" + why.to_string() + ")");
    }
    journal* log;
};

troupe::spawn_options registered(const char* name) {
    troupe::spawn_options opts;
    opts.register_as = name;
    return opts;
}

int main() {
    troupe::node node;
    journal log;

    troupe::supervisor_spec jobs{
        .strategy = troupe::restart_strategy::one_for_one,
        .max_restarts = 2,
        .period = 10s,
        .children = {troupe::child_spec::worker_with<flaky>("flaky", registered("flaky"), &log)}};
    troupe::supervisor_spec top{
        .strategy = troupe::restart_strategy::one_for_one,
        .max_restarts = 1,
        .period = 10s,
        .children = {troupe::server_child<kv_store>("kv", registered("kv"), &log),
                     troupe::child_spec::supervisor("jobs", jobs)}};

    std::printf("starting the tree\n");
    auto sup = troupe::start_supervisor(node, top).get().value();
    log.print_until(2);
    auto children = sup.which_children().get().value();
    for (auto& c : children) {
        std::printf("  top's child %s (%s) at %s\n", c.id.c_str(),
                    std::string{troupe::to_string(c.type)}.c_str(), c.addr.to_string().c_str());
    }

    auto kv = node.whereis("kv").value();
    troupe::cast(node, kv, put{"answer", 42});

    for (int crash = 1; crash <= 3; ++crash) {
        std::printf("crash %d of flaky\n", crash);
        std::size_t before = log.size();
        node.tell(node.whereis("flaky").value(), fail{});
        log.print_until(before + 2);  // it exited, and a new one started
    }
    std::printf(
        "the third crash in 10 s was one too many for jobs: it gave up (shutdown), "
        "and top restarted it\n");
    children = sup.which_children().get().value();
    for (auto& c : children) {
        std::printf("  top's child %s at %s\n", c.id.c_str(), c.addr.to_string().c_str());
    }
    std::printf(
        "kv kept its state: answer = %d\n",
        troupe::call<int>(node, node.whereis("kv").value(), get{"answer"}, 1s).get().value());

    std::printf("stopping the tree\n");
    std::size_t before = log.size();
    sup.stop();
    auto why = sup.wait().get().value();
    log.print_until(before + 2);
    std::printf("top exited: %s\n", why.to_string().c_str());
}

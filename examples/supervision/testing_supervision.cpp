// testing_supervision: supervision tested without sleeping. troupe::testing::runtime runs
// the node on one thread with a virtual clock: nothing happens until the program steps it,
// and a shutdown timeout of 2 s passes in one advance() call. The program reads like a test
// (check() stands in for EXPECT_TRUE), and its output is the same on every run, since the
// actors run on the calling thread, one message at a time.
#include <chrono>
#include <cstdio>
#include <utility>

#include <troupe/testing/runtime.hpp>
#include <troupe/troupe.hpp>

using namespace std::chrono_literals;

// Traps exits and ignores them: only a kill ends it.
struct defiant : troupe::actor<defiant, troupe::exit_signal> {
    void on_start() override {
        trap_exit(true);
        std::printf("  defiant: started\n");
    }
    void handle(const troupe::exit_signal& s) {
        std::printf("  defiant: ignores %s\n", s.reason.to_string().c_str());
    }
    void on_stopped(const troupe::exit_reason& why) override {
        std::printf("  defiant: exited (%s)\n", why.to_string().c_str());
    }
};

int failures = 0;
void check(bool ok, const char* what) {
    std::printf("check: %s: %s\n", what, ok ? "ok" : "FAILED");
    if (!ok) ++failures;
}

int main() {
    troupe::testing::runtime rt{troupe::log_level::off};
    troupe::node& node = rt.node();

    troupe::supervisor_spec spec{
        .children = {troupe::child_spec::worker<defiant>("defiant").with_shutdown(
            troupe::shutdown_policy::timeout(2s))}};
    auto started = troupe::start_supervisor(node, spec);
    rt.run_until_idle();  // nothing runs until the test says so
    auto sup = std::move(started).get().value();
    troupe::address child = sup.which_children().get().value().at(0).addr;

    auto sup_exit = sup.wait();
    sup.stop();
    rt.run_until_idle();  // the supervisor sends `shutdown`; the child ignores it
    check(!sup_exit.is_ready(), "the supervisor waits for its child");

    std::printf("advance 1999 ms\n");
    rt.advance(1999ms);  // virtual time: returns at once
    check(node.lookup(child) != nullptr, "the child is still alive before its timeout");

    std::printf("advance 1 ms\n");
    rt.advance(1ms);  // the shutdown timeout elapses: the supervisor kills the child
    check(node.lookup(child) == nullptr, "the child was killed");
    check(sup_exit.is_ready(), "then the supervisor exited");
    std::printf("supervisor exited: %s\n", std::move(sup_exit).get().value().to_string().c_str());
    return failures;
}

// Lifecycle: start hook failure, stopping veto, stopped hook, stop/kill/wait, shutdown.
#include <atomic>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <troupe/actor.hpp>
#include <troupe/testing/runtime.hpp>

using namespace std::chrono_literals;

namespace {

struct ping {};

struct hooks : troupe::actor<hooks, ping> {
    std::vector<std::string>* log;
    bool fail_start = false;
    bool veto = false;
    hooks(std::vector<std::string>* l, bool fail, bool v) : log(l), fail_start(fail), veto(v) {}

    void on_start() override {
        if (fail_start) throw std::runtime_error("no database");
        log->push_back("started");
    }
    bool on_stopping() override {
        log->push_back(veto ? "stopping: vetoed" : "stopping: ok");
        return !veto;
    }
    void on_stopped(const troupe::exit_reason& r) override {
        log->push_back("stopped: " + r.to_string());
    }
    int handle(ping) { return 1; }
};

TEST(Lifecycle, FailingStartHookMeansNoActor) {
    std::vector<std::string> log;  // outlives the runtime: stopped hooks write to it
    troupe::testing::runtime rt;
    auto r = rt.node().spawn<hooks>(&log, true, false);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code(), troupe::errc::start_failed);
    EXPECT_NE(r.error().reason().find("no database"), std::string::npos);
    EXPECT_EQ(rt.node().actor_count(), 0u);
    EXPECT_TRUE(log.empty());  // neither started nor stopped
}

TEST(Lifecycle, GracefulStopRunsStoppingThenStopped) {
    std::vector<std::string> log;  // outlives the runtime: stopped hooks write to it
    troupe::testing::runtime rt;
    auto a = rt.node().spawn<hooks>(&log, false, false).value();
    auto exit = a.wait();
    a.stop();
    EXPECT_EQ(std::move(exit).get().value(), troupe::exit_reason::normal());
    EXPECT_EQ(log, (std::vector<std::string>{"started", "stopping: ok", "stopped: normal"}));
    EXPECT_EQ(rt.node().actor_count(), 0u);
}

TEST(Lifecycle, StoppingHookCanVetoAGracefulStopButNotAKill) {
    std::vector<std::string> log;  // outlives the runtime: stopped hooks write to it
    troupe::testing::runtime rt;
    auto a = rt.node().spawn<hooks>(&log, false, true).value();
    a.stop();
    rt.run_until_idle();
    EXPECT_EQ(a.ask(ping{}, 1s).get().value(), 1);  // still alive
    auto exit = a.wait();
    a.kill();
    EXPECT_EQ(std::move(exit).get().value(), troupe::exit_reason::killed());
    EXPECT_EQ(log, (std::vector<std::string>{"started", "stopping: vetoed", "stopped: killed"}));
}

TEST(Lifecycle, StopAndWaitTimesOutWhenVetoed) {
    std::vector<std::string> log;  // outlives the runtime: stopped hooks write to it
    troupe::testing::runtime rt;
    auto a = rt.node().spawn<hooks>(&log, false, true).value();
    auto r = a.stop_and_wait(100ms).get();
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code(), troupe::errc::timeout);
    auto b = rt.node().spawn<hooks>(&log, false, false).value();
    EXPECT_EQ(b.stop_and_wait(100ms).get().value(), troupe::exit_reason::normal());
}

TEST(Lifecycle, ExitWithReasonAndWaitOnDeadActor) {
    std::vector<std::string> log;  // outlives the runtime: stopped hooks write to it
    troupe::testing::runtime rt;
    auto a = rt.node().spawn<hooks>(&log, false, false).value();
    rt.node().exit(a.addr(), troupe::exit_reason::shutdown("maintenance"));
    rt.run_until_idle();
    EXPECT_EQ(a.wait().get().value(), troupe::exit_reason::shutdown("maintenance"));
    EXPECT_EQ(rt.node().wait(a.addr()).get().value(), troupe::exit_reason::noproc());
    EXPECT_EQ(log.back(), "stopped: shutdown{maintenance}");
}

struct quitter : troupe::actor<quitter, ping> {
    void handle(ping) { quit(troupe::exit_reason::shutdown("done")); }
};

TEST(Lifecycle, QuitFromAHandlerEndsTheActorAfterIt) {
    troupe::testing::runtime rt;
    auto q = rt.node().spawn<quitter>().value();
    auto exit = q.wait();
    q.tell(ping{});
    EXPECT_EQ(std::move(exit).get().value(), troupe::exit_reason::shutdown("done"));
}

// Shutdown of a real (threaded) node runs every stopped hook and joins.
struct counted : troupe::actor<counted, ping> {
    std::atomic<int>* stopped;
    explicit counted(std::atomic<int>* s) : stopped(s) {}
    void on_stopped(const troupe::exit_reason&) override { stopped->fetch_add(1); }
    void handle(ping) {}
};

TEST(Lifecycle, NodeShutdownStopsEveryActor) {
    std::atomic<int> stopped{0};
    {
        troupe::node_config cfg;
        cfg.workers = 2;
        troupe::node n{std::move(cfg)};
        for (int i = 0; i < 100; ++i) n.spawn<counted>(&stopped).value().tell(ping{});
        EXPECT_EQ(n.actor_count(), 100u);
    }  // destroying the node with live actors is safe
    EXPECT_EQ(stopped.load(), 100);
}

TEST(Lifecycle, SpawnAfterShutdownIsRefused) {
    troupe::testing::runtime rt;
    rt.node().shutdown();
    auto r = rt.node().spawn<quitter>();
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code(), troupe::errc::shutting_down);
}

// An actor's state goes when it exits, even while refs to it remain: actors that hold refs
// to each other do not keep each other alive.
struct partner : troupe::actor<partner, ping> {
    troupe::ref<partner> other;
    int* destroyed;
    explicit partner(int* d) : destroyed(d) {}
    ~partner() override { ++*destroyed; }
    void handle(ping) {}
};

TEST(Lifecycle, StateIsDestroyedAtExitAndRefCyclesDoNotLeak) {
    troupe::testing::runtime rt;
    int destroyed = 0;
    auto a = rt.node().spawn<partner>(&destroyed).value();
    auto b = rt.node().spawn<partner>(&destroyed).value();
    a.get()->other = b;  // a cycle of refs
    b.get()->other = a;
    a.stop();
    rt.run_until_idle();
    EXPECT_EQ(destroyed, 1);
    EXPECT_EQ(a.get(), nullptr);  // the ref stays valid; the state is gone
    EXPECT_EQ(a.try_tell(ping{}).error().code(), troupe::errc::no_such_actor);
    b.kill();
    rt.run_until_idle();
    EXPECT_EQ(destroyed, 2);
}

}  // namespace

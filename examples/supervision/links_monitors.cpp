// links_monitors: a job runner that spawns a linked worker per job and traps exits, so a
// poisoned job costs one worker, not the runner; and a monitor, which watches without
// being watched back.
#include <chrono>
#include <cstdio>
#include <future>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include <troupe/troupe.hpp>

using namespace std::chrono_literals;

struct job {
    int n;
};
struct done {
    int n;
    int square;
};
struct run_all {
    std::vector<int> jobs;
};

// A worker does one job, reports to its parent and exits normally; job 0 is poisoned.
struct worker : troupe::actor<worker, job> {
    void handle(const job& j) {
        if (j.n == 0) throw std::invalid_argument("job 0 is poisoned");
        tell(parent(), done{j.n, j.n * j.n});
        quit();
    }
};

// The runner traps exits: a linked worker's exit arrives as an exit_signal message
// instead of taking the runner down with it.
struct runner : troupe::actor<runner, run_all, done, troupe::exit_signal> {
    explicit runner(std::promise<std::map<int, std::string>>* out) : out_(out) {}

    void on_start() override { trap_exit(true); }

    void handle(const run_all& r) {
        for (int n : r.jobs) {
            auto w = spawn_link<worker>().value();  // linked before it handles anything
            job_of_[w.addr()] = n;
            w.tell(job{n});
        }
    }
    // Trapped exit signals are handled before user messages, so a worker's normal exit can
    // overtake its `done`: a worker is finished by its done, or by an abnormal exit.
    void handle(const done& d) {
        report_[d.n] = "squared to " + std::to_string(d.square);
        finished(sender());
    }
    void handle(const troupe::exit_signal& s) {
        if (!s.reason.is_abnormal()) return;
        report_[job_of_.at(s.from)] = "worker failed: " + s.reason.to_string();
        finished(s.from);
    }

private:
    std::promise<std::map<int, std::string>>* out_;
    std::map<troupe::address, int> job_of_;
    std::map<int, std::string> report_;

    void finished(troupe::address w) {
        job_of_.erase(w);
        if (job_of_.empty()) out_->set_value(report_);
    }
};

struct watch {
    troupe::address target;
};

// A monitor is one-way: the watcher learns of the exit, and its own exit changes nothing.
struct watcher : troupe::actor<watcher, watch, troupe::down> {
    explicit watcher(std::promise<troupe::down>* out) : out_(out) {}
    troupe::monitor_ref handle(const watch& w) { return monitor(w.target); }
    void handle(const troupe::down& d) { out_->set_value(d); }

private:
    std::promise<troupe::down>* out_;
};

int main() {
    troupe::node node;

    std::promise<std::map<int, std::string>> report;
    auto r = node.spawn<runner>(&report).value();
    r.tell(run_all{{3, 0, 4}});
    for (auto& [n, line] : report.get_future().get()) std::printf("job %d: %s\n", n, line.c_str());
    std::printf("the runner is still alive: %s\n", node.lookup(r.addr()) ? "yes" : "no");

    std::promise<troupe::down> seen;
    auto w = node.spawn<watcher>(&seen).value();
    auto ref = w.ask(watch{r.addr()}, 1s).get().value();
    auto runner_exit = r.wait();
    // The runner traps exits, so exit(runner, shutdown) would only be a message to it;
    // kill cannot be trapped.
    node.exit(r.addr(), troupe::exit_reason::kill());
    auto d = seen.get_future().get();
    std::printf("down %s from the runner: %s\n", d.ref == ref ? "for our monitor" : "?",
                d.reason.to_string().c_str());
    std::printf("runner exit reason: %s\n",
                std::move(runner_exit).get().value().to_string().c_str());
}

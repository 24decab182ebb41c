#pragma once
// A typed actor for the link and monitor tests: it does what it is told (link, unlink,
// monitor, trap exits, crash) and writes what it receives into a shared log.

#include <string>
#include <vector>

#include <troupe/actor.hpp>
#include <troupe/signals.hpp>

namespace troupe::test {

struct crash {
    std::string why;
};
struct do_link {
    address other;
};
struct do_unlink {
    address other;
};
struct do_monitor {
    address target;
};
struct do_demonitor {
    monitor_ref ref;
};
struct set_trap {
    bool on;
};
struct do_exit {
    address to;
    exit_reason reason;
};
struct note {
    std::string text;
};
struct spawn_child {};

/// Logs "<name>: exit_signal <from-name> <reason>", "<name>: down <ref> <reason>", "<name>:
/// note <text>". Addresses are shown through `names` so expectations stay readable.
struct probe : actor<probe, exit_signal, down, crash, do_link, do_unlink, do_monitor, do_demonitor,
                     set_trap, do_exit, note, spawn_child> {
    probe(std::string n, std::vector<std::string>* l) : who(std::move(n)), log(l) {}

    void handle(const exit_signal& s) {
        log->push_back(who + ": exit_signal " + s.from.to_string() + " " + s.reason.to_string());
    }
    void handle(const down& d) {
        log->push_back(who + ": down " + d.who.to_string() + " " + d.reason.to_string());
        downs.push_back(d);
    }
    void handle(const crash& c) { throw std::runtime_error(c.why); }
    void handle(const do_link& m) { link(m.other); }
    void handle(const do_unlink& m) { unlink(m.other); }
    monitor_ref handle(const do_monitor& m) { return monitor(m.target); }
    bool handle(const do_demonitor& m) { return demonitor(m.ref); }
    void handle(const set_trap& m) { trap_exit(m.on); }
    void handle(const do_exit& m) { exit(m.to, m.reason); }
    void handle(const note& n) { log->push_back(who + ": note " + n.text); }
    address handle(spawn_child) {
        auto child = spawn_link<probe>(who + ".child", log);
        return child ? child->addr() : address{};
    }

    std::string who;
    std::vector<std::string>* log;
    std::vector<down> downs;
};

}  // namespace troupe::test

// groups_ports: a process group (Erlang's pg) with a watcher that sees who joins and
// leaves, an output port (typed publish/subscribe) with a plain, a filtering and a dead
// subscriber, and the dead letters that a message to an exited actor becomes.
//
// The watcher writes what it sees into a journal; main waits for each event and prints the
// journal. Everything else main learns by asking, after its own sends, so the output is
// the same on every run.
#include <chrono>
#include <cstdio>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <troupe/troupe.hpp>

#include "journal.hpp"

using namespace std::chrono_literals;

using example::journal;

using names_t = std::map<troupe::address, std::string>;

std::string show(const std::vector<troupe::address>& who, const names_t& names) {
    std::string s;
    for (troupe::address a : who) s += (s.empty() ? "" : ", ") + names.at(a);
    return s.empty() ? "nobody" : s;
}

// --- the group --------------------------------------------------------------------------------
struct say {
    std::string text;
};
struct get_heard {};
struct bye {};

// A member remembers what it heard; it leaves every group by exiting.
struct member : troupe::actor<member, say, get_heard, bye> {
    void handle(const say& s) { heard += s.text; }
    std::string handle(get_heard) { return heard.empty() ? "nothing" : heard; }
    void handle(bye) { quit(); }
    std::string heard;
};

// A group monitor's events are plain messages: list both types.
struct watcher : troupe::actor<watcher, troupe::group_joined, troupe::group_left> {
    watcher(journal* j, const names_t* n) : log(j), names(n) {}
    void handle(const troupe::group_joined& e) {
        log->write("watcher: " + show(e.members, *names) + " joined " + e.group);
    }
    void handle(const troupe::group_left& e) {
        log->write("watcher: " + show(e.members, *names) + " left " + e.group);
    }
    journal* log;
    const names_t* names;
};

// --- the output port --------------------------------------------------------------------------
struct reading {
    double celsius;
};
struct too_hot {
    double celsius;
};
struct get_seen {};

std::string degrees(double celsius) {
    return std::to_string(static_cast<int>(celsius)) + " C";
}

// Subscribed as is: gets every reading.
struct chart : troupe::actor<chart, reading, get_seen> {
    void handle(const reading& r) { seen += (seen.empty() ? "" : ", ") + degrees(r.celsius); }
    std::string handle(get_seen) { return seen; }
    std::string seen;
};
// Subscribed through a map function: gets a too_hot, and only for readings over 90.
struct siren : troupe::actor<siren, too_hot, get_seen> {
    void handle(const too_hot& t) { seen += (seen.empty() ? "" : ", ") + degrees(t.celsius); }
    std::string handle(get_seen) { return seen; }
    std::string seen;
};
// Subscribed, then gone.
struct display : troupe::actor<display, reading, bye> {
    void handle(const reading&) {}
    void handle(bye) { quit(); }
};

int main() {
    troupe::node node;
    journal log;

    auto alice = node.spawn<member>().value();
    auto bob = node.spawn<member>().value();
    auto carol = node.spawn<member>().value();
    const names_t names{{alice, "alice"}, {bob, "bob"}, {carol, "carol"}};
    auto w = node.spawn<watcher>(&log, &names).value();

    std::printf("groups\n");
    troupe::group_scope chat{node, "chat"};  // destroyed before the node
    chat.join("room", alice).value();
    auto mon = chat.monitor("room", w).value();  // the members now, then events
    std::printf("  the watcher starts with: %s\n", show(mon.members, names).c_str());
    chat.join("room", {bob.addr(), carol.addr()}).value();  // one event for the call
    log.print_until(1);
    std::printf("  members of room: %s\n", show(chat.members("room"), names).c_str());

    std::size_t reached = chat.broadcast("room", say{"hello"});  // one copy per member
    std::printf("  broadcast reached %zu members\n", reached);
    for (auto& m : {alice, bob, carol}) {
        std::printf("  %s heard: %s\n", names.at(m).c_str(),
                    m.ask(get_heard{}, 1s).get().value().c_str());
    }

    chat.leave("room", bob);
    log.print_until(2);
    carol.tell(bye{});  // an actor that exits leaves all its groups
    log.print_until(3);
    std::printf("  members of room: %s\n", show(chat.members("room"), names).c_str());
    auto rejoin = chat.join("room", carol);
    std::printf("  carol joins again: %s\n",
                rejoin ? "ok" : std::string{troupe::to_string(rejoin.error().code())}.c_str());

    std::printf("output port\n");
    troupe::output_port<reading> readings;  // destroyed before the node, as refs
    auto c = node.spawn<chart>().value();
    auto s = node.spawn<siren>().value();
    auto d = node.spawn<display>().value();
    readings.subscribe(c);
    readings.subscribe(s, [](const reading& r) {  // map and filter: nullopt sends nothing
        return r.celsius > 90 ? std::optional{too_hot{r.celsius}} : std::nullopt;
    });
    readings.subscribe(d);

    node.set_dead_letter_hook([](troupe::address, std::string_view type, troupe::errc why) {
        std::printf("  dead letter: a %.*s (%s)\n", static_cast<int>(type.size()), type.data(),
                    std::string{troupe::to_string(why)}.c_str());
    });

    std::printf("  publish 21: %zu delivered\n", readings.publish(reading{21}));
    d.tell(bye{});
    std::printf("  the display exited: %s\n", d.wait().get().value().to_string().c_str());
    std::printf("  publish 95: %zu delivered\n", readings.publish(reading{95}));
    std::printf("  subscribers left: %zu\n", readings.subscriber_count());
    std::printf("  chart saw: %s\n", c.ask(get_seen{}, 1s).get().value().c_str());
    std::printf("  siren saw: %s\n", s.ask(get_seen{}, 1s).get().value().c_str());

    std::printf("dead letters\n");
    node.tell(d.addr(), reading{50});  // by address, to an actor that has exited
    std::printf("  dead letters so far: %llu\n",
                static_cast<unsigned long long>(node.dead_letter_count()));
}

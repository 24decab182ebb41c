#include "troupe/ipc_command.hpp"

#include <pthread.h>
#include <signal.h>

#include <cstdio>
#include <ctime>
#include <iostream>

#include <troupe/codec/json.hpp>
#include <troupe/ipc/client.hpp>

#include "troupe/ipc_options.hpp"

namespace troupe_cli {

namespace ipc = troupe::ipc;
using troupe::value;

const char* const ipc_usage = R"(usage: troupe ipc <command> [options] [arguments]

Commands:
  discover                         the server's actors, message types and protocol
  call <target> <type> [json]      send a request and print the reply as JSON
  send <target> <type> [json]      fire and forget (done once it is in the mailbox)
  stream <target> <type> [json]    a streamed request: one JSON line per item
  subscribe <type>...              one JSON line per push until interrupted
                                   (or until --count pushes); "subscribed: ..." on
                                   stderr once the subscription is in place
  ping                             a heartbeat's round trip (--count times)

The payload is JSON text ({} when left out), e.g.  troupe ipc call my-service GetValue '{"key":"k"}'

Options:
  --socket PATH    the server's socket (default: $TROUPE_IPC_SOCKET, else the app's
                   default path)
  --app NAME       the app whose default socket path to use (default: troupe)
  --msgpack        send MessagePack frames instead of JSON
  --timeout MS     how long to wait for an answer (default: 30000)
  --count N        subscribe: exit after N pushes; ping: send N heartbeats
  -h, --help       show this help

Exit status: 0 done, 1 the server answered with an error or the connection failed (the
error code and message go to stderr), 2 bad usage.
)";

namespace {

int usage_error(const std::string& why) {
    std::cerr << "troupe ipc: " << why << "\nRun 'troupe ipc --help' for usage.\n";
    return exit_usage;
}

// The reason starts with the protocol's code: "error: ACTOR_NOT_FOUND: no actor is...".
int failure(const troupe::error& e) {
    std::cerr << "error: " << e.reason() << '\n';
    return exit_failed;
}

void print_json(const value& v) {
    auto text = troupe::codec::json::encode(v);
    std::cout << (text ? *text : std::string{"null"}) << '\n' << std::flush;
}

// A described struct as one JSON object, leaving out its empty optional fields.
template <class T>
value to_json_value(const T& body) {
    troupe::codec::options opts;
    opts.omit_empty_optionals = true;
    auto v = troupe::codec::to_value(body, opts);
    return v ? std::move(*v) : value{};
}

struct arity {
    std::size_t min, max;
};

std::optional<arity> arity_of(const std::string& command) {
    constexpr std::size_t many = static_cast<std::size_t>(-1);
    if (command == "discover" || command == "ping") return arity{0, 0};
    if (command == "call" || command == "send" || command == "stream") return arity{2, 3};
    if (command == "subscribe") return arity{1, many};
    return std::nullopt;
}

int discover(ipc::client& c) {
    auto d = c.discover().get();
    if (!d) return failure(d.error());
    value v = to_json_value(*d);
    if (auto* m = v.if_map()) {  // the envelope's bookkeeping says nothing to a reader
        m->erase("correlation_id");
        m->erase("success");
    }
    print_json(v);
    return exit_ok;
}

int call(ipc::client& c, const ipc_options& o, value payload) {
    auto r = c.request(o.args[0], o.args[1], std::move(payload)).get();
    if (!r) return failure(r.error());
    print_json(*r);
    return exit_ok;
}

int send(ipc::client& c, const ipc_options& o, value payload) {
    auto r = c.tell(o.args[0], o.args[1], std::move(payload)).get();
    if (!r) return failure(r.error());
    print_json(value::map{{"status", "delivered"}});
    return exit_ok;
}

int stream(ipc::client& c, const ipc_options& o, value payload) {
    auto r = c.stream(o.args[0], o.args[1], std::move(payload), print_json).get();
    return r ? exit_ok : failure(r.error());
}

int ping(ipc::client& c, const ipc_options& o) {
    for (std::size_t i = 0; i < o.count.value_or(1); ++i) {
        auto rtt = c.heartbeat().get();
        if (!rtt) return failure(rtt.error());
        std::printf("pong from %s: %.3f ms\n", c.socket_path().c_str(),
                    static_cast<double>(rtt->count()) / 1e6);
        std::fflush(stdout);
    }
    return exit_ok;
}

// Pushes are printed on the client's socket thread; this thread waits for a stop signal,
// or for the signal the push handler sends itself once --count pushes are out. The
// signals are blocked in every thread (the client's too), so only sigtimedwait sees them.
int subscribe(ipc::client& c, const ipc_options& o, const sigset_t& stops) {
    const pthread_t waiter = ::pthread_self();
    std::size_t seen = 0;  // only on the socket thread
    c.on_push([&seen, count = o.count, waiter](const ipc::push& p) {
        if (count && seen >= *count) return;
        print_json(to_json_value(p));
        if (count && ++seen == *count) ::pthread_kill(waiter, SIGUSR1);
    });
    auto subscribed = c.subscribe(o.args).get();
    if (!subscribed) return failure(subscribed.error());
    // On stderr, so that stdout stays one push per line; scripts can wait for it.
    std::cerr << "subscribed:";
    for (const auto& t : *subscribed) std::cerr << ' ' << t;
    std::cerr << std::endl;
    for (;;) {
        const timespec tick{1, 0};  // how often to notice that the server went away
        if (::sigtimedwait(&stops, nullptr, &tick) > 0) return exit_ok;
        if (!c.connected()) return failure(c.heartbeat().get().error());
    }
}

}  // namespace

int run_ipc(const std::vector<std::string>& argv) {
    std::string why;
    auto o = parse_ipc_options(argv, why);
    if (!o) return usage_error(why);
    if (o->help) {
        std::cout << ipc_usage;
        return exit_ok;
    }
    if (o->command.empty()) return usage_error("missing a command");
    auto n = arity_of(o->command);
    if (!n) return usage_error("unknown command \"" + o->command + "\"");
    if (o->args.size() < n->min || o->args.size() > n->max) {
        return usage_error(
            o->command + " takes " +
            (n->min == n->max ? std::to_string(n->min) + " arguments"
             : n->max == static_cast<std::size_t>(-1)
                 ? "at least " + std::to_string(n->min) + " argument(s)"
                 : std::to_string(n->min) + " or " + std::to_string(n->max) + " arguments") +
            ", got " + std::to_string(o->args.size()));
    }
    if (o->count && o->command != "subscribe" && o->command != "ping") {
        return usage_error("--count applies to subscribe and ping only");
    }
    value payload = value::map{};
    if (n->max == 3 && o->args.size() == 3) {
        auto parsed = troupe::codec::json::decode(o->args[2]);
        if (!parsed)
            return usage_error("the payload is not valid JSON: " + parsed.error().reason());
        payload = std::move(*parsed);
    }

    // Block the stop signals before the client's thread starts, so that it inherits the mask.
    sigset_t stops;
    sigemptyset(&stops);
    if (o->command == "subscribe") {
        for (int s : {SIGINT, SIGTERM, SIGUSR1}) sigaddset(&stops, s);
        ::pthread_sigmask(SIG_BLOCK, &stops, nullptr);
    }
    auto c = ipc::client::connect(o->client);
    if (!c) return failure(c.error());
    if (o->command == "discover") return discover(*c);
    if (o->command == "call") return call(*c, *o, std::move(payload));
    if (o->command == "send") return send(*c, *o, std::move(payload));
    if (o->command == "stream") return stream(*c, *o, std::move(payload));
    if (o->command == "subscribe") return subscribe(*c, *o, stops);
    return ping(*c, *o);
}

}  // namespace troupe_cli

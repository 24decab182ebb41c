// tour: a short walk through what troupe does today, one section per capability.
// `make run` builds and runs it. Every line it prints comes from the code below; the
// runtime's own log lines (the crashes in sections 5, 11 and 13) go to stderr.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <troupe/codec/registry.hpp>
#include <troupe/ipc/client.hpp>
#include <troupe/ipc/server.hpp>
#include <troupe/lua/script_actor.hpp>
#include <troupe/testing/runtime.hpp>
#include <troupe/troupe.hpp>

#include "../ipc/my_service.hpp"
#include "../ipc/other_process.hpp"

using namespace std::chrono_literals;

void section(const char* title) {
    std::printf("\n== %s\n", title);
}
const char* str(const std::string& s) {
    return s.c_str();
}

// --- 1. a typed actor
struct deposit {
    int amount;
};
struct balance {};

struct account : troupe::actor<account, deposit, balance> {
    int total = 0;
    void handle(const deposit& d) { total += d.amount; }  // void: tell, no reply
    int handle(balance) { return total; }                 // int: ask gives an int
};

// --- 12. the same messages by name, from outside C++ (codec): a stable name and the fields
TROUPE_MESSAGE(deposit, "bank.Deposit", amount)
TROUPE_MESSAGE(balance, "bank.Balance")

// --- 2. a coroutine handler that awaits another actor
struct quote {
    std::string item;
};
struct basket {
    std::vector<std::string> items;
};

struct price_list : troupe::actor<price_list, quote> {
    int handle(const quote& q) { return q.item == "apple" ? 3 : 4; }
};

struct cashier : troupe::actor<cashier, basket> {
    troupe::ref<price_list> prices;
    explicit cashier(troupe::ref<price_list> p) : prices(std::move(p)) {}

    // task<int>: a coroutine. While it waits in co_await the cashier handles no other
    // message, and it resumes inside the cashier.
    troupe::task<int> handle(basket b) {
        int total = 0;
        for (const auto& item : b.items) {
            // A named message: GCC 12 miscompiles a braced temporary inside a co_await.
            quote q{item};
            troupe::result<int> price = co_await prices.ask(std::move(q), 1s);
            total += price.value();
        }
        co_return total;
    }
};

// --- 3. timers
struct ring {
    std::string label;
};
struct next_ring {};

// Answers next_ring with the label of the first ring (a deferred reply).
struct alarm_clock : troupe::actor<alarm_clock, ring, next_ring> {
    std::optional<std::string> heard;
    std::vector<troupe::reply_handle<std::string>> waiting;

    void handle(ring r) {
        if (heard) return;
        heard = r.label;
        for (auto& w : waiting) w.send(*heard);
        waiting.clear();
    }
    troupe::deferred<std::string> handle(next_ring) {
        auto reply = reply_later<std::string>();
        if (heard) {
            reply.send(*heard);
        } else {
            waiting.push_back(std::move(reply));
        }
        return {};
    }
};

// --- 4. a bounded mailbox
struct nap {
    troupe::duration length;
};
struct chore {
    int n;
};

struct sleepy : troupe::actor<sleepy, nap, chore> {
    int done = 0;
    troupe::task<> handle(nap n) { co_await sleep(n.length); }  // user messages wait meanwhile
    void handle(chore) { ++done; }
};

// --- 5. a crash
struct divide {
    int a, b;
};

struct divider : troupe::actor<divider, divide> {
    int handle(const divide& d) {
        if (d.b == 0) {
            log().warn("asked to divide {} by zero", d.a);  // spdlog, with address and name
            throw std::domain_error("division by zero");
        }
        return d.a / d.b;
    }
};

// --- 6. lifecycle hooks
struct ping {};

struct reluctant : troupe::actor<reluctant, ping> {
    int refusals = 1;
    void on_start() override { std::printf("reluctant: started\n"); }
    bool on_stopping() override {
        bool ok = refusals-- <= 0;
        std::printf("reluctant: asked to stop: %s\n", ok ? "ok" : "not yet (veto)");
        return ok;
    }
    void on_stopped(const troupe::exit_reason& r) override {
        std::printf("reluctant: stopped (%s)\n", str(r.to_string()));
    }
    const char* handle(ping) { return "pong"; }
};

// --- 8. a process: selective receive
troupe::task<> greeter(troupe::process& self) {
    std::string text = co_await self.receive<std::string>();  // the int waits in the stash
    int number = co_await self.receive<int>();
    std::printf("process: received \"%s\" first (selective), then %d from the stash\n", str(text),
                number);
}

// --- 9. a stream
struct get_sum {};

struct summer : troupe::actor<summer, int, troupe::stream_end, get_sum> {
    int sum = 0, items = 0;
    bool ended = false;
    void handle(int v) {
        sum += v;
        ++items;
    }
    void handle(troupe::stream_end) { ended = true; }
    std::string handle(get_sum) {
        return std::to_string(items) + " items, sum " + std::to_string(sum) +
               (ended ? ", then stream_end" : ", no stream_end yet");
    }
};

int main() {
    troupe::node node;  // one worker per core; quiet logs (warnings and errors on stderr)

    section("1. a typed actor: tell and ask; addresses");
    auto acct = node.spawn<account>().value();
    acct.tell(deposit{30});
    acct.tell(deposit{12});
    std::printf("node subnet %s, account at %s\n", str(node.net().to_string()),
                str(acct.addr().to_string()));
    std::printf("told two deposits, then asked: balance = %d\n",
                acct.ask(balance{}, 1s).get().value());

    section("2. a coroutine handler awaits another actor");
    auto prices = node.spawn<price_list>().value();
    auto till = node.spawn<cashier>(prices).value();
    int total = till.ask(basket{{"apple", "pear", "apple"}}, 1s).get().value();
    std::printf("cashier %s asked price_list %s three times (co_await): total %d\n",
                str(till.addr().to_string()), str(prices.addr().to_string()), total);

    section("3. timers: send_after and cancel");
    auto clock = node.spawn<alarm_clock>().value();
    troupe::timer late = node.send_after(clock, 500ms, ring{"too late"});
    troupe::timer soon = node.send_after(clock, 30ms, ring{"wake up"});
    std::printf("cancel() of the 500ms timer before it fired: %s\n",
                late.cancel() ? "true" : "false");
    std::string heard = clock.ask(next_ring{}, 1s).get().value();
    std::printf("the 30ms timer fired: the clock heard \"%s\"; its cancel() now: %s\n", str(heard),
                soon.cancel() ? "true" : "false");

    section("4. a bounded mailbox: try_tell fails, send waits");
    troupe::spawn_options small;
    small.capacity = 2;
    auto lazy = node.spawn_with<sleepy>(small).value();
    lazy.tell(nap{100ms});
    int n = 0;
    troupe::result<void> told;
    while ((told = lazy.try_tell(chore{n}))) ++n;
    std::printf("try_tell: %s\n", str(told.error().message()));
    troupe::result<void> sent = lazy.send(chore{n}).get();  // back-pressure: waits while full
    std::printf("send() (waits while the mailbox is full): %s\n",
                sent ? "ok" : str(sent.error().message()));

    section("5. a crash stays inside one actor (the runtime logs it on stderr)");
    auto d1 = node.spawn<divider>().value();
    auto d2 = node.spawn<divider>().value();
    auto d1_exit = d1.wait();
    troupe::result<int> crashed = d1.ask(divide{1, 0}, 1s).get();
    std::printf("ask %s: %s\n", str(d1.addr().to_string()), str(crashed.error().message()));
    std::printf("its exit reason: %s; divider %s still answers 84 / 2 = %d\n",
                str(std::move(d1_exit).get().value().to_string()), str(d2.addr().to_string()),
                d2.ask(divide{84, 2}, 1s).get().value());

    node.set_dead_letter_hook([](troupe::address to, std::string_view type, troupe::errc why) {
        std::printf("dead letter: a %s for %s (%s)\n", std::string{type}.c_str(),
                    str(to.to_string()), std::string{troupe::to_string(why)}.c_str());
    });
    d1.tell(divide{2, 1});  // to the dead actor: reported, never silently dropped

    // Quiet again: messages still queued when the tour ends would be reported too.
    node.set_dead_letter_hook(nullptr);

    section("6. lifecycle hooks: start, a vetoed stop, stopped");
    auto mule = node.spawn<reluctant>().value();
    mule.stop();  // the stop takes the exit lane: handled before the ask below
    std::printf("after the vetoed stop it still answers: %s\n", mule.ask(ping{}, 1s).get().value());
    std::printf("stop_and_wait: %s\n", str(mule.stop_and_wait(1s).get().value().to_string()));

    section("7. names");
    node.register_name("bank", acct).value();
    std::optional<troupe::address> bank = node.whereis("bank");
    node.tell(*bank, deposit{8});  // by address: no compile-time check of the message type
    std::printf("whereis(\"bank\") = %s, balance by address: %d\n", str(bank->to_string()),
                node.ask<int>(*bank, balance{}, 1s).get().value());
    troupe::result<void> taken = node.register_name("bank", d2);
    std::printf("register_name(\"bank\") again: %s\n", str(taken.error().message()));

    section("8. a process: selective receive");
    auto proc = troupe::spawn_process(node, greeter).value();
    proc.tell(7);
    proc.tell(std::string{"hello"});
    std::printf("process %s exited: %s\n", str(proc.addr().to_string()),
                str(proc.wait().get().value().to_string()));

    section("9. a stream attached to an actor");
    auto sum = node.spawn<summer>().value();
    troupe::stream_handle stream = troupe::attach_stream(sum, std::vector<int>{1, 2, 3, 4});
    (void)stream.wait().get();  // the driver exits after handing over stream_end
    std::printf("summer got %s\n", str(sum.ask(get_sum{}, 1s).get().value()));

    section("10. the deterministic test runtime: steps and virtual time");
    troupe::testing::runtime rt;  // a node on a single-threaded executor with a virtual clock
    auto test_acct = rt.node().spawn<account>().value();
    test_acct.tell(deposit{5});
    rt.node().send_after(test_acct, 1h, deposit{1000});  // a timer, in virtual time
    auto asked = test_acct.ask(balance{}, 2h);
    std::printf("before stepping: reply ready? %s\n", asked.is_ready() ? "yes" : "no");
    std::size_t steps = rt.run_until_idle();
    std::printf("run_until_idle ran %zu steps: balance %d\n", steps,
                std::move(asked).get().value());
    rt.advance(1h);  // an hour of virtual time, at once
    std::printf("after advance(1h): balance %d; deliveries:",
                test_acct.ask(balance{}, 1s).get().value());
    for (const auto& d : rt.deliveries()) std::printf(" %s", str(d.type));
    std::printf("\n");
    auto quitter = rt.node().spawn<account>().value();
    quitter.tell(deposit{1});
    quitter.tell(deposit{2});
    quitter.stop();
    rt.run_until_idle();
    std::printf("two deposits, then stop(): %zu deposits handled (stop overtakes user messages)\n",
                rt.received_by(quitter).size());

    section("11. supervision: a crashed child is restarted (more in examples/supervision)");
    troupe::supervisor_spec spec{.max_restarts = 3,
                                 .period = 5s,
                                 .children = {troupe::child_spec::worker<divider>("divider")}};
    auto sup = troupe::start_supervisor(node, spec).get().value();
    troupe::address before = sup.which_children().get().value().at(0).addr;
    auto crashed_exit = node.wait(before);
    (void)node.ask<int>(before, divide{1, 0}, 1s).get();  // the handler throws: it crashes
    std::string why = std::move(crashed_exit).get().value().to_string();
    troupe::address after = sup.which_children().get().value().at(0).addr;  // after the restart
    std::printf("divider %s crashed (%s); restarted at %s: 84 / 2 = %d\n", str(before.to_string()),
                str(why), str(after.to_string()),
                node.ask<int>(after, divide{84, 2}, 1s).get().value());
    sup.stop();  // children stop in reverse order, then the supervisor
    std::printf("supervisor stopped: %s\n", str(sup.wait().get().value().to_string()));

    section("12. messages by name: JSON in, JSON out (more in examples/codec)");
    troupe::codec::registry registry;
    auto teller = node.spawn<account>().value();
    troupe::codec::endpoint ep = registry.expose(teller).value();
    auto json = troupe::codec::format::json;
    (void)ep.ask("bank.Deposit", json, R"({"amount": 8})", 1s).get();
    std::printf("bank.Balance -> %s\n", str(ep.ask("bank.Balance", json, "{}", 1s).get().value()));
    auto wrong = ep.ask("bank.Deposit", json, R"({"amount": "eight"})", 1s).get();
    std::printf("%s\n", str(wrong.error().message()));

    section("13. Lua actors: a scripted rule, a typed call, a runaway stopped (examples/lua)");
    // The rule is a script: it refuses large deposits and passes the others to the teller,
    // a typed C++ actor, by message name (the codec checks the fields).
    auto rule = troupe::lua::builder{}
                    .on_handle(R"(
                        if ctx.msg > 100 then return "refused " .. ctx.msg end
                        ctx.send("teller", "bank.Deposit", {amount = ctx.msg})
                        return "balance " .. ctx.send("teller", "bank.Balance", {})
                    )")
                    .add_recipient("teller", teller.addr())
                    .registry(registry)
                    .build()
                    .value();
    auto clerk = node.spawn<troupe::lua::script_actor>(rule).value();
    for (int amount : {30, 500})
        std::printf("rule(%d): %s\n", amount,
                    str(clerk.ask(troupe::value{amount}, 1s).get().value().as_string()));
    // A runaway script: its instruction limit fails that one actor, with a clear reason.
    auto runaway = troupe::lua::builder{}
                       .on_handle("while true do end")
                       .limits({.instructions = 1'000'000})
                       .build()
                       .value();
    auto spinner = node.spawn<troupe::lua::script_actor>(runaway).value();
    auto spinner_exit = spinner.wait();
    (void)spinner.ask(troupe::value{}, 1s).get();
    std::printf("runaway: %s\n", str(std::move(spinner_exit).get().value().to_string()));
    std::printf("the rule still works: rule(12): %s\n",
                str(clerk.ask(troupe::value{12}, 1s).get().value().as_string()));

    section("14. IPC: my-service on a Unix socket, called from C++, Python, Node.js, the CLI");
    {
        char dir[] = "/tmp/troupe-tour-XXXXXX";
        troupe::ipc::server_config cfg{.socket_path = std::string{::mkdtemp(dir)} + "/tour.sock"};
        troupe::ipc::server srv{node, registry, cfg};
        registry.add<my_service::ValueChanged>().value();
        auto announce = [&srv](const my_service::ValueChanged& c) {
            (void)srv.broadcast(c, "my-service");
        };
        auto store = node.spawn<my_service::store>(announce).value();
        srv.expose("my-service", store).value();
        srv.expose("bank", teller).value();  // the typed account of section 12, as it is
        srv.start().value();
        auto client = troupe::ipc::client::connect({.socket_path = srv.socket_path()}).value();
        client.tell("my-service", my_service::SetValue{"answer", 42}).get().value();
        auto v = client.request("my-service", "GetValue", troupe::value::map{{"key", "answer"}});
        std::printf("C++ client: GetValue(answer) = %lld\n",
                    static_cast<long long>(std::move(v).get().value().as_int64()));
        std::fflush(stdout);
        using my_service::run_client, my_service::with_socket;
        const std::string path = srv.socket_path();
        run_client("Python",
                   with_socket(path, "PYTHONPATH=" TROUPE_PYTHON_CLIENT_DIR " " TROUPE_PYTHON3
                                     " " TROUPE_IPC_EXAMPLES "/client.py"));
        run_client("Node.js", with_socket(path, TROUPE_NODE " " TROUPE_IPC_EXAMPLES "/client.js"));
        run_client("troupe CLI", with_socket(path, TROUPE_CLI " ipc call bank bank.Balance '{}'"));
        client.close();
        srv.stop();
        ::rmdir(dir);
    }

    section("done");
}

// Uses only the installed public API: proves the package is self-contained.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include <troupe/codec/json.hpp>
#include <troupe/ipc/client.hpp>
#include <troupe/ipc/server.hpp>
#include <troupe/lua/script_actor.hpp>
#include <troupe/troupe.hpp>

struct add {
    int a, b;
};
TROUPE_MESSAGE(add, "consumer.Add", a, b)

struct adder : troupe::actor<adder, add> {
    int handle(const add& m) { return m.a + m.b; }
};

int main() {
    troupe::node node;
    auto a = node.spawn<adder>().value();
    auto r = a.ask(add{20, 22}, std::chrono::seconds(5)).get();
    auto text = troupe::codec::json::encode(add{20, 22}).value();
    auto back = troupe::codec::json::decode<add>(text).value();
    auto script = troupe::lua::builder{}.on_handle("return ctx.msg * 2").build().value();
    auto doubler = node.spawn<troupe::lua::script_actor>(script).value();
    auto twice = doubler.ask(troupe::value{21}, std::chrono::seconds(5)).get().value();
    // Over IPC: a server on a socket of its own, and a client calling the adder by name.
    char dir[] = "/tmp/troupe-consumer-XXXXXX";
    troupe::codec::registry types;
    troupe::ipc::server_config cfg;
    cfg.socket_path = std::string{::mkdtemp(dir)} + "/consumer.sock";
    troupe::ipc::server srv{node, types, cfg};
    srv.expose("adder", a).value();
    srv.start().value();
    troupe::ipc::client_config ccfg;
    ccfg.socket_path = cfg.socket_path;
    auto client = troupe::ipc::client::connect(ccfg).value();
    auto sum = client.call<int>("adder", add{40, 2}).get().value();
    client.close();
    srv.stop();
    ::rmdir(dir);
    std::printf("consumer: %d, %s, lua %s, ipc %d\n", r.value(), text.c_str(),
                twice.to_string().c_str(), sum);
    return r.value() == 42 && back.a == 20 && back.b == 22 && twice == troupe::value{42} &&
                   sum == 42
               ? 0
               : 1;
}

// expect: a handler of a named message must reply with a type the codecs can encode
// Exposing an actor whose handler of a named message replies with an undescribed type fails
// to compile, with a message that says so.
#include <troupe/actor.hpp>
#include <troupe/codec/registry.hpp>

struct handle_of_file {
    int fd = -1;
};

struct Open {
    std::string path;
};
TROUPE_MESSAGE(Open, "Open", path)

struct opener : troupe::actor<opener, Open> {
    handle_of_file handle(const Open&) { return {}; }
};

int main() {
    troupe::codec::registry reg;
    (void)reg.expose(troupe::ref<opener>{});
}

// expect: troupe: the server lists this type in .calls. but has no handle_call
// A server that lists a request in `calls` without a handle_call for it must not compile.
#include <troupe/server.hpp>

struct get {};
struct put {
    int v;
};

struct store {
    using calls = troupe::type_list<get, put>;
    int n = 0;
    int handle_call(const get&) { return n; }  // no handle_call(const put&)
};

auto start(troupe::node& n) {
    return troupe::start_server<store>(n);
}

// expect: the server does not list this request type in .using calls
// call() only takes the request types a server lists in `calls`: anything else must not
// compile (here a cast type, which has no reply).
#include <chrono>

#include <troupe/server.hpp>

struct get {};
struct reset {};

struct counter {
    using calls = troupe::type_list<get>;
    using casts = troupe::type_list<reset>;
    int n = 0;
    int handle_call(const get&) { return n; }
    void handle_cast(const reset&) { n = 0; }
};

void misuse(troupe::server_ref<counter> c) {
    (void)troupe::call(c, reset{}, std::chrono::seconds(1));
}

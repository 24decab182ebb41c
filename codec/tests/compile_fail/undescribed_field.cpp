// expect: troupe::codec: this type cannot be encoded; describe it with TROUPE_MESSAGE
// A field whose type has no description cannot be encoded: the error says what to do.
#include <troupe/codec/json.hpp>

struct opaque {
    int secret = 0;
};

struct holder {
    opaque inside;
};
TROUPE_MESSAGE(holder, "holder", inside)

int main() {
    (void)troupe::codec::json::encode(holder{});
}

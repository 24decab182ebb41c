// expect: output_port<T>::subscribe: this actor does not handle T
// Subscribing an actor to a port of values it does not handle is caught at compile time.
#include <troupe/actor.hpp>
#include <troupe/output_port.hpp>

struct reading {
    double celsius;
};
struct too_hot {
    double celsius;
};

struct siren : troupe::actor<siren, too_hot> {
    void handle(const too_hot&) {}
};

void misuse(troupe::ref<siren> a) {
    troupe::output_port<reading> readings;
    readings.subscribe(a);  // siren handles too_hot, not reading: needs a map function
}

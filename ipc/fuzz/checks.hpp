#pragma once
// What the IPC frame fuzzer checks for each input, shared with the corpus test that runs in
// the normal build (ipc/tests/fuzz_corpus_test.cpp): the input is a byte stream as a client
// could send it, cut into reads of sizes taken from the input itself.
//
//  - the decoder never gives a frame longer than its limit, and nothing after a fatal event;
//  - a frame's payload read as each client envelope either decodes or is refused with
//    SERIALIZATION_ERROR or PROTOCOL_ERROR and a correlation id;
//  - a decoded envelope written back and read again is the same envelope.

#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include <troupe/ipc/envelope.hpp>
#include <troupe/ipc/frame.hpp>

namespace ipc_fuzz {

inline void fail(const char* what) {
    std::fprintf(stderr, "ipc check failed: %s\n", what);
    std::abort();
}

template <class T>
void check_envelope(const troupe::ipc::frame& f) {
    using namespace troupe::ipc;
    refusal why;
    auto got = read_envelope<T>(f, why);
    if (!got) {
        if (why.why.what != code::serialization_error && why.why.what != code::protocol_error)
            fail("a refused envelope has a code other than SERIALIZATION_ERROR/PROTOCOL_ERROR");
        if (why.why.message.empty()) fail("a refused envelope has no message");
        return;
    }
    std::string again;
    append_envelope(again, f.type, f.format, f.version, *got);
    frame_decoder d{hard_max_frame};
    d.feed(again);
    auto ev = d.next();
    if (!ev || !ev->got) fail("a written envelope does not read back as a frame");
    if (ev->got->type == frame_type::error) return;  // not encodable (NaN...): answered
    refusal why2;
    auto back = read_envelope<T>(*ev->got, why2);
    if (!back) fail("a written envelope does not decode");
    std::string twice;
    append_envelope(twice, f.type, f.format, f.version, *back);
    if (twice != again) fail("an envelope changed on its way back");
}

inline void check_stream(std::string_view input) {
    using namespace troupe::ipc;
    if (input.empty()) return;
    const std::size_t limit = 1 + static_cast<unsigned char>(input[0]) * 64;
    const std::size_t step = 1 + static_cast<unsigned char>(input[0]) % 17;
    input.remove_prefix(1);
    frame_decoder d{limit};
    bool fatal = false;
    while (!input.empty()) {
        const std::size_t n = std::min(step, input.size());
        d.feed(input.substr(0, n));
        input.remove_prefix(n);
        while (auto ev = d.next()) {
            if (fatal) fail("an event after a fatal one");
            if (!ev->got) {
                if (ev->problem.message.empty()) fail("a problem without a message");
                fatal = ev->fatal;
                continue;
            }
            const frame& f = *ev->got;
            if (f.payload.size() > limit) fail("a frame longer than the limit");
            switch (f.type) {
                case frame_type::request:
                    check_envelope<request>(f);
                    break;
                case frame_type::subscribe:
                case frame_type::unsubscribe:
                    check_envelope<subscription_request>(f);
                    break;
                case frame_type::discover:
                    check_envelope<discover_request>(f);
                    break;
                default:
                    check_envelope<response>(f);
                    break;
            }
        }
    }
}

}  // namespace ipc_fuzz

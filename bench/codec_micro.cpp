// Micro-benchmarks of the codec (troupe::codec), with Google Benchmark, beside the raw speed
// of the libraries underneath. Two messages:
//  - small: a reading of 3 fields, {"key":"temperature","value":42,"ratio":0.5};
//  - 1 KiB: an order (its JSON text is about 1 KiB): strings, int64s, doubles, bools, a
//    vector of 20 int64, a vector of 5 line items, a nested address of 4 strings, an enum.
// For each, ns per operation of:
//  - troupe JSON and MessagePack: encode<T> (encode_to into a reused string), decode<T>,
//    encode(value) and decode to a value;
//  - troupe to_value<T> and from_value<T>, beside a plain copy of the message (what any
//    owning representation of it costs at least);
//  - raw simdjson, troupe's JSON parser: the same text parsed into its DOM by a reused
//    parser (as troupe's per-thread parser), the floor of JSON decoding;
//  - raw Boost.JSON, a DOM library for reference: parse (a monotonic resource on a stack
//    buffer), serialize of the parsed DOM (serialize(), and a reused serializer into a reused
//    string), and a DOM built by hand then serialized (what encoding a struct costs with a
//    JSON DOM library);
//  - raw MessagePack with MsgPuck (C, when found at build time): the message encoded by hand
//    into a buffer, and decoded by hand after mp_check (troupe validates too) and without:
//    the floor of what a MessagePack library costs.
// Before timing, main() checks that every path reads and writes the same message (the
// MsgPuck bytes must equal troupe's) and prints the messages' sizes on stderr.
//
// Boost.JSON's implementation is compiled here, in this program only (troupe does not use it).
#include <boost/json/src.hpp>
//
#include <simdjson.h>

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include <benchmark/benchmark.h>
#include <boost/describe/enum_to_string.hpp>
#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/serializer.hpp>
#include <boost/json/value.hpp>
#if TROUPE_BENCH_MSGPUCK
#include <msgpuck.h>
#endif

#include <troupe/codec/convert.hpp>
#include <troupe/codec/describe.hpp>
#include <troupe/codec/json.hpp>
#include <troupe/codec/msgpack.hpp>

namespace bench {

// --- the messages --------------------------------------------------------------------------

struct reading {
    std::string key;
    std::int64_t value = 0;
    double ratio = 0;
    friend bool operator==(const reading&, const reading&) = default;
};
TROUPE_MESSAGE(reading, "bench.Reading", key, value, ratio)

enum class status { pending, paid, shipped, delivered, returned };
BOOST_DESCRIBE_ENUM(status, pending, paid, shipped, delivered, returned)

struct line_item {
    std::string name;
    std::int64_t count = 0;
    double price = 0;
    friend bool operator==(const line_item&, const line_item&) = default;
};
BOOST_DESCRIBE_STRUCT(line_item, (), (name, count, price))

struct postal_address {
    std::string street;
    std::string city;
    std::string postcode;
    std::string country;
    friend bool operator==(const postal_address&, const postal_address&) = default;
};
BOOST_DESCRIBE_STRUCT(postal_address, (), (street, city, postcode, country))

struct order {
    std::string id;
    std::string customer;
    std::string note;
    std::string channel;
    std::int64_t sequence = 0;
    std::int64_t created_ms = 0;
    double total = 0;
    double weight_kg = 0;
    bool express = false;
    bool gift = false;
    std::vector<std::int64_t> samples;
    std::vector<line_item> items;
    postal_address ship_to;
    status state = status::pending;
    friend bool operator==(const order&, const order&) = default;
};
TROUPE_MESSAGE(order, "bench.Order", id, customer, note, channel, sequence, created_ms, total,
               weight_kg, express, gift, samples, items, ship_to, state)

reading sample(const reading*) {
    return {"temperature", 42, 0.5};
}

order sample(const order*) {
    order o;
    o.id = "ord-2026-11-22-000417";
    o.customer = "Marguerite Delacroix-Hoffmann";
    o.note =
        "Leave the parcel with the concierge on the ground floor if nobody answers; the "
        "building has two entrances, use the one facing the park. Fragile: glassware inside, "
        "keep upright. Call before delivery between 9 and 17. Invoice the billing address on "
        "file, not this one; purchase order PO-7731-B, cost centre CC-42 (logistics).";
    o.channel = "web-checkout";
    o.sequence = 90417;
    o.created_ms = 1795392000123;
    o.total = 1234.56;
    o.weight_kg = 12.75;
    o.express = true;
    o.gift = false;
    o.samples = {0,     1,     -1,   17,     127,     128,  -32,   -33,   255,      256,
                 65535, 65536, -129, -40000, 1000000, 4096, 31415, -2718, 88888888, 7};
    o.items = {{"espresso cups, set of 6", 2, 24.9},
               {"tea towel", 4, 4.5},
               {"carafe 1.5 l", 1, 39.99},
               {"coaster", 12, 1.25},
               {"gift wrap", 1, 0}};
    o.ship_to = {"14 rue des Trois Frères, bâtiment B", "Lyon", "69004", "France"};
    o.state = status::shipped;
    return o;
}

template <class T>
const T& the_sample() {
    static const T value = sample(static_cast<const T*>(nullptr));
    return value;
}

template <class T>
const std::string& json_text() {
    static const std::string text = troupe::codec::json::encode(the_sample<T>()).value();
    return text;
}

template <class T>
const std::string& msgpack_bytes() {
    static const std::string bytes = troupe::codec::msgpack::encode(the_sample<T>()).value();
    return bytes;
}

// --- Boost.JSON by hand --------------------------------------------------------------------

// The DOM of a message built field by field: what encoding a struct costs with Boost.JSON
// alone (and then serializing it).
void build_dom(boost::json::object& obj, const reading& r) {
    obj.reserve(3);
    obj.emplace("key", r.key);
    obj.emplace("value", r.value);
    obj.emplace("ratio", r.ratio);
}

void build_dom(boost::json::object& obj, const order& o) {
    const boost::json::storage_ptr& sp = obj.storage();
    obj.reserve(14);
    obj.emplace("id", o.id);
    obj.emplace("customer", o.customer);
    obj.emplace("note", o.note);
    obj.emplace("channel", o.channel);
    obj.emplace("sequence", o.sequence);
    obj.emplace("created_ms", o.created_ms);
    obj.emplace("total", o.total);
    obj.emplace("weight_kg", o.weight_kg);
    obj.emplace("express", o.express);
    obj.emplace("gift", o.gift);
    boost::json::array samples(sp);
    samples.reserve(o.samples.size());
    for (std::int64_t s : o.samples) samples.emplace_back(s);
    obj.emplace("samples", std::move(samples));
    boost::json::array items(sp);
    items.reserve(o.items.size());
    for (const line_item& i : o.items) {
        boost::json::object item(sp);
        item.reserve(3);
        item.emplace("name", i.name);
        item.emplace("count", i.count);
        item.emplace("price", i.price);
        items.emplace_back(std::move(item));
    }
    obj.emplace("items", std::move(items));
    boost::json::object ship_to(sp);
    ship_to.reserve(4);
    ship_to.emplace("street", o.ship_to.street);
    ship_to.emplace("city", o.ship_to.city);
    ship_to.emplace("postcode", o.ship_to.postcode);
    ship_to.emplace("country", o.ship_to.country);
    obj.emplace("ship_to", std::move(ship_to));
    obj.emplace("state", boost::describe::enum_to_string(o.state, "?"));
}

// boost::json::serialize() without its final allocation: the text goes into `out`.
void serialize_into(std::string& out, boost::json::serializer& sr, const boost::json::value& v) {
    out.clear();
    sr.reset(&v);
    char buf[4096];
    while (!sr.done()) {
        auto chunk = sr.read(buf, sizeof buf);
        out.append(chunk.data(), chunk.size());
    }
}

// --- MsgPuck by hand -----------------------------------------------------------------------

#if TROUPE_BENCH_MSGPUCK

char* mp_put_str(char* p, std::string_view s) {
    return mp_encode_str(p, s.data(), static_cast<std::uint32_t>(s.size()));
}
char* mp_put_int(char* p, std::int64_t i) {
    return i >= 0 ? mp_encode_uint(p, static_cast<std::uint64_t>(i)) : mp_encode_int(p, i);
}

char* mp_write(char* p, const reading& r) {
    p = mp_encode_map(p, 3);
    p = mp_put_str(mp_put_str(p, "key"), r.key);
    p = mp_put_int(mp_put_str(p, "value"), r.value);
    p = mp_encode_double(mp_put_str(p, "ratio"), r.ratio);
    return p;
}

char* mp_write(char* p, const order& o) {
    p = mp_encode_map(p, 14);
    p = mp_put_str(mp_put_str(p, "id"), o.id);
    p = mp_put_str(mp_put_str(p, "customer"), o.customer);
    p = mp_put_str(mp_put_str(p, "note"), o.note);
    p = mp_put_str(mp_put_str(p, "channel"), o.channel);
    p = mp_put_int(mp_put_str(p, "sequence"), o.sequence);
    p = mp_put_int(mp_put_str(p, "created_ms"), o.created_ms);
    p = mp_encode_double(mp_put_str(p, "total"), o.total);
    p = mp_encode_double(mp_put_str(p, "weight_kg"), o.weight_kg);
    p = mp_encode_bool(mp_put_str(p, "express"), o.express);
    p = mp_encode_bool(mp_put_str(p, "gift"), o.gift);
    p = mp_encode_array(mp_put_str(p, "samples"), static_cast<std::uint32_t>(o.samples.size()));
    for (std::int64_t s : o.samples) p = mp_put_int(p, s);
    p = mp_encode_array(mp_put_str(p, "items"), static_cast<std::uint32_t>(o.items.size()));
    for (const line_item& i : o.items) {
        p = mp_encode_map(p, 3);
        p = mp_put_str(mp_put_str(p, "name"), i.name);
        p = mp_put_int(mp_put_str(p, "count"), i.count);
        p = mp_encode_double(mp_put_str(p, "price"), i.price);
    }
    p = mp_encode_map(mp_put_str(p, "ship_to"), 4);
    p = mp_put_str(mp_put_str(p, "street"), o.ship_to.street);
    p = mp_put_str(mp_put_str(p, "city"), o.ship_to.city);
    p = mp_put_str(mp_put_str(p, "postcode"), o.ship_to.postcode);
    p = mp_put_str(mp_put_str(p, "country"), o.ship_to.country);
    p = mp_put_str(mp_put_str(p, "state"), boost::describe::enum_to_string(o.state, "?"));
    return p;
}

// Hand-written decoding with the checks any decoder of untrusted input makes: each value's
// type, unknown and missing fields (no duplicate check: a field read twice is overwritten).
bool mp_get(const char** p, std::string_view& out) {
    if (mp_typeof(**p) != MP_STR) return false;
    std::uint32_t n;
    const char* s = mp_decode_str(p, &n);
    out = {s, n};
    return true;
}
bool mp_get(const char** p, std::string& out) {
    std::string_view s;
    if (!mp_get(p, s)) return false;
    out.assign(s);
    return true;
}
bool mp_get(const char** p, std::int64_t& out) {
    switch (mp_typeof(**p)) {
        case MP_UINT: {
            std::uint64_t u = mp_decode_uint(p);
            if (u > static_cast<std::uint64_t>(INT64_MAX)) return false;
            out = static_cast<std::int64_t>(u);
            return true;
        }
        case MP_INT:
            out = mp_decode_int(p);
            return true;
        default:
            return false;
    }
}
bool mp_get(const char** p, double& out) {
    switch (mp_typeof(**p)) {
        case MP_DOUBLE:
            out = mp_decode_double(p);
            return true;
        case MP_FLOAT:
            out = mp_decode_float(p);
            return true;
        default:
            return false;
    }
}
bool mp_get(const char** p, bool& out) {
    if (mp_typeof(**p) != MP_BOOL) return false;
    out = mp_decode_bool(p);
    return true;
}
bool mp_get(const char** p, status& out) {
    std::string_view s;
    if (!mp_get(p, s)) return false;
    bool found = false;
    boost::mp11::mp_for_each<boost::describe::describe_enumerators<status>>([&](auto d) {
        if (!found && s == d.name) {
            out = d.value;
            found = true;
        }
    });
    return found;
}

// Reads a map of `fields` known keys: read_field(key) reads the value of one and returns its
// bit, or 0 if the key is unknown or its value wrong.
template <class F>
bool mp_get_struct(const char** p, unsigned fields, F&& read_field) {
    if (mp_typeof(**p) != MP_MAP) return false;
    std::uint32_t n = mp_decode_map(p);
    unsigned seen = 0;
    for (std::uint32_t i = 0; i < n; ++i) {
        std::string_view key;
        if (!mp_get(p, key)) return false;
        unsigned bit = read_field(key);
        if (bit == 0) return false;
        seen |= bit;
    }
    return seen == (1u << fields) - 1;
}

bool mp_read(const char** p, reading& r) {
    return mp_get_struct(p, 3, [&](std::string_view key) -> unsigned {
        if (key == "key") return mp_get(p, r.key) ? 1 : 0;
        if (key == "value") return mp_get(p, r.value) ? 2 : 0;
        if (key == "ratio") return mp_get(p, r.ratio) ? 4 : 0;
        return 0;
    });
}

bool mp_read(const char** p, line_item& i) {
    return mp_get_struct(p, 3, [&](std::string_view key) -> unsigned {
        if (key == "name") return mp_get(p, i.name) ? 1 : 0;
        if (key == "count") return mp_get(p, i.count) ? 2 : 0;
        if (key == "price") return mp_get(p, i.price) ? 4 : 0;
        return 0;
    });
}

bool mp_read(const char** p, postal_address& a) {
    return mp_get_struct(p, 4, [&](std::string_view key) -> unsigned {
        if (key == "street") return mp_get(p, a.street) ? 1 : 0;
        if (key == "city") return mp_get(p, a.city) ? 2 : 0;
        if (key == "postcode") return mp_get(p, a.postcode) ? 4 : 0;
        if (key == "country") return mp_get(p, a.country) ? 8 : 0;
        return 0;
    });
}

template <class T>
bool mp_get_vector(const char** p, std::vector<T>& out) {
    if (mp_typeof(**p) != MP_ARRAY) return false;
    std::uint32_t n = mp_decode_array(p);
    out.clear();
    out.reserve(n);
    for (std::uint32_t i = 0; i < n; ++i) {
        bool ok;
        if constexpr (std::is_same_v<T, std::int64_t>)
            ok = mp_get(p, out.emplace_back());
        else
            ok = mp_read(p, out.emplace_back());
        if (!ok) return false;
    }
    return true;
}

bool mp_read(const char** p, order& o) {
    return mp_get_struct(p, 14, [&](std::string_view key) -> unsigned {
        if (key == "id") return mp_get(p, o.id) ? 1u << 0 : 0;
        if (key == "customer") return mp_get(p, o.customer) ? 1u << 1 : 0;
        if (key == "note") return mp_get(p, o.note) ? 1u << 2 : 0;
        if (key == "channel") return mp_get(p, o.channel) ? 1u << 3 : 0;
        if (key == "sequence") return mp_get(p, o.sequence) ? 1u << 4 : 0;
        if (key == "created_ms") return mp_get(p, o.created_ms) ? 1u << 5 : 0;
        if (key == "total") return mp_get(p, o.total) ? 1u << 6 : 0;
        if (key == "weight_kg") return mp_get(p, o.weight_kg) ? 1u << 7 : 0;
        if (key == "express") return mp_get(p, o.express) ? 1u << 8 : 0;
        if (key == "gift") return mp_get(p, o.gift) ? 1u << 9 : 0;
        if (key == "samples") return mp_get_vector(p, o.samples) ? 1u << 10 : 0;
        if (key == "items") return mp_get_vector(p, o.items) ? 1u << 11 : 0;
        if (key == "ship_to") return mp_read(p, o.ship_to) ? 1u << 12 : 0;
        if (key == "state") return mp_get(p, o.state) ? 1u << 13 : 0;
        return 0;
    });
}

// The whole input must be one valid value (what troupe's validate_msgpack proves).
template <class T>
bool mp_decode_checked(std::string_view in, T& out) {
    const char* p = in.data();
    const char* end = p + in.size();
    if (mp_check(&p, end) != 0 || p != end) return false;
    p = in.data();
    return mp_read(&p, out);
}

#endif  // TROUPE_BENCH_MSGPUCK

// --- troupe JSON ---------------------------------------------------------------------------

namespace codec = troupe::codec;

template <class T>
void json_encode_typed(benchmark::State& state) {
    const T& m = the_sample<T>();
    std::string out;
    for (auto _ : state) {
        out.clear();
        if (!codec::json::encode_to(out, m)) state.SkipWithError("encode failed");
        benchmark::DoNotOptimize(out.data());
        benchmark::ClobberMemory();
    }
    state.counters["bytes"] = static_cast<double>(out.size());
}

template <class T>
void json_decode_typed(benchmark::State& state) {
    const std::string& text = json_text<T>();
    for (auto _ : state) {
        auto m = codec::json::decode<T>(text);
        if (!m) state.SkipWithError("decode failed");
        benchmark::DoNotOptimize(m);
    }
    state.counters["bytes"] = static_cast<double>(text.size());
}

template <class T>
void json_encode_value(benchmark::State& state) {
    const troupe::value v = codec::json::decode(json_text<T>()).value();
    for (auto _ : state) {
        auto text = codec::json::encode(v);
        if (!text) state.SkipWithError("encode failed");
        benchmark::DoNotOptimize(text);
    }
}

template <class T>
void json_decode_value(benchmark::State& state) {
    const std::string& text = json_text<T>();
    for (auto _ : state) {
        auto v = codec::json::decode(text);
        if (!v) state.SkipWithError("decode failed");
        benchmark::DoNotOptimize(v);
    }
}

// --- troupe MessagePack --------------------------------------------------------------------

template <class T>
void msgpack_encode_typed(benchmark::State& state) {
    const T& m = the_sample<T>();
    std::string out;
    for (auto _ : state) {
        out.clear();
        if (!codec::msgpack::encode_to(out, m)) state.SkipWithError("encode failed");
        benchmark::DoNotOptimize(out.data());
        benchmark::ClobberMemory();
    }
    state.counters["bytes"] = static_cast<double>(out.size());
}

template <class T>
void msgpack_decode_typed(benchmark::State& state) {
    const std::string& bytes = msgpack_bytes<T>();
    for (auto _ : state) {
        auto m = codec::msgpack::decode<T>(bytes);
        if (!m) state.SkipWithError("decode failed");
        benchmark::DoNotOptimize(m);
    }
    state.counters["bytes"] = static_cast<double>(bytes.size());
}

template <class T>
void msgpack_encode_value(benchmark::State& state) {
    const troupe::value v = codec::msgpack::decode(msgpack_bytes<T>()).value();
    for (auto _ : state) {
        auto bytes = codec::msgpack::encode(v);
        if (!bytes) state.SkipWithError("encode failed");
        benchmark::DoNotOptimize(bytes);
    }
}

template <class T>
void msgpack_decode_value(benchmark::State& state) {
    const std::string& bytes = msgpack_bytes<T>();
    for (auto _ : state) {
        auto v = codec::msgpack::decode(bytes);
        if (!v) state.SkipWithError("decode failed");
        benchmark::DoNotOptimize(v);
    }
}

// --- troupe value <-> described type, and a plain copy ---------------------------------------

template <class T>
void value_to_value(benchmark::State& state) {
    const T& m = the_sample<T>();
    for (auto _ : state) {
        auto v = codec::to_value(m);
        if (!v) state.SkipWithError("to_value failed");
        benchmark::DoNotOptimize(v);
    }
}

template <class T>
void value_from_value(benchmark::State& state) {
    const troupe::value v = codec::to_value(the_sample<T>()).value();
    for (auto _ : state) {
        auto m = codec::from_value<T>(v);
        if (!m) state.SkipWithError("from_value failed");
        benchmark::DoNotOptimize(m);
    }
}

template <class T>
void copy_message(benchmark::State& state) {
    const T& m = the_sample<T>();
    for (auto _ : state) {
        T copy = m;
        benchmark::DoNotOptimize(copy);
    }
}

// --- raw simdjson --------------------------------------------------------------------------

// A reused parser, as troupe's per-thread one: it keeps its buffers, and copies the text into
// its padded buffer on every parse, as troupe's (whose input is a string_view).
template <class T>
void simdjson_parse(benchmark::State& state) {
    const std::string& text = json_text<T>();
    simdjson::dom::parser parser;
    for (auto _ : state) {
        simdjson::dom::element root;
        if (parser.parse(text.data(), text.size()).get(root)) state.SkipWithError("parse failed");
        benchmark::DoNotOptimize(root);
    }
}

// --- raw Boost.JSON ------------------------------------------------------------------------

// The DOM in a monotonic resource over a 2 KiB stack buffer, so that small texts allocate nothing.
template <class T>
void boost_json_parse(benchmark::State& state) {
    const std::string& text = json_text<T>();
    for (auto _ : state) {
        unsigned char buffer[2048];
        boost::json::monotonic_resource mr{buffer, sizeof buffer};
        boost::system::error_code ec;
        boost::json::value v = boost::json::parse(text, ec, &mr);
        if (ec) state.SkipWithError("parse failed");
        benchmark::DoNotOptimize(v);
    }
}

// boost::json::serialize(): a fresh string, as troupe's json::encode(value).
template <class T>
void boost_json_serialize(benchmark::State& state) {
    const boost::json::value v = boost::json::parse(json_text<T>());
    for (auto _ : state) {
        std::string text = boost::json::serialize(v);
        benchmark::DoNotOptimize(text);
    }
}

// A reused serializer into a reused string, as troupe's json::encode_to.
template <class T>
void boost_json_serialize_reused(benchmark::State& state) {
    const boost::json::value v = boost::json::parse(json_text<T>());
    boost::json::serializer sr;
    std::string out;
    for (auto _ : state) {
        serialize_into(out, sr, v);
        benchmark::DoNotOptimize(out.data());
        benchmark::ClobberMemory();
    }
}

// The DOM built from the struct by hand (monotonic resource on a stack buffer), then
// serialized into a reused string: Boost.JSON's equivalent of encode_to<T>.
template <class T>
void boost_json_build_serialize(benchmark::State& state) {
    const T& m = the_sample<T>();
    boost::json::serializer sr;
    std::string out;
    for (auto _ : state) {
        unsigned char buffer[2048];
        boost::json::monotonic_resource mr{buffer, sizeof buffer};
        boost::json::value v(boost::json::object_kind, boost::json::storage_ptr(&mr));
        build_dom(v.get_object(), m);
        serialize_into(out, sr, v);
        benchmark::DoNotOptimize(out.data());
        benchmark::ClobberMemory();
    }
}

// --- raw MessagePack (MsgPuck) -------------------------------------------------------------

#if TROUPE_BENCH_MSGPUCK

template <class T>
void msgpuck_encode(benchmark::State& state) {
    const T& m = the_sample<T>();
    char buffer[2048];  // the floor: no capacity checks (the sizes are known to fit)
    for (auto _ : state) {
        char* end = mp_write(buffer, m);
        benchmark::DoNotOptimize(end);
        benchmark::ClobberMemory();
    }
}

template <class T>
void msgpuck_decode_checked(benchmark::State& state) {
    const std::string& bytes = msgpack_bytes<T>();
    for (auto _ : state) {
        T m{};
        if (!mp_decode_checked(bytes, m)) state.SkipWithError("decode failed");
        benchmark::DoNotOptimize(m);
    }
}

template <class T>
void msgpuck_decode_unchecked(benchmark::State& state) {
    const std::string& bytes = msgpack_bytes<T>();
    for (auto _ : state) {
        T m{};
        const char* p = bytes.data();
        if (!mp_read(&p, m)) state.SkipWithError("decode failed");
        benchmark::DoNotOptimize(m);
    }
}

#endif  // TROUPE_BENCH_MSGPUCK

// --- registration and the checks before timing -----------------------------------------------

template <class T>
void register_all(const std::string& message) {
    auto add = [&](const char* name, void (*fn)(benchmark::State&)) {
        benchmark::RegisterBenchmark((message + "/" + name).c_str(), fn);
    };
    add("json/encode<T>", json_encode_typed<T>);
    add("json/decode<T>", json_decode_typed<T>);
    add("json/encode(value)", json_encode_value<T>);
    add("json/decode(value)", json_decode_value<T>);
    add("msgpack/encode<T>", msgpack_encode_typed<T>);
    add("msgpack/decode<T>", msgpack_decode_typed<T>);
    add("msgpack/encode(value)", msgpack_encode_value<T>);
    add("msgpack/decode(value)", msgpack_decode_value<T>);
    add("value/to_value<T>", value_to_value<T>);
    add("value/from_value<T>", value_from_value<T>);
    add("value/copy<T>", copy_message<T>);
    add("raw_simdjson/parse", simdjson_parse<T>);
    add("raw_boost_json/parse", boost_json_parse<T>);
    add("raw_boost_json/serialize", boost_json_serialize<T>);
    add("raw_boost_json/serialize_reused", boost_json_serialize_reused<T>);
    add("raw_boost_json/build+serialize", boost_json_build_serialize<T>);
#if TROUPE_BENCH_MSGPUCK
    add("raw_msgpuck/encode", msgpuck_encode<T>);
    add("raw_msgpuck/check+decode", msgpuck_decode_checked<T>);
    add("raw_msgpuck/decode", msgpuck_decode_unchecked<T>);
#endif
}

// Every path must agree on the message before anything is timed.
template <class T>
bool check(const char* message) {
    const T& m = the_sample<T>();
    const std::string& text = json_text<T>();
    const std::string& bytes = msgpack_bytes<T>();
    auto fail = [&](const char* what) {
        std::fprintf(stderr, "codec_micro: %s message: %s\n", message, what);
        return false;
    };
    if (codec::json::decode<T>(text).value() != m) return fail("JSON decode<T> differs");
    if (codec::msgpack::decode<T>(bytes).value() != m) return fail("MessagePack decode<T> differs");
    auto v = codec::to_value(m).value();
    if (codec::from_value<T>(v).value() != m) return fail("from_value(to_value) differs");
    if (codec::json::decode(text).value() != v) return fail("JSON decode(value) differs");
    if (codec::msgpack::decode(bytes).value() != v)
        return fail("MessagePack decode(value) differs");
    if (codec::json::encode(v).value() != text) return fail("JSON encode(value) differs");
    if (codec::msgpack::encode(v).value() != bytes)
        return fail("MessagePack encode(value) differs");
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    if (parser.parse(text).get(root)) return fail("simdjson cannot parse troupe's text");
    auto reread = codec::json::decode<T>(simdjson::minify(root));
    if (!reread || *reread != m) return fail("simdjson's reading differs");
    boost::json::object built;
    build_dom(built, m);
    boost::json::value parsed = boost::json::parse(text);
    if (parsed != built) return fail("the hand-built Boost.JSON DOM differs from the parsed one");
    if (boost::json::parse(boost::json::serialize(built)) != parsed)
        return fail("Boost.JSON's text differs");
#if TROUPE_BENCH_MSGPUCK
    char buffer[2048];
    char* end = mp_write(buffer, m);
    if (std::string_view(buffer, static_cast<std::size_t>(end - buffer)) != bytes)
        return fail("MsgPuck's bytes differ from troupe's");
    T back{};
    if (!mp_decode_checked(bytes, back) || back != m) return fail("MsgPuck's decoding differs");
#endif
    std::fprintf(stderr, "codec_micro: %s message: JSON %zu bytes, MessagePack %zu bytes\n",
                 message, text.size(), bytes.size());
    return true;
}

}  // namespace bench

int main(int argc, char** argv) {
    if (!bench::check<bench::reading>("small") || !bench::check<bench::order>("1KiB")) return 1;
#if !TROUPE_BENCH_MSGPUCK
    std::fprintf(stderr, "codec_micro: built without MsgPuck: no raw MessagePack floor\n");
#endif
    bench::register_all<bench::reading>("small");
    bench::register_all<bench::order>("1KiB");
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}

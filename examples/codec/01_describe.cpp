// 01_describe: describe a message once, then write and read it as JSON, MessagePack and a
// dynamic value. Errors say which field was wrong and why.
#include <cstdint>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include <troupe/codec/convert.hpp>
#include <troupe/codec/json.hpp>
#include <troupe/codec/msgpack.hpp>

namespace shop {

enum class unit { piece, kilogram, litre };
BOOST_DESCRIBE_ENUM(unit, piece, kilogram, litre)

struct line {
    std::string product;
    double quantity = 0;
    unit per = unit::piece;
};
BOOST_DESCRIBE_STRUCT(line, (), (product, quantity, per))

struct PlaceOrder {
    std::string customer;
    std::vector<line> lines;
    std::optional<std::string> note;
};
TROUPE_MESSAGE(PlaceOrder, "shop.PlaceOrder", customer, lines, note)

}  // namespace shop

namespace codec = troupe::codec;

int main() {
    shop::PlaceOrder order{"ada", {{"apples", 1.5, shop::unit::kilogram}, {"pen", 2}}, {}};

    std::string text = codec::json::encode(order).value();
    std::cout << "json:    " << text << "\n";

    std::string frame = codec::msgpack::encode(order).value();
    std::cout << "msgpack: " << frame.size() << " bytes, decodes to "
              << codec::msgpack::decode<shop::PlaceOrder>(frame).value().lines[0].product << "\n";

    troupe::value v = codec::to_value(order).value();
    std::cout << "value:   " << v << "\n";

    auto bad = codec::json::decode<shop::PlaceOrder>(
        R"({"customer":"bob","lines":[{"product":"tea","quantity":"two","per":"piece"}]})");
    std::cout << "error:   " << bad.error().message() << "\n";

    troupe::value reading = troupe::value::map{{"key", "temperature"}, {"value", 42}};
    std::cout << "checked: " << reading.at("value").as_int64();  // 42
    try {
        (void)reading.at("key").as_int64();
    } catch (const troupe::bad_value_access& e) {
        std::cout << "; " << e.what() << "\n";  // expected int64, got string
    }
    if (const std::string* key = reading.at("key").if_string())
        std::cout << "key:     " << *key << "\n";
}

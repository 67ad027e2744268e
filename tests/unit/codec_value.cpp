// sluice::codec value codec: round trips of every supported type, nested Hana structs, the
// exact bytes of small values (the stored format must not drift), and strict decoding.

#include <sluice/codec/value_codec.hpp>

#include <boost/hana/adapt_struct.hpp>
#include <boost/hana/define_struct.hpp>
#include <catch2/catch.hpp>

#include <array>
#include <bit>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

namespace codec = sluice::codec;

namespace codec_value_test {

struct address {
  BOOST_HANA_DEFINE_STRUCT(address, (std::string, city), (std::optional<std::string>, zip));
  bool operator==(const address&) const = default;
};

struct line_item {
  BOOST_HANA_DEFINE_STRUCT(line_item, (std::string, sku), (std::uint32_t, quantity),
                           (double, price));
  bool operator==(const line_item&) const = default;
};

struct order {
  BOOST_HANA_DEFINE_STRUCT(order, (std::int64_t, id), (std::vector<line_item>, items),
                           (std::optional<address>, shipping),
                           (std::map<std::string, address>, addresses),
                           (std::unordered_map<std::int32_t, std::vector<line_item>>, by_day),
                           (std::set<std::string>, tags), (std::array<std::uint16_t, 3>, flags));
  bool operator==(const order&) const = default;
};

struct point {
  BOOST_HANA_DEFINE_STRUCT(point, (std::int32_t, x), (std::int32_t, y));
  bool operator==(const point&) const = default;
};

// Adapted from outside rather than defined with the macro.
struct legacy_record {
  std::string name;
  std::vector<point> path;
  bool operator==(const legacy_record&) const = default;
};

struct nothing {
  BOOST_HANA_DEFINE_STRUCT(nothing);
  bool operator==(const nothing&) const = default;
};

struct not_adapted {
  int x;
};

// A user type made encodable through the customization point.
struct celsius {
  double degrees;
  bool operator==(const celsius&) const = default;
};

}  // namespace codec_value_test

BOOST_HANA_ADAPT_STRUCT(codec_value_test::legacy_record, name, path);

template <>
struct sluice::codec::value_codec<codec_value_test::celsius> {
  static void encode(std::string& out, const codec_value_test::celsius& value) {
    value_codec<double>::encode(out, value.degrees);
  }
  static codec_value_test::celsius decode(byte_reader& in) {
    return {value_codec<double>::decode(in)};
  }
  static constexpr std::size_t min_size = 8;
};

using namespace codec_value_test;

namespace {

std::string bytes(std::initializer_list<int> values) {
  std::string out;
  for (const int value : values) out.push_back(static_cast<char>(value));
  return out;
}

template <class T>
void check_round_trip(const T& value) {
  const std::string encoded = codec::encode_value(value);
  CHECK(codec::decode_value<T>(encoded) == value);
}

template <class T>
void check_integer_extremes() {
  using limits = std::numeric_limits<T>;
  for (const T value : {limits::min(), static_cast<T>(limits::min() + 1), T{0}, T{1},
                        static_cast<T>(limits::max() - 1), limits::max()}) {
    check_round_trip(value);
  }
  // Around each varint length boundary.
  for (int bits = 6; bits < limits::digits; bits += 7) {
    const auto boundary = static_cast<T>(std::uint64_t{1} << bits);
    check_round_trip(boundary);
    check_round_trip(static_cast<T>(boundary - 1));
    if constexpr (limits::is_signed) check_round_trip(static_cast<T>(-boundary));
  }
}

}  // namespace

TEST_CASE("every integer type round trips, extremes and varint boundaries included") {
  check_integer_extremes<signed char>();
  check_integer_extremes<short>();
  check_integer_extremes<int>();
  check_integer_extremes<long>();
  check_integer_extremes<long long>();
  check_integer_extremes<unsigned char>();
  check_integer_extremes<unsigned short>();
  check_integer_extremes<unsigned>();
  check_integer_extremes<unsigned long>();
  check_integer_extremes<unsigned long long>();
}

TEST_CASE("bool, char, float and double round trip") {
  check_round_trip(true);
  check_round_trip(false);
  for (int c = -128; c < 128; ++c) check_round_trip(static_cast<char>(c));
  for (const double value : {0.0, -0.0, 1.5, -2.25, std::numeric_limits<double>::infinity(),
                             std::numeric_limits<double>::denorm_min(),
                             std::numeric_limits<double>::max()}) {
    check_round_trip(value);
    check_round_trip(static_cast<float>(value));
  }
  // The value codec keeps every bit, the sign of zero and NaN payloads included.
  for (const std::uint64_t bits : {0x8000000000000000U, 0x7ff8000000000001U, 0xfff0000000000abcU}) {
    const std::string encoded = codec::encode_value(std::bit_cast<double>(bits));
    CHECK(std::bit_cast<std::uint64_t>(codec::decode_value<double>(encoded)) == bits);
  }
}

TEST_CASE("strings and containers round trip") {
  check_round_trip(std::string{});
  check_round_trip(std::string("with\0nul and \xff bytes", 21));
  check_round_trip(std::string(1000, 'x'));
  check_round_trip(std::vector<int>{});
  check_round_trip(std::vector<int>{-1, 0, 1, 1 << 30});
  check_round_trip(std::vector<bool>{true, false, true});
  check_round_trip(std::vector<std::vector<std::string>>{{}, {"a", ""}, {"bc"}});
  check_round_trip(std::set<std::string>{"", "a", "ab", "b"});
  check_round_trip(std::map<std::int64_t, std::string>{{-5, "minus"}, {0, ""}, {7, "seven"}});
  check_round_trip(std::unordered_map<std::string, double>{{"a", 1.0}, {"b", -2.0}, {"", 0.5}});
  check_round_trip(std::optional<std::string>{});
  check_round_trip(std::optional<std::string>{""});
  check_round_trip(std::optional<std::optional<int>>{std::optional<int>{}});
  check_round_trip(std::tuple<>{});
  check_round_trip(std::tuple<int, std::string, std::vector<char>>{-3, "x", {'a', '\0'}});
  check_round_trip(std::pair<std::string, std::uint64_t>{"k", 99});
  check_round_trip(std::array<std::string, 2>{"first", "second"});
  check_round_trip(std::array<int, 0>{});
}

TEST_CASE("nested Hana structs round trip, with containers and optionals of structs") {
  order value;
  value.id = -42;
  value.items = {{"apple", 3, 0.5}, {"pear", 0, -1.25}};
  value.shipping = address{"Lyon", "69001"};
  value.addresses = {{"home", {"Paris", std::nullopt}}, {"work", {"Nantes", "44000"}}};
  value.by_day = {{1, {{"fig", 1, 2.0}}}, {-7, {}}, {3, {{"kiwi", 9, 0.1}, {"lime", 2, 0.2}}}};
  value.tags = {"gift", "urgent"};
  value.flags = {1, 300, 65535};
  check_round_trip(value);
  check_round_trip(order{});
  check_round_trip(std::vector<order>{value, order{}, value});
  check_round_trip(std::map<std::string, std::optional<order>>{{"a", value}, {"b", std::nullopt}});
  check_round_trip(legacy_record{"route", {{0, 0}, {-1, 5}}});
  check_round_trip(nothing{});
  check_round_trip(std::optional<nothing>{nothing{}});
}

TEST_CASE("value_codec specializations make user types encodable") {
  STATIC_REQUIRE(codec::value_encodable<celsius>);
  check_round_trip(celsius{21.5});
  check_round_trip(std::vector<celsius>{{-40.0}, {100.0}});
}

TEST_CASE("the encodable traits accept supported types and reject the rest") {
  STATIC_REQUIRE(codec::is_value_encodable_v<order>);
  STATIC_REQUIRE(codec::is_value_encodable_v<legacy_record>);
  STATIC_REQUIRE((codec::is_value_encodable_v<std::map<std::string, std::vector<point>>>));
  STATIC_REQUIRE_FALSE(codec::is_value_encodable_v<not_adapted>);
  STATIC_REQUIRE_FALSE(codec::is_value_encodable_v<std::vector<not_adapted>>);
  STATIC_REQUIRE_FALSE((codec::is_value_encodable_v<std::tuple<int, not_adapted>>));
  STATIC_REQUIRE_FALSE(codec::is_value_encodable_v<long double>);
  STATIC_REQUIRE_FALSE(codec::is_value_encodable_v<const char*>);
  // Elements encoding to no bytes would leave a count unbounded by the input.
  STATIC_REQUIRE_FALSE(codec::is_value_encodable_v<std::vector<nothing>>);
  STATIC_REQUIRE_FALSE(codec::is_value_encodable_v<std::set<std::tuple<>>>);
  STATIC_REQUIRE(codec::is_value_encodable_v<std::vector<std::optional<nothing>>>);
}

TEST_CASE("the stored format is pinned byte for byte") {
  using codec::encode_value;
  // Zigzag varints: 0, -1, 1, -2, ... become 0, 1, 2, 3, ...
  CHECK(encode_value(0) == bytes({0x00}));
  CHECK(encode_value(-1) == bytes({0x01}));
  CHECK(encode_value(1) == bytes({0x02}));
  CHECK(encode_value(-64) == bytes({0x7f}));
  CHECK(encode_value(64) == bytes({0x80, 0x01}));
  CHECK(encode_value(std::numeric_limits<std::int64_t>::min()) ==
        bytes({0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}));
  CHECK(encode_value(300U) == bytes({0xac, 0x02}));
  CHECK(encode_value(std::uint8_t{255}) == bytes({0xff, 0x01}));
  CHECK(encode_value(std::numeric_limits<std::uint64_t>::max()) ==
        bytes({0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}));
  CHECK(encode_value(true) == bytes({0x01}));
  CHECK(encode_value('A') == bytes({0x41}));
  CHECK(encode_value(1.0) == bytes({0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xf0, 0x3f}));
  CHECK(encode_value(-2.0F) == bytes({0x00, 0x00, 0x00, 0xc0}));
  CHECK(encode_value(std::string("hi")) == bytes({0x02, 'h', 'i'}));
  CHECK(encode_value(std::vector<int>{1, -1}) == bytes({0x02, 0x02, 0x01}));
  CHECK(encode_value(std::set<std::uint8_t>{200, 2}) == bytes({0x02, 0x02, 0xc8, 0x01}));
  CHECK(encode_value(std::map<std::string, int>{{"b", 1}, {"a", 2}}) ==
        bytes({0x02, 0x01, 'a', 0x04, 0x01, 'b', 0x02}));
  // Sorted by encoded key: zigzag puts -1 (0x01) before 1 (0x02) before -2 (0x03).
  CHECK(encode_value(std::unordered_map<int, bool>{{1, true}, {-2, false}, {-1, true}}) ==
        bytes({0x03, 0x01, 0x01, 0x02, 0x01, 0x03, 0x00}));
  CHECK(encode_value(std::optional<int>{}) == bytes({0x00}));
  CHECK(encode_value(std::optional<int>{3}) == bytes({0x01, 0x06}));
  CHECK(encode_value(std::tuple<int, std::string>{1, "x"}) == bytes({0x02, 0x01, 'x'}));
  CHECK(encode_value(std::pair<bool, char>{false, 'z'}) == bytes({0x00, 'z'}));
  CHECK(encode_value(std::array<std::uint16_t, 2>{1, 128}) == bytes({0x01, 0x80, 0x01}));
  CHECK(encode_value(point{1, -1}) == bytes({0x02, 0x01}));
  CHECK(encode_value(address{"A", std::nullopt}) == bytes({0x01, 'A', 0x00}));
  CHECK(encode_value(nothing{}).empty());
}

TEST_CASE("a buffer must hold one value and nothing after it") {
  CHECK_THROWS_MATCHES(
      codec::decode_value<int>(bytes({0x02, 0x00})), sluice::decode_error,
      Catch::Message("sluice: cannot decode int: 1 byte left over after the value"));
  CHECK_THROWS_AS(codec::decode_value<std::string>(bytes({0x01, 'a', 'b', 'c'})),
                  sluice::decode_error);
  CHECK_THROWS_AS(codec::decode_value<point>(bytes({0x02, 0x01, 0x00})), sluice::decode_error);
  CHECK_THROWS_AS(codec::decode_value<nothing>(bytes({0x00})), sluice::decode_error);
  const std::string two_values_and_a_byte = bytes({0x02, 0x04, 0x06});
  codec::byte_reader in{two_values_and_a_byte};
  CHECK(codec::decode_value_from<int>(in) == 1);
  CHECK(codec::decode_value_from<int>(in) == 2);
  CHECK(in.remaining() == 1);
}

TEST_CASE("decoding accepts only the one encoding of each value") {
  using Catch::Matchers::Contains;
  // Varints: no redundant bytes, nothing beyond the type's width.
  CHECK_THROWS_WITH(codec::decode_value<int>(bytes({0x82, 0x00})), Contains("redundant zero byte"));
  CHECK_THROWS_WITH(codec::decode_value<std::uint8_t>(bytes({0xff, 0x03})),
                    Contains("does not fit in 8 bits"));
  CHECK_THROWS_WITH(codec::decode_value<std::uint16_t>(bytes({0x80, 0x80, 0x80, 0x01})),
                    Contains("does not fit in 16 bits"));
  CHECK_THROWS_WITH(codec::decode_value<std::int32_t>(bytes({0xff, 0xff, 0xff, 0xff, 0x1f})),
                    Contains("does not fit in 32 bits"));
  CHECK(codec::decode_value<std::uint32_t>(bytes({0xff, 0xff, 0xff, 0xff, 0x0f})) == 0xffffffffU);
  CHECK_THROWS_WITH(codec::decode_value<std::uint64_t>(bytes({0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                                              0xff, 0xff, 0xff, 0x02})),
                    Contains("does not fit in 64 bits"));
  CHECK_THROWS_WITH(codec::decode_value<bool>(bytes({0x02})),
                    Contains("bool: expected 0x00 or 0x01, found 0x02"));
  // Sets and maps in strictly increasing order only: no duplicates, no disorder.
  CHECK_THROWS_WITH(codec::decode_value<std::set<int>>(bytes({0x02, 0x02, 0x02})),
                    Contains("not in strictly increasing order"));
  CHECK_THROWS_WITH(codec::decode_value<std::set<int>>(bytes({0x02, 0x04, 0x02})),
                    Contains("not in strictly increasing order"));
  const std::string twice_the_same_key = bytes({0x02, 0x02, 0x00, 0x02, 0x00});
  CHECK_THROWS_WITH((codec::decode_value<std::map<int, int>>(twice_the_same_key)),
                    Contains("not in strictly increasing order"));
  CHECK_THROWS_WITH(
      (codec::decode_value<std::unordered_map<int, int>>(bytes({0x02, 0x04, 0x00, 0x02, 0x00}))),
      Contains("keys are not in strictly increasing order of their encodings"));
  CHECK_THROWS_WITH(
      (codec::decode_value<std::unordered_map<int, int>>(twice_the_same_key)),
      Contains("keys are not in strictly increasing order of their encodings"));
  // -0.0 and +0.0 encode differently but are one unordered_map key.
  const std::string zero = codec::encode_value(0.0);
  const std::string negative_zero = codec::encode_value(-0.0);
  CHECK_THROWS_WITH((codec::decode_value<std::unordered_map<double, bool>>(
                        bytes({0x02}) + zero + bytes({0x01}) + negative_zero + bytes({0x01}))),
                    Contains("a key appears twice"));
  CHECK_THROWS_WITH(codec::decode_value<std::optional<int>>(bytes({0x02, 0x00})),
                    Contains("std::optional<int> presence byte: expected 0x00 or 0x01"));
}

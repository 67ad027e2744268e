// sluice::codec key codec: for random pairs of keys of each supported type, the bytewise order
// of the encodings is the order of the keys, keys round trip, and no encoding is a prefix of
// another's. Fixed seeds; the generators favour equal values and shared prefixes. Then the
// exact bytes of a few keys, the lookup spellings of strings, and strict decoding.

#define CATCH_CONFIG_ENABLE_PAIR_STRINGMAKER
#define CATCH_CONFIG_ENABLE_TUPLE_STRINGMAKER
#define CATCH_CONFIG_ENABLE_OPTIONAL_STRINGMAKER

#include <sluice/codec/key_codec.hpp>

#include <boost/hana/define_struct.hpp>
#include <catch2/catch.hpp>

#include <array>
#include <bit>
#include <cmath>
#include <compare>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

namespace codec = sluice::codec;

namespace codec_key_test {

struct account_key {
  BOOST_HANA_DEFINE_STRUCT(account_key, (std::string, region), (std::int16_t, shard),
                           (bool, active));
  auto operator<=>(const account_key&) const = default;
};

}  // namespace codec_key_test

using codec_key_test::account_key;

namespace {

constexpr int cases_per_type = 100'000;

using random_engine = std::mt19937_64;

std::int64_t uniform(random_engine& rng, std::int64_t low, std::int64_t high) {
  return std::uniform_int_distribution<std::int64_t>{low, high}(rng);
}

bool one_in(random_engine& rng, int n) { return uniform(rng, 1, n) == 1; }

template <class T>
T pick(random_engine& rng, std::initializer_list<T> choices) {
  return choices.begin()[uniform(rng, 0, static_cast<std::int64_t>(choices.size()) - 1)];
}

template <class T>
int sign(T comparison) {
  return comparison < 0 ? -1 : comparison > 0 ? 1 : 0;
}

// ---- generators, biased towards extremes, small values and repeats -----------------------

template <std::integral T>
T random_integer(random_engine& rng) {
  using limits = std::numeric_limits<T>;
  switch (uniform(rng, 0, 3)) {
    case 0:
      return pick<T>(rng, {limits::min(), static_cast<T>(limits::min() + 1), T{0}, T{1},
                           static_cast<T>(limits::max() - 1), limits::max(),
                           static_cast<T>(-1)});
    case 1:
      return static_cast<T>(uniform(rng, -3, 3));
    default:
      return static_cast<T>(rng());
  }
}

template <class F>
F random_float(random_engine& rng) {
  using limits = std::numeric_limits<F>;
  using bits_t = std::conditional_t<sizeof(F) == 4, std::uint32_t, std::uint64_t>;
  switch (uniform(rng, 0, 4)) {
    case 0:
      return pick<F>(rng, {-limits::infinity(), -limits::max(), F{-1}, -limits::min(),
                           -limits::denorm_min(), F{-0.0}, F{0}, limits::denorm_min(),
                           limits::min(), F{1}, limits::max(), limits::infinity(),
                           limits::quiet_NaN(), -limits::quiet_NaN(),
                           std::bit_cast<F>(static_cast<bits_t>(std::bit_cast<bits_t>(
                                                                    limits::infinity()) |
                                                                1U))});
    case 1:
      return static_cast<F>(uniform(rng, -3, 3));
    case 2: {  // a denormal of either sign: exponent bits all zero
      const auto mantissa_mask = static_cast<bits_t>((bits_t{1} << (limits::digits - 1)) - 1);
      const auto sign_bit = static_cast<bits_t>(bits_t{1} << (sizeof(F) * 8 - 1));
      return std::bit_cast<F>(static_cast<bits_t>(rng() & (mantissa_mask | sign_bit)));
    }
    default:  // any bit pattern: NaNs with payloads, infinities, everything
      return std::bit_cast<F>(static_cast<bits_t>(rng()));
  }
}

// Keys sort NaN after everything, all NaNs alike, and -0.0 with +0.0.
template <class F>
int compare_floats(F a, F b) {
  if (std::isnan(a) || std::isnan(b)) return int{std::isnan(a)} - int{std::isnan(b)};
  return a < b ? -1 : a > b ? 1 : 0;
}

// Short strings over a small alphabet rich in the bytes the encoding treats specially.
std::string random_string(random_engine& rng) {
  std::string text(static_cast<std::size_t>(uniform(rng, 0, one_in(rng, 8) ? 12 : 4)), 'a');
  for (char& c : text) {
    c = pick<char>(rng, {'\0', '\x01', 'a', 'b', static_cast<char>(0xfe), static_cast<char>(0xff)});
  }
  return text;
}

// ---- the property check ----------------------------------------------------------------

std::string hex(std::string_view bytes) {
  constexpr std::string_view digits = "0123456789abcdef";
  std::string out;
  for (const char c : bytes) {
    const auto byte = static_cast<unsigned char>(c);
    out += {digits[byte >> 4], digits[byte & 0xF], ' '};
  }
  return out;
}

template <class T, class Compare>
bool round_trips(const T& key, const std::string& encoded, Compare compare) {
  try {
    return sign(compare(codec::decode_key<T>(encoded), key)) == 0;
  } catch (const sluice::decode_error&) {
    return false;
  }
}

template <class T, class Compare>
std::string find_violation(const T& a, const T& b, Compare compare) {
  const std::string ea = codec::encode_key(a);
  const std::string eb = codec::encode_key(b);
  const int expected = sign(compare(a, b));
  std::string problem;
  if (sign(ea.compare(eb)) != expected) {
    problem = "encodings order differently from the keys";
  } else if (!round_trips(a, ea, compare)) {
    problem = "the first key does not round trip";
  } else if (expected != 0 && (ea.starts_with(eb) || eb.starts_with(ea))) {
    problem = "one encoding is a prefix of the other";
  }
  if (problem.empty()) return problem;
  return problem + ": " + Catch::Detail::stringify(a) + " vs " + Catch::Detail::stringify(b) +
         ", encoded [" + hex(ea) + "] vs [" + hex(eb) + "]";
}

// For cases_per_type random pairs (a, b), one in eight of them equal: order, round trip and
// prefix-freeness. Reports the number of violations and the first one.
template <class T, class Generate, class Compare = std::compare_three_way>
void check_key_properties(std::uint64_t seed, Generate generate, Compare compare = {}) {
  random_engine rng{seed};
  int violations = 0;
  std::string first_violation;
  for (int i = 0; i < cases_per_type; ++i) {
    const T a = generate(rng);
    const T b = one_in(rng, 8) ? a : generate(rng);
    std::string violation = find_violation(a, b, compare);
    if (!violation.empty() && violations++ == 0) first_violation = std::move(violation);
  }
  INFO("seed " << seed << ", first violation: " << first_violation);
  CHECK(violations == 0);
}

template <class T>
void check_integer_keys(std::uint64_t seed) {
  check_key_properties<T>(seed, random_integer<T>);
}

template <class T>
std::optional<T> maybe(random_engine& rng, T (*generate)(random_engine&)) {
  return one_in(rng, 4) ? std::nullopt : std::optional<T>{generate(rng)};
}

std::string bytes(std::initializer_list<int> values) {
  std::string out;
  for (const int value : values) out.push_back(static_cast<char>(value));
  return out;
}

}  // namespace

TEST_CASE("signed integer keys sort as the integers do") {
  check_integer_keys<std::int8_t>(1);
  check_integer_keys<std::int16_t>(2);
  check_integer_keys<std::int32_t>(3);
  check_integer_keys<std::int64_t>(4);
}

TEST_CASE("unsigned integer keys sort as the integers do") {
  check_integer_keys<std::uint8_t>(5);
  check_integer_keys<std::uint16_t>(6);
  check_integer_keys<std::uint32_t>(7);
  check_integer_keys<std::uint64_t>(8);
}

TEST_CASE("bool and char keys sort as their bytes do") {
  check_key_properties<bool>(9, [](random_engine& rng) { return one_in(rng, 2); });
  check_key_properties<char>(
      10, random_integer<char>, [](char a, char b) {
        return static_cast<unsigned char>(a) <=> static_cast<unsigned char>(b);
      });
}

TEST_CASE("floating-point keys sort numerically, NaN last, zeros equal") {
  check_key_properties<double>(11, random_float<double>, compare_floats<double>);
  check_key_properties<float>(12, random_float<float>, compare_floats<float>);
}

TEST_CASE("string keys sort bytewise, embedded NULs and 0xff included") {
  check_key_properties<std::string>(13, random_string);
}

TEST_CASE("tuple, pair and struct keys sort component by component") {
  check_key_properties<std::tuple<std::string, std::int32_t, std::string>>(
      14, [](random_engine& rng) {
        // Braces fix the order in which the parts are drawn.
        return std::tuple<std::string, std::int32_t, std::string>{
            random_string(rng), random_integer<std::int32_t>(rng), random_string(rng)};
      });
  check_key_properties<std::tuple<std::int8_t, std::string, bool>>(15, [](random_engine& rng) {
    return std::tuple<std::int8_t, std::string, bool>{random_integer<std::int8_t>(rng),
                                                      random_string(rng), one_in(rng, 2)};
  });
  check_key_properties<std::pair<std::int64_t, std::int64_t>>(16, [](random_engine& rng) {
    return std::pair<std::int64_t, std::int64_t>{random_integer<std::int64_t>(rng),
                                                 random_integer<std::int64_t>(rng)};
  });
  check_key_properties<account_key>(17, [](random_engine& rng) {
    return account_key{random_string(rng), random_integer<std::int16_t>(rng), one_in(rng, 2)};
  });
}

TEST_CASE("optional keys sort empty first") {
  check_key_properties<std::optional<std::int32_t>>(
      18, [](random_engine& rng) { return maybe(rng, random_integer<std::int32_t>); });
  check_key_properties<std::optional<std::string>>(
      19, [](random_engine& rng) { return maybe(rng, random_string); });
}

TEST_CASE("vector keys sort lexicographically") {
  check_key_properties<std::vector<std::string>>(20, [](random_engine& rng) {
    std::vector<std::string> values(static_cast<std::size_t>(uniform(rng, 0, 3)));
    for (auto& value : values) value = random_string(rng);
    return values;
  });
}

TEST_CASE("key encodings are pinned byte for byte") {
  using codec::encode_key;
  CHECK(encode_key(std::uint16_t{258}) == bytes({0x01, 0x02}));
  CHECK(encode_key(std::int32_t{-1}) == bytes({0x7f, 0xff, 0xff, 0xff}));
  CHECK(encode_key(std::int32_t{0}) == bytes({0x80, 0x00, 0x00, 0x00}));
  CHECK(encode_key(std::int8_t{-128}) == bytes({0x00}));
  CHECK(encode_key(true) == bytes({0x01}));
  CHECK(encode_key('a') == bytes({'a'}));
  CHECK(encode_key(1.0) == bytes({0xbf, 0xf0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00}));
  CHECK(encode_key(-1.0) == bytes({0x40, 0x0f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}));
  CHECK(encode_key(-0.0) == bytes({0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00}));
  CHECK(encode_key(std::nan("7")) == bytes({0xff, 0xf8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00}));
  CHECK(encode_key(-std::numeric_limits<float>::quiet_NaN()) == bytes({0xff, 0xc0, 0x00, 0x00}));
  CHECK(encode_key(std::string("a\0b", 3)) == bytes({'a', 0x00, 0xff, 'b', 0x00, 0x01}));
  CHECK(encode_key(std::string{}) == bytes({0x00, 0x01}));
  CHECK(encode_key(std::optional<std::int8_t>{}) == bytes({0x00}));
  CHECK(encode_key(std::optional<std::int8_t>{1}) == bytes({0x01, 0x81}));
  CHECK(encode_key(std::vector<bool>{}) == bytes({0x00}));
  CHECK(encode_key(std::vector<bool>{false, true}) == bytes({0x01, 0x00, 0x01, 0x01, 0x00}));
  CHECK(encode_key(std::tuple<std::string, std::uint8_t>{"k", 7}) ==
        bytes({'k', 0x00, 0x01, 0x07}));
  CHECK(encode_key(account_key{"eu", -1, true}) ==
        bytes({'e', 'u', 0x00, 0x01, 0x7f, 0xff, 0x01}));
  CHECK(encode_key(std::array<std::uint8_t, 2>{1, 2}) == bytes({0x01, 0x02}));
}

TEST_CASE("lookup spellings of a string encode exactly as std::string") {
  const std::string expected = codec::encode_key(std::string("user\0id", 7));
  CHECK(codec::encode_key(std::string_view("user\0id", 7)) == expected);
  const std::string plain = codec::encode_key(std::string("user"));
  const char* pointer = "user";
  char buffer[8] = "user";
  CHECK(codec::encode_key("user") == plain);
  CHECK(codec::encode_key(pointer) == plain);
  CHECK(codec::encode_key(buffer) == plain);
  CHECK(codec::encode_key(std::tuple<std::string_view, int>{"user", 3}) ==
        codec::encode_key(std::tuple<std::string, int>{"user", 3}));
  CHECK(codec::encode_key(std::vector<std::string_view>{"a", "b"}) ==
        codec::encode_key(std::vector<std::string>{"a", "b"}));
}

TEST_CASE("the key traits tell encodable, decodable and unsupported types apart") {
  STATIC_REQUIRE(codec::key_decodable<account_key>);
  STATIC_REQUIRE((codec::key_decodable<std::tuple<std::string, std::optional<std::int64_t>>>));
  STATIC_REQUIRE(codec::key_encodable<std::string_view>);
  STATIC_REQUIRE_FALSE(codec::key_decodable<std::string_view>);
  STATIC_REQUIRE((codec::key_encodable<std::tuple<std::string_view, int>>));
  STATIC_REQUIRE_FALSE((codec::key_decodable<std::tuple<std::string_view, int>>));
  STATIC_REQUIRE_FALSE((codec::key_encodable<std::map<int, int>>));
  STATIC_REQUIRE_FALSE(codec::key_encodable<long double>);
}

TEST_CASE("key decoding accepts only the one encoding of each key") {
  using Catch::Matchers::Contains;
  // -0.0 and NaNs other than the canonical one are never written.
  const std::string negative_zero = bytes({0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff});
  const std::string nan_with_payload = bytes({0xff, 0xf8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01});
  CHECK_THROWS_WITH(codec::decode_key<double>(negative_zero), Contains("cannot decode double"));
  CHECK_THROWS_WITH(codec::decode_key<double>(nan_with_payload), Contains("cannot decode double"));
  CHECK_THROWS_WITH(codec::decode_key<float>(bytes({0x00, 0x3f, 0xff, 0xff})),
                    Contains("cannot decode float"));
  CHECK_THROWS_WITH(codec::decode_key<std::string>(bytes({'a', 0x00, 0x02})),
                    Contains("std::string key: 0x00 followed by 0x02"));
  CHECK_THROWS_WITH(codec::decode_key<std::string>(bytes({'a', 'b'})),
                    Contains("std::string key: the input ends"));
  CHECK_THROWS_WITH(codec::decode_key<std::string>(bytes({'a', 0x00})),
                    Contains("std::string key: needs 1 byte, 0 remain"));
  CHECK_THROWS_WITH(codec::decode_key<std::optional<int>>(bytes({0x02})),
                    Contains("std::optional<int> presence byte"));
  CHECK_THROWS_WITH(codec::decode_key<std::vector<bool>>(bytes({0x01, 0x01, 0x05})),
                    Contains("std::vector<bool> element marker: expected 0x00 or 0x01, "
                             "found 0x05"));
  CHECK_THROWS_WITH(codec::decode_key<std::int32_t>(bytes({0x80, 0x00, 0x00})),
                    Contains("int: needs 4 bytes, 3 remain"));
  CHECK_THROWS_WITH(codec::decode_key<std::string>(bytes({'a', 0x00, 0x01, 'b'})),
                    Contains("1 byte left over"));
}

// sluice::codec decoders against bad input: every truncation of valid encodings, random bit
// flips and random bytes, decoded as values and keys of nested types. Decoding either succeeds,
// and then the input was the one encoding of what came out, or throws sluice::decode_error
// naming what it was decoding. Nothing else escapes, nothing crashes, and AddressSanitizer sees
// no read out of bounds. Huge claimed lengths and counts fail before anything is allocated.

#include <sluice/codec/key_codec.hpp>
#include <sluice/codec/value_codec.hpp>

#include <boost/hana/define_struct.hpp>
#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <vector>

namespace codec = sluice::codec;

namespace codec_corruption_test {

struct line_item {
  BOOST_HANA_DEFINE_STRUCT(line_item, (std::string, sku), (std::uint32_t, quantity),
                           (double, price), (std::optional<std::string>, note));
};

struct order {
  BOOST_HANA_DEFINE_STRUCT(order, (std::int64_t, id), (std::vector<line_item>, items),
                           (std::map<std::string, std::vector<std::int16_t>>, tags),
                           (std::unordered_map<std::int32_t, line_item>, by_slot),
                           (std::set<std::uint64_t>, seen), (std::optional<line_item>, gift),
                           (std::tuple<bool, char, float>, flags),
                           (std::array<std::uint8_t, 2>, version));
};

struct event_key {
  BOOST_HANA_DEFINE_STRUCT(event_key, (std::string, stream), (std::uint64_t, sequence),
                           (std::optional<double>, score), (std::vector<std::string>, labels));
};

}  // namespace codec_corruption_test

using namespace codec_corruption_test;

namespace {

using random_engine = std::mt19937_64;

enum class outcome { canonical, rejected, not_canonical, unclear_message };

// How decoding, then re-encoding, treats `bytes` in a format (value or key).
template <class Format, class T>
outcome decode_and_judge(std::string_view bytes) {
  try {
    const T decoded = Format::template decode<T>(bytes);
    return Format::encode(decoded) == bytes ? outcome::canonical : outcome::not_canonical;
  } catch (const sluice::decode_error& error) {
    const std::string_view message = error.what();
    const bool names_subject = message.starts_with("sluice: cannot decode ") &&
                               message.find(": ", 22) != std::string_view::npos &&
                               message[22] != ':';
    return names_subject ? outcome::rejected : outcome::unclear_message;
  }
}

struct value_format {
  template <class T>
  static T decode(std::string_view bytes) { return codec::decode_value<T>(bytes); }
  template <class T>
  static std::string encode(const T& value) { return codec::encode_value(value); }
};

struct key_format {
  template <class T>
  static T decode(std::string_view bytes) { return codec::decode_key<T>(bytes); }
  template <class T>
  static std::string encode(const T& value) { return codec::encode_key(value); }
};

line_item sample_item(int n) {
  return {"sku-" + std::to_string(n), static_cast<std::uint32_t>(n * 1000), n * 0.25,
          n % 2 == 0 ? std::optional<std::string>{"note"} : std::nullopt};
}

order sample_order() {
  order value;
  value.id = -1234567;
  value.items = {sample_item(1), sample_item(2), sample_item(3)};
  value.tags = {{"a", {1, -1}}, {"bb", {}}, {"c\0d", {300}}};
  value.by_slot = {{-1, sample_item(4)}, {70000, sample_item(5)}};
  value.seen = {0, 1, std::uint64_t{1} << 40};
  value.gift = sample_item(6);
  value.flags = {true, 'x', -1.5F};
  value.version = {1, 255};
  return value;
}

using key_tuple = std::tuple<std::string, std::int64_t, std::optional<std::string>>;
using optional_strings = std::map<std::string, std::optional<std::string>>;

// Valid encodings to corrupt, each with the checks to run on its corruptions.
struct specimen {
  std::string name;
  std::string bytes;
  outcome (*judge)(std::string_view);
};

std::vector<specimen> specimens() {
  const event_key key{std::string("str\0eam", 7), 42, -0.5, {"x", "", "y\xff"}};
  return {
      {"order value", codec::encode_value(sample_order()), decode_and_judge<value_format, order>},
      {"vector<line_item> value",
       codec::encode_value(std::vector<line_item>{sample_item(7), sample_item(8)}),
       decode_and_judge<value_format, std::vector<line_item>>},
      {"map<string, optional<string>> value",
       codec::encode_value(optional_strings{{"k", "v"}, {"n", std::nullopt}}),
       decode_and_judge<value_format, optional_strings>},
      {"event_key key", codec::encode_key(key), decode_and_judge<key_format, event_key>},
      {"tuple key", codec::encode_key(key_tuple{"a\0b", -9, "tail"}),
       decode_and_judge<key_format, key_tuple>},
      {"vector<optional<double>> key",
       codec::encode_key(std::vector<std::optional<double>>{1.0, std::nullopt, -0.0}),
       decode_and_judge<key_format, std::vector<std::optional<double>>>},
  };
}

const char* describe(outcome result) {
  switch (result) {
    case outcome::canonical: return "decoded, and re-encodes to the input";
    case outcome::rejected: return "rejected with a decode_error naming its subject";
    case outcome::not_canonical: return "decoded, but re-encodes to other bytes";
    case outcome::unclear_message: return "rejected with a message that names no subject";
  }
  return "?";
}

// Either outcome a decoder may have on arbitrary input.
void check_acceptable(outcome result, const specimen& s, std::string_view input) {
  if (result == outcome::canonical || result == outcome::rejected) return;
  INFO(s.name << " on " << input.size() << " bytes: " << describe(result));
  FAIL_CHECK();
}

// Bytes that mean something to the codecs come up often; the rest uniformly.
char random_byte(random_engine& rng) {
  constexpr std::array<std::uint8_t, 8> telling{0x00, 0x01, 0x02, 0x7f, 0x80, 0x81, 0xfe, 0xff};
  const std::uint64_t draw = rng();
  return static_cast<char>(draw % 2 == 0 ? telling[(draw >> 1) % telling.size()] : draw >> 8);
}

std::string varint(std::uint64_t value) {
  std::string out;
  codec::detail::append_varint(out, value);
  return out;
}

// The largest single allocation made through counting_allocator.
std::size_t largest_allocation = 0;

template <class T>
struct counting_allocator {
  using value_type = T;

  counting_allocator() = default;
  template <class U>
  counting_allocator(const counting_allocator<U>&) noexcept {}

  T* allocate(std::size_t n) {
    largest_allocation = std::max(largest_allocation, n * sizeof(T));
    return std::allocator<T>{}.allocate(n);
  }
  void deallocate(T* pointer, std::size_t n) noexcept {
    std::allocator<T>{}.deallocate(pointer, n);
  }

  template <class U>
  bool operator==(const counting_allocator<U>&) const noexcept { return true; }
};

template <class T>
using counted_vector = std::vector<T, counting_allocator<T>>;

template <class T>
using counted_set = std::set<T, std::less<>, counting_allocator<T>>;

template <class K, class V>
using counted_map = std::map<K, V, std::less<>, counting_allocator<std::pair<const K, V>>>;

template <class K, class V>
using counted_unordered_map = std::unordered_map<K, V, std::hash<K>, std::equal_to<>,
                                                 counting_allocator<std::pair<const K, V>>>;

// Decodes `bytes` as T, expecting a decode_error, and returns the largest allocation made.
template <class T>
std::size_t largest_allocation_rejecting(const std::string& bytes) {
  largest_allocation = 0;
  CHECK_THROWS_AS(codec::decode_value<T>(bytes), sluice::decode_error);
  return largest_allocation;
}

}  // namespace

TEST_CASE("every truncation of a valid encoding is rejected") {
  for (const specimen& s : specimens()) {
    REQUIRE(s.judge(s.bytes) == outcome::canonical);
    for (std::size_t length = 0; length < s.bytes.size(); ++length) {
      const std::string_view truncated = std::string_view{s.bytes}.substr(0, length);
      INFO(s.name << " truncated to " << length << " of " << s.bytes.size() << " bytes");
      CHECK(s.judge(truncated) == outcome::rejected);
    }
  }
}

TEST_CASE("flipped bits are decoded canonically or rejected") {
  random_engine rng{2024};
  for (const specimen& s : specimens()) {
    int decoded = 0;
    for (int trial = 0; trial < 5000; ++trial) {
      std::string corrupt = s.bytes;
      for (auto flips = 1 + rng() % 3; flips > 0; --flips) {
        const std::uint64_t bit = rng() % (corrupt.size() * 8);
        corrupt[bit / 8] = static_cast<char>(corrupt[bit / 8] ^ (1 << (bit % 8)));
      }
      const outcome result = s.judge(corrupt);
      check_acceptable(result, s, corrupt);
      decoded += result == outcome::canonical ? 1 : 0;
    }
    // Both paths must be exercised: some corruptions still decode (to other values).
    INFO(s.name << ": " << decoded << " of 5000 corruptions decoded");
    CHECK(decoded > 0);
    CHECK(decoded < 5000);
  }
}

TEST_CASE("random bytes are decoded canonically or rejected") {
  random_engine rng{7};
  const std::vector<specimen> all = specimens();
  for (int trial = 0; trial < 20000; ++trial) {
    std::string input(rng() % 48, '\0');
    for (char& c : input) c = random_byte(rng);
    for (const specimen& s : all) check_acceptable(s.judge(input), s, input);
  }
}

TEST_CASE("errors name what was being decoded") {
  using Catch::Matchers::Contains;
  // Cut inside the sku: its length 5, then two of its five bytes.
  const std::string cut_in_sku = codec::encode_value(sample_item(7)).substr(0, 3);
  CHECK_THROWS_WITH(codec::decode_value<line_item>(cut_in_sku),
                    "sluice: cannot decode std::string length: needs 5 bytes, 2 remain");
  CHECK_THROWS_WITH(codec::decode_value<order>(codec::encode_value(sample_order()).substr(0, 6)),
                    "sluice: cannot decode std::vector<codec_corruption_test::line_item> element "
                    "count: claims 3 elements of at least 11 bytes, more than the 1 byte left "
                    "can hold");
  CHECK_THROWS_WITH(codec::decode_value<std::vector<std::int16_t>>(varint(2) + varint(1) + "\x80"),
                    Contains("cannot decode short: needs 1 byte, 0 remain"));
  CHECK_THROWS_WITH(codec::decode_value<std::vector<std::int16_t>>(varint(1) + varint(1 << 20)),
                    Contains("cannot decode short: varint does not fit in 16 bits"));
  CHECK_THROWS_WITH((codec::decode_value<std::map<std::string, int>>(varint(9))),
                    Contains("std::map<std::string, int> element count"));
  CHECK_THROWS_WITH(codec::decode_key<key_tuple>(std::string("abc")),
                    Contains("cannot decode std::string key"));
  CHECK_THROWS_WITH(codec::decode_key<event_key>(codec::encode_key(std::string("s")) + "\x01"),
                    Contains("cannot decode unsigned long: needs 8 bytes, 1 remains"));
}

TEST_CASE("huge claimed lengths and counts fail fast, allocating nothing for them") {
  constexpr std::uint64_t huge = std::uint64_t{1} << 62;
  constexpr std::size_t small = 4096;
  const auto started = std::chrono::steady_clock::now();
  // Strings are taken whole from the input once their length is checked against it; a string
  // of 2^62 bytes would also make AddressSanitizer abort the test.
  CHECK_THROWS_AS(codec::decode_value<std::string>(varint(huge) + "abc"), sluice::decode_error);
  CHECK(largest_allocation_rejecting<counted_vector<int>>(varint(huge)) < small);
  CHECK(largest_allocation_rejecting<counted_vector<std::string>>(varint(~std::uint64_t{0})) <
        small);
  // 1000 doubles need 8000 bytes.
  CHECK(largest_allocation_rejecting<counted_vector<double>>(varint(1000) +
                                                             std::string(7999, '\0')) < small);
  CHECK(largest_allocation_rejecting<counted_vector<counted_vector<int>>>(varint(1) +
                                                                          varint(huge)) < small);
  CHECK(largest_allocation_rejecting<std::optional<counted_vector<line_item>>>(
            "\x01" + varint(huge)) < small);
  CHECK(largest_allocation_rejecting<counted_map<std::string, int>>(varint(huge)) < small);
  CHECK(largest_allocation_rejecting<counted_unordered_map<int, int>>(varint(huge)) < small);
  CHECK(largest_allocation_rejecting<counted_set<std::int64_t>>(varint(huge)) < small);
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds{1});
}

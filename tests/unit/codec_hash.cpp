// sluice::codec::stable_hash and key_hash against fixed numbers. These numbers decide where data
// lives on disk: if one of them changes, stored data moves, so a failure here is never fixed by
// updating the expected value.

#include <sluice/codec/stable_hash.hpp>

#include <boost/hana/define_struct.hpp>
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

namespace codec = sluice::codec;

namespace codec_hash_test {

struct account_key {
  BOOST_HANA_DEFINE_STRUCT(account_key, (std::string, region), (std::int16_t, shard),
                           (bool, active));
};

}  // namespace codec_hash_test

using codec_hash_test::account_key;

TEST_CASE("stable_hash is XXH64 with seed 0, fixed forever") {
  using codec::stable_hash;
  CHECK(stable_hash("") == 0xef46db3751d8e999U);
  CHECK(stable_hash("a") == 0xd24ec4f1a98c6e5bU);
  CHECK(stable_hash("abc") == 0x44bc2cf5ad770999U);
  CHECK(stable_hash(std::string_view("\0\xff", 2)) == 0xe0d97d9a03131d7dU);
  CHECK(stable_hash("The quick brown fox jumps over the lazy dog") == 0x0b242d361fda71bcU);
  CHECK(stable_hash(std::string(1000, 'x')) == 0x4cb9a3b69cb700e1U);
  STATIC_REQUIRE(noexcept(stable_hash("")));
}

TEST_CASE("key_hash hashes the key encoding, fixed forever") {
  using codec::key_hash;
  CHECK(key_hash("x") == 0x3b14cfe17d203ff0U);
  CHECK(key_hash(std::string("user-1")) == 0x66c406e97129f0ecU);
  CHECK(key_hash(std::int64_t{42}) == 0x637bf23a08267edfU);
  CHECK(key_hash(std::uint64_t{42}) == 0xa2c396223f8bdbdfU);
  CHECK(key_hash(std::int32_t{-7}) == 0x049d7f84caef2efeU);
  CHECK(key_hash(1.5) == 0xb7e7a9a1bbbbfe32U);
  CHECK(key_hash(std::tuple<std::string, std::int64_t>{"alice", 1700000000000}) ==
        0x1135b422a6843f3eU);
  CHECK(key_hash(std::pair<std::int64_t, std::int64_t>{-1, 1}) == 0xdf61f6a9a5adbf1dU);
  CHECK(key_hash(std::optional<std::string>{}) == 0xe934a84adb052768U);
  CHECK(key_hash(std::vector<std::string>{"a", "b"}) == 0xc1241e5350ff700cU);
  CHECK(key_hash(account_key{"eu-west", 3, true}) == 0x59a6048fe9c238edU);
  CHECK(key_hash(std::int64_t{42}) == codec::stable_hash(codec::encode_key(std::int64_t{42})));
}

TEST_CASE("every spelling of a key hashes alike") {
  using codec::key_hash;
  const char* pointer = "x";
  CHECK(key_hash("x") == key_hash(std::string("x")));
  CHECK(key_hash(std::string_view("x")) == key_hash(std::string("x")));
  CHECK(key_hash(pointer) == key_hash(std::string("x")));
  CHECK(key_hash(std::tuple<std::string_view, int>{"x", 1}) ==
        key_hash(std::tuple<std::string, int>{"x", 1}));
  // Equal keys, different bits: -0.0 is +0.0 and every NaN is one NaN.
  CHECK(key_hash(-0.0) == key_hash(0.0));
  CHECK(key_hash(std::nan("1")) == key_hash(-std::nan("2")));
}

#pragma once
// sluice::codec::stable_hash and key_hash: the 64-bit hash that decides which partition, and
// so which file on disk, a key lives in. Stored data depends on it, so it must give the same
// number on every platform, build and version of sluice: XXH64 with seed 0 over the key's
// encoding, never std::hash. Changing either the hash or the key encoding moves data.

#include <cstdint>
#include <string_view>

#include <xxhash.h>

#include <sluice/codec/key_codec.hpp>

namespace sluice::codec {

inline std::uint64_t stable_hash(std::string_view bytes) noexcept {
  return static_cast<std::uint64_t>(XXH64(bytes.data(), bytes.size(), 0));
}

// Keys that are equal hash equal, whatever their spelling: "x", std::string_view{"x"} and
// std::string{"x"} have one encoding.
template <class K>
std::uint64_t key_hash(const K& key) {
  return stable_hash(encode_key(key));
}

}  // namespace sluice::codec

#pragma once
// How one PState partition lies in its LMDB database. Keys:
//
//   <prefix> 00                          meta of a nested subindexed collection: its size
//                                        (a list: head position and size)
//   <prefix> 01 <element key>            one element: a map entry (key-encoded map key), a set
//                                        member (key-encoded), a list element (key-encoded int64
//                                        position). A nested subindexed value has no entry of
//                                        its own: the element key is the prefix of its entries.
//   02                                   the value of a PState whose top level is a plain value
//
// The top-level map has the empty prefix and no meta. Key encodings are prefix-free, so the
// entries of one element never mix with a neighbour's: a collection is exactly the range
// [prefix 01, prefix 02), and an element's subtree ends before `element key FF`.

#include <sluice/codec/key_codec.hpp>
#include <sluice/codec/value_codec.hpp>

#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace sluice::pstate_detail {

inline constexpr char meta_tag = '\x00';
inline constexpr char element_tag = '\x01';
inline constexpr char elements_end_tag = '\x02';
inline constexpr std::string_view root_value_key = "\x02";

inline std::string with_tag(std::string_view prefix, char tag) {
  std::string key;
  key.reserve(prefix.size() + 1);
  key.append(prefix);
  key.push_back(tag);
  return key;
}

inline std::string meta_key(std::string_view prefix) { return with_tag(prefix, meta_tag); }

template <class K>
std::string element_key(std::string_view prefix, const K& key) {
  std::string encoded = with_tag(prefix, element_tag);
  codec::encode_key_to(encoded, key);
  return encoded;
}

/// The first key after every entry of the element whose key is `element` (its whole subtree).
inline std::string subtree_end(std::string_view element) { return with_tag(element, '\xff'); }

/// The elements of one stored collection that a navigation considers: entries with keys in
/// [lower, upper), at most `limit` of them. Sorted-map ranges narrow it; an absent bound is the
/// collection's own, so a plain lookup builds no bound at all.
struct stored_range {
  std::string prefix;
  std::optional<std::string> lower;
  std::optional<std::string> upper;
  std::size_t limit = std::numeric_limits<std::size_t>::max();
  bool has_meta = true;  // false only for the top-level map

  static stored_range top_level() {
    stored_range top;
    top.has_meta = false;
    return top;
  }
  static stored_range nested(std::string_view element) {
    stored_range nested;
    nested.prefix = element;
    return nested;
  }

  bool whole() const { return !lower && !upper && limit == std::numeric_limits<std::size_t>::max(); }
  std::string first_key() const { return lower ? *lower : with_tag(prefix, element_tag); }
  std::string end_key() const { return upper ? *upper : with_tag(prefix, elements_end_tag); }
  bool contains(std::string_view element) const {
    return (!lower || element >= *lower) && (!upper || element < *upper);
  }
  void raise_lower(std::string bound) {
    if (!lower || bound > *lower) lower = std::move(bound);
  }
  void cut_upper(std::string bound) {
    if (!upper || bound < *upper) upper = std::move(bound);
  }
};

/// Where a subindexed list's elements are: positions [head, head + size).
struct list_meta {
  std::int64_t head = 0;
  std::uint64_t size = 0;

  std::int64_t position(std::uint64_t index) const { return head + static_cast<std::int64_t>(index); }
};

inline std::string encode_list_meta(const list_meta& meta) {
  return codec::encode_value(std::pair{meta.head, meta.size});
}
inline list_meta decode_list_meta(std::string_view bytes) {
  auto [head, size] = codec::decode_value<std::pair<std::int64_t, std::uint64_t>>(bytes);
  return {head, size};
}

}  // namespace sluice::pstate_detail

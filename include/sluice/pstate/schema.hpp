#pragma once
// PState schemas as types: map_schema, list_schema, set_schema, or any plain encodable value.
// A nested collection marked `sluice::subindexed` is stored one element per LMDB entry (see
// layout.hpp); any other value is stored and loaded whole.

#include <sluice/codec/describe.hpp>

#include <map>
#include <set>
#include <string>
#include <type_traits>
#include <vector>

namespace sluice {

/// Schema option: store this nested collection one element per entry, with O(1) size.
struct subindexed {};

template <class K, class V, class... Options>
struct map_schema {
  using key_type = K;
  using mapped_schema = V;
};

template <class T, class... Options>
struct list_schema {
  using element_schema = T;
};

template <class T, class... Options>
struct set_schema {
  using element_type = T;
};

namespace schema {

template <class S> inline constexpr bool is_map_v = false;
template <class K, class V, class... O> inline constexpr bool is_map_v<map_schema<K, V, O...>> = true;

template <class S> inline constexpr bool is_list_v = false;
template <class T, class... O> inline constexpr bool is_list_v<list_schema<T, O...>> = true;

template <class S> inline constexpr bool is_set_v = false;
template <class T, class... O> inline constexpr bool is_set_v<set_schema<T, O...>> = true;

template <class S> inline constexpr bool is_collection_v = is_map_v<S> || is_list_v<S> || is_set_v<S>;

template <class S> inline constexpr bool is_subindexed_v = false;
template <class K, class V, class... O>
inline constexpr bool is_subindexed_v<map_schema<K, V, O...>> = (std::is_same_v<O, subindexed> || ...);
template <class T, class... O>
inline constexpr bool is_subindexed_v<list_schema<T, O...>> = (std::is_same_v<O, subindexed> || ...);
template <class T, class... O>
inline constexpr bool is_subindexed_v<set_schema<T, O...>> = (std::is_same_v<O, subindexed> || ...);

namespace detail {
template <class S> struct value_of { using type = S; };
template <class K, class V, class... O> struct value_of<map_schema<K, V, O...>> {
  using type = std::map<K, typename value_of<V>::type>;
};
template <class T, class... O> struct value_of<list_schema<T, O...>> {
  using type = std::vector<typename value_of<T>::type>;
};
template <class T, class... O> struct value_of<set_schema<T, O...>> { using type = std::set<T>; };
}  // namespace detail

/// The C++ value a schema describes: map_schema<K, V> is a std::map<K, value_of_t<V>>, and so on.
template <class S> using value_of_t = typename detail::value_of<S>::type;

/// How a PState of schema S is stored, as a string: "map_schema<string,list_schema<string,subindexed>>".
/// Schemas that describe alike store alike (see codec::describe_encoding for the values in them).
template <class S>
std::string describe() {
  const std::string options = is_subindexed_v<S> ? ",subindexed>" : ">";
  if constexpr (is_map_v<S>)
    return "map_schema<" + codec::describe_encoding<typename S::key_type>() + "," + describe<typename S::mapped_schema>() + options;
  else if constexpr (is_list_v<S>)
    return "list_schema<" + describe<typename S::element_schema>() + options;
  else if constexpr (is_set_v<S>)
    return "set_schema<" + codec::describe_encoding<typename S::element_type>() + options;
  else
    return codec::describe_encoding<S>();
}

}  // namespace schema
}  // namespace sluice

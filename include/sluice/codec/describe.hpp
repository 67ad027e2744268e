#pragma once
// sluice::codec::describe_encoding<T>(): a short description of how T is encoded, such as
// "(string,string,int64)" for a Hana struct of two strings and an int64_t. It names the encoding,
// not the C++ type: a struct, a tuple and a pair of the same parts describe alike, field names do
// not appear, and `long` and `long long` of one width are both "int64". Types encoded by a
// value_codec specialization of their own are described by their type name.
//
// Two types with different descriptions have different encodings (for the value codec and the
// key codec alike), so the runtime stores the description of each depot's record type and each
// PState's schema with the data and refuses code whose types no longer match it.

#include <sluice/codec/type_name.hpp>
#include <sluice/codec/value_codec.hpp>

#include <array>
#include <cstddef>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <type_traits>
#include <unordered_map>
#include <vector>

namespace sluice::codec {

template <class T>
std::string describe_encoding();

namespace detail {

// "A,B,C" for the descriptions of Ts.
template <class... Ts>
std::string describe_list() {
  std::string out;
  ((out += (out.empty() ? "" : ","), out += describe_encoding<Ts>()), ...);
  return out;
}

template <class Tuple>
struct describe_parts;

template <class... Parts>
struct describe_parts<std::tuple<Parts...>> {
  static std::string of() { return "(" + describe_list<Parts...>() + ")"; }
};

// The families of the standard library the codec knows; `known` is false for any other type.
template <class T>
struct standard_family {
  static constexpr bool known = false;
};
template <class T, class Allocator>
struct standard_family<std::vector<T, Allocator>> {
  static constexpr bool known = true;
  static std::string of() { return "vector<" + describe_list<T>() + ">"; }
};
template <class T, class Compare, class Allocator>
struct standard_family<std::set<T, Compare, Allocator>> {
  static constexpr bool known = true;
  static std::string of() { return "set<" + describe_list<T>() + ">"; }
};
template <class K, class V, class Compare, class Allocator>
struct standard_family<std::map<K, V, Compare, Allocator>> {
  static constexpr bool known = true;
  static std::string of() { return "map<" + describe_list<K, V>() + ">"; }
};
// Entries in the order of their encoded keys, which a std::map's order need not be.
template <class K, class V, class Hash, class Equal, class Allocator>
struct standard_family<std::unordered_map<K, V, Hash, Equal, Allocator>> {
  static constexpr bool known = true;
  static std::string of() { return "unordered_map<" + describe_list<K, V>() + ">"; }
};
template <class T>
struct standard_family<std::optional<T>> {
  static constexpr bool known = true;
  static std::string of() { return "optional<" + describe_list<T>() + ">"; }
};
template <class T, std::size_t N>
struct standard_family<std::array<T, N>> {
  static constexpr bool known = true;
  static std::string of() { return "array<" + describe_list<T>() + "," + std::to_string(N) + ">"; }
};

// Whether T is encoded as the sequence of its parts, by the codec's own product encoding rather
// than a specialization of the user's.
template <class T>
constexpr bool encoded_as_product() {
  if constexpr (product<T>) return std::is_base_of_v<product_codec<value_codec, T>, value_codec<T>>;
  else return false;
}

}  // namespace detail

template <class T>
std::string describe_encoding() {
  using U = std::remove_cv_t<T>;
  if constexpr (std::is_same_v<U, bool>) return "bool";
  else if constexpr (std::is_same_v<U, char>) return "char";
  else if constexpr (detail::plain_integer<U>) return (std::is_signed_v<U> ? "int" : "uint") + std::to_string(8 * sizeof(U));
  else if constexpr (std::is_same_v<U, float>) return "float32";
  else if constexpr (std::is_same_v<U, double>) return "float64";
  else if constexpr (std::is_same_v<U, std::string>) return "string";
  else if constexpr (detail::standard_family<U>::known) return detail::standard_family<U>::of();
  else if constexpr (detail::encoded_as_product<U>()) return detail::describe_parts<detail::parts_t<U>>::of();
  else return "custom " + std::string(type_name_v<U>);
}

}  // namespace sluice::codec

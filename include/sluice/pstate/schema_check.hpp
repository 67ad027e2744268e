#pragma once
// Compile-time validity of a PState schema, one readable static_assert per rule.

#include <sluice/codec/key_codec.hpp>
#include <sluice/codec/value_codec.hpp>
#include <sluice/pstate/schema.hpp>

#include <type_traits>

namespace sluice::pstate_detail {

template <class S> struct schema_rules {
  static constexpr bool encodable = codec::is_value_encodable_v<S>;
  static constexpr bool keys_encodable = true;
  static constexpr bool options_known = true;
  static constexpr bool list_holds_whole_values = true;
};
template <class K, class V, class... O> struct schema_rules<map_schema<K, V, O...>> {
  static constexpr bool encodable = schema_rules<V>::encodable;
  static constexpr bool keys_encodable = codec::is_key_decodable_v<K> && schema_rules<V>::keys_encodable;
  static constexpr bool options_known = (std::is_same_v<O, subindexed> && ...) && schema_rules<V>::options_known;
  static constexpr bool list_holds_whole_values = schema_rules<V>::list_holds_whole_values;
};
template <class T, class... O> struct schema_rules<list_schema<T, O...>> {
  static constexpr bool encodable = schema_rules<T>::encodable;
  static constexpr bool keys_encodable = schema_rules<T>::keys_encodable;
  static constexpr bool options_known = (std::is_same_v<O, subindexed> && ...) && schema_rules<T>::options_known;
  static constexpr bool list_holds_whole_values =
      !(schema::is_subindexed_v<list_schema<T, O...>> && schema::is_subindexed_v<T>) &&
      schema_rules<T>::list_holds_whole_values;
};
template <class T, class... O> struct schema_rules<set_schema<T, O...>> {
  static constexpr bool encodable = codec::is_value_encodable_v<T>;
  static constexpr bool keys_encodable = codec::is_key_decodable_v<T>;
  static constexpr bool options_known = (std::is_same_v<O, subindexed> && ...);
  static constexpr bool list_holds_whole_values = true;
};

template <class S>
constexpr bool assert_valid_schema() {
  using rules = schema_rules<S>;
  static_assert(!schema::is_list_v<S> && !schema::is_set_v<S>,
                "sluice schema: a PState's top level is a map_schema or a plain value, not a list or set");
  static_assert(rules::options_known, "sluice schema: the only schema option is sluice::subindexed");
  static_assert(rules::keys_encodable,
                "sluice schema: map keys and set elements must be key-encodable (integers, bool, double, "
                "std::string, tuples, optionals, vectors and Hana structs of those)");
  static_assert(rules::encodable, "sluice schema: a value in this schema cannot be encoded");
  static_assert(rules::list_holds_whole_values,
                "sluice schema: a subindexed list cannot hold subindexed collections; subindex a map instead");
  return rules::options_known && rules::keys_encodable && rules::encodable && rules::list_holds_whole_values &&
         !schema::is_list_v<S> && !schema::is_set_v<S>;
}

}  // namespace sluice::pstate_detail

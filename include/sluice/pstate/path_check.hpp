#pragma once
// Compile-time fit of a path to a schema. Each navigator names the schema it leads to, or the
// first misuse it finds; `assert_path_fits` turns that misuse into exactly one static_assert whose
// message says what is wrong, at the call that ran the path.
//
// READ THIS IF YOUR COMPILE BREAKS HERE: the static_assert that fired names the misuse; the
// "required from" lines above it lead back to the select or transform in your code.

#include <sluice/codec/key_codec.hpp>
#include <sluice/pstate/navigators.hpp>
#include <sluice/pstate/path.hpp>
#include <sluice/pstate/schema.hpp>

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <utility>

namespace sluice::pstate_detail {

enum class path_error {
  none,
  key_needs_map,
  key_type_mismatch,
  nth_needs_list,
  index_not_integer,
  first_last_need_list,
  all_needs_collection,
  map_keys_vals_need_map,
  elem_needs_list,
  none_elem_needs_set,
  range_needs_sorted_map,
  range_bound_type_mismatch,
  max_not_integer,
  view_not_callable,
  view_in_transform,
  pred_not_predicate,
  null_to_val_type_mismatch,
  null_to_val_on_subindexed,
  term_val_type_mismatch,
  term_fn_type_mismatch,
  terminal_not_last,
  terminal_in_select,
  transform_without_terminal,
  slot_in_select,
  map_keys_in_transform,
  all_pairs_of_subindexed_in_transform,
};

enum class path_mode { select, transform };

template <class S> using value_t = schema::value_of_t<S>;

/// What a navigator leads to from schema S: the next schema, or the misuse.
template <class Nav, class S, path_mode M> struct step {
  static constexpr path_error error = path_error::none;
  using next = S;
};

template <class Arg, class K>
inline constexpr bool key_arg_fits_v = std::is_convertible_v<const Arg&, K> && codec::is_key_encodable_v<K>;

template <class K, class S, path_mode M> struct key_step {
  static constexpr path_error error =
      key_arg_fits_v<K, typename S::key_type> ? path_error::none : path_error::key_type_mismatch;
  using next = typename S::mapped_schema;
};
template <class K, class S, path_mode M> requires(!schema::is_map_v<S>) struct key_step<K, S, M> {
  static constexpr path_error error = path_error::key_needs_map;
  using next = S;
};
template <class K, class S, path_mode M> struct step<nav::key<K>, S, M> : key_step<K, S, M> {};
template <class K, class S, path_mode M> struct step<nav::must<K>, S, M> : key_step<K, S, M> {};

template <class I, class S, path_mode M> struct step<nav::nth<I>, S, M> {
  static constexpr path_error error = std::is_integral_v<I> ? path_error::none : path_error::index_not_integer;
  using next = typename S::element_schema;
};
template <class I, class S, path_mode M> requires(!schema::is_list_v<S>) struct step<nav::nth<I>, S, M> {
  static constexpr path_error error = path_error::nth_needs_list;
  using next = S;
};

template <class S> struct list_element { using type = S; };
template <class T, class... O> struct list_element<list_schema<T, O...>> { using type = T; };

template <class S, path_mode M> struct end_step {
  static constexpr path_error error = schema::is_list_v<S> ? path_error::none : path_error::first_last_need_list;
  using next = typename list_element<S>::type;
};
template <class S, path_mode M> struct step<nav::first, S, M> : end_step<S, M> {};
template <class S, path_mode M> struct step<nav::last, S, M> : end_step<S, M> {};

template <class S> struct all_target { using type = S; };
template <class T, class... O> struct all_target<list_schema<T, O...>> { using type = T; };
template <class T, class... O> struct all_target<set_schema<T, O...>> { using type = T; };
template <class K, class V, class... O> struct all_target<map_schema<K, V, O...>> {
  using type = std::pair<K, value_t<V>>;
};

template <class S, path_mode M> struct step<nav::all, S, M> {
  static constexpr path_error error =
      schema::is_collection_v<S> ? path_error::none : path_error::all_needs_collection;
  using next = typename all_target<S>::type;
};
template <class K, class V, class... O, path_mode M> struct step<nav::all, map_schema<K, V, O...>, M> {
  static constexpr path_error error = (M == path_mode::transform && schema::is_subindexed_v<V>)
                                          ? path_error::all_pairs_of_subindexed_in_transform
                                          : path_error::none;
  using next = std::pair<K, value_t<V>>;
};

template <class S> struct map_parts { using key = S; using mapped = S; };
template <class K, class V, class... O> struct map_parts<map_schema<K, V, O...>> { using key = K; using mapped = V; };

template <class S, path_mode M> struct step<nav::map_keys, S, M> {
  static constexpr path_error error = !schema::is_map_v<S>       ? path_error::map_keys_vals_need_map
                                      : M == path_mode::transform ? path_error::map_keys_in_transform
                                                                  : path_error::none;
  using next = typename map_parts<S>::key;
};
template <class S, path_mode M> struct step<nav::map_vals, S, M> {
  static constexpr path_error error = schema::is_map_v<S> ? path_error::none : path_error::map_keys_vals_need_map;
  using next = typename map_parts<S>::mapped;
};

template <class S, path_mode M> struct slot_step {
  static constexpr path_error error = !schema::is_list_v<S>  ? path_error::elem_needs_list
                                      : M == path_mode::select ? path_error::slot_in_select
                                                               : path_error::none;
  using next = typename list_element<S>::type;
};
template <class S, path_mode M> struct step<nav::after_elem, S, M> : slot_step<S, M> {};
template <class S, path_mode M> struct step<nav::before_elem, S, M> : slot_step<S, M> {};

template <class S> struct set_element { using type = S; };
template <class T, class... O> struct set_element<set_schema<T, O...>> { using type = T; };
template <class S, path_mode M> struct step<nav::none_elem, S, M> {
  static constexpr path_error error = !schema::is_set_v<S>   ? path_error::none_elem_needs_set
                                      : M == path_mode::select ? path_error::slot_in_select
                                                               : path_error::none;
  using next = typename set_element<S>::type;
};

template <class S, class... Bounds> struct range_step {
  static constexpr path_error error =
      !schema::is_map_v<S> ? path_error::range_needs_sorted_map
      : !(key_arg_fits_v<Bounds, typename map_parts<S>::key> && ...) ? path_error::range_bound_type_mismatch
                                                                      : path_error::none;
  using next = S;
};
template <class S, class Max> inline constexpr path_error max_check_v =
    std::is_integral_v<Max> ? path_error::none : path_error::max_not_integer;

template <class F, class T, class S, path_mode M>
struct step<nav::sorted_map_range<F, T>, S, M> : range_step<S, F, T> {};
template <class F, class N, class S, path_mode M> struct step<nav::sorted_map_range_from<F, N>, S, M> {
  static constexpr path_error error =
      range_step<S, F>::error != path_error::none ? range_step<S, F>::error : max_check_v<S, N>;
  using next = S;
};
template <class T, class N, class S, path_mode M> struct step<nav::sorted_map_range_to<T, N>, S, M> {
  static constexpr path_error error =
      range_step<S, T>::error != path_error::none ? range_step<S, T>::error : max_check_v<S, N>;
  using next = S;
};

template <class Fn, class S> struct view_result { using type = void; };
template <class Fn, class S> requires std::invocable<const Fn&, const value_t<S>&>
struct view_result<Fn, S> { using type = std::decay_t<std::invoke_result_t<const Fn&, const value_t<S>&>>; };

template <class Fn, class S, path_mode M> struct step<nav::view<Fn>, S, M> {
  static constexpr path_error error = M == path_mode::transform                   ? path_error::view_in_transform
                                      : !std::invocable<const Fn&, const value_t<S>&> ? path_error::view_not_callable
                                                                                    : path_error::none;
  using next = typename view_result<Fn, S>::type;
};

template <class Fn, class S, path_mode M> struct step<nav::filter_pred<Fn>, S, M> {
  static constexpr path_error error = std::predicate<const Fn&, const value_t<S>&> ? path_error::none
                                                                                  : path_error::pred_not_predicate;
  using next = S;
};

template <class V, class S, path_mode M> struct step<nav::null_to_val<V>, S, M> {
  static constexpr path_error error = schema::is_subindexed_v<S> ? path_error::null_to_val_on_subindexed
                                      : !std::is_convertible_v<const V&, value_t<S>>
                                          ? path_error::null_to_val_type_mismatch
                                          : path_error::none;
  using next = S;
};

template <class V, class S, path_mode M> struct step<nav::term_val<V>, S, M> {
  static constexpr path_error error = M == path_mode::select ? path_error::terminal_in_select
                                      : !std::is_convertible_v<const V&, value_t<S>>
                                          ? path_error::term_val_type_mismatch
                                          : path_error::none;
  using next = S;
};
template <class Fn, class S, path_mode M> struct step<nav::term<Fn>, S, M> {
  static constexpr path_error error =
      M == path_mode::select ? path_error::terminal_in_select
      : !(std::invocable<const Fn&, const value_t<S>&> &&
          std::is_convertible_v<typename view_result<Fn, S>::type, value_t<S>>)
          ? path_error::term_fn_type_mismatch
          : path_error::none;
  using next = S;
};
template <class S, path_mode M> struct step<nav::term_void, S, M> {
  static constexpr path_error error = M == path_mode::select ? path_error::terminal_in_select : path_error::none;
  using next = S;
};

/// The first misuse along a path (and where), and the schema the path ends at.
struct path_verdict {
  path_error error = path_error::none;
  std::size_t position = 0;
};

template <path_mode M, class S, class... Navs> struct walk;
template <path_mode M, class S> struct walk<M, S> {
  static constexpr path_verdict verdict = M == path_mode::transform
                                              ? path_verdict{path_error::transform_without_terminal, 0}
                                              : path_verdict{};
  using result = S;
};
template <path_mode M, class S, class Nav, class... Rest> struct walk<M, S, Nav, Rest...> {
  using here = step<Nav, S, M>;
  using rest = walk<M, typename here::next, Rest...>;
  static constexpr path_verdict verdict = [] {
    if (here::error != path_error::none) return path_verdict{here::error, 0};
    if constexpr (nav::is_terminal_v<Nav>) {
      if (sizeof...(Rest) != 0) return path_verdict{path_error::terminal_not_last, 0};
      return path_verdict{};
    } else {
      return path_verdict{rest::verdict.error, rest::verdict.position + 1};
    }
  }();
  using result = typename rest::result;
};
template <path_mode M, class S, class Nav> requires nav::is_terminal_v<Nav> struct walk<M, S, Nav> {
  static constexpr path_verdict verdict = [] {
    using here = step<Nav, S, M>;
    return path_verdict{here::error, 0};
  }();
  using result = S;
};

template <path_mode M, class S, class Path> struct walk_path;
template <path_mode M, class S, class... Navs> struct walk_path<M, S, path_t<Navs...>> : walk<M, S, Navs...> {};

/// What `select` of Path on schema S yields for each value found.
template <class S, class Path> using select_result_t = value_t<typename walk_path<path_mode::select, S, Path>::result>;

template <path_mode M, class S, class Path>
inline constexpr path_error path_error_v = walk_path<M, S, Path>::verdict.error;

/// One static_assert per misuse; only the one that matches fires.
template <path_mode M, class S, class Path>
constexpr bool assert_path_fits() {
  constexpr path_error e = path_error_v<M, S, Path>;
  static_assert(e != path_error::key_needs_map, "sluice path: key()/must() navigates into a map, but the schema here is not a map_schema");
  static_assert(e != path_error::key_type_mismatch, "sluice path: the key given to key()/must() does not convert to the map's key type");
  static_assert(e != path_error::nth_needs_list, "sluice path: nth() navigates into a list, but the schema here is not a list_schema");
  static_assert(e != path_error::index_not_integer, "sluice path: nth() needs an integer index");
  static_assert(e != path_error::first_last_need_list, "sluice path: first()/last() navigate into a list, but the schema here is not a list_schema");
  static_assert(e != path_error::all_needs_collection, "sluice path: all() needs a map, list or set, but the value here is not a collection");
  static_assert(e != path_error::map_keys_vals_need_map, "sluice path: map_keys()/map_vals() need a map_schema");
  static_assert(e != path_error::elem_needs_list, "sluice path: after_elem()/before_elem() add to a list, but the schema here is not a list_schema");
  static_assert(e != path_error::none_elem_needs_set, "sluice path: none_elem() adds to a set, but the schema here is not a set_schema");
  static_assert(e != path_error::range_needs_sorted_map, "sluice path: sorted_map_range*() need a map_schema");
  static_assert(e != path_error::range_bound_type_mismatch, "sluice path: a bound given to sorted_map_range*() does not convert to the map's key type");
  static_assert(e != path_error::max_not_integer, "sluice path: the max count of sorted_map_range_from/to() must be an integer");
  static_assert(e != path_error::view_not_callable, "sluice path: view(fn) cannot call fn with the value navigated to");
  static_assert(e != path_error::view_in_transform, "sluice path: view() is for select; to change a value use term(fn)");
  static_assert(e != path_error::pred_not_predicate, "sluice path: filter_pred(fn) needs fn(value) to return something testable as bool");
  static_assert(e != path_error::null_to_val_type_mismatch, "sluice path: the value given to null_to_val() does not convert to the value type here");
  static_assert(e != path_error::null_to_val_on_subindexed, "sluice path: null_to_val() cannot stand at a subindexed collection (an absent one already reads as empty)");
  static_assert(e != path_error::term_val_type_mismatch, "sluice path: the value given to term_val() does not convert to the value type here");
  static_assert(e != path_error::term_fn_type_mismatch, "sluice path: term(fn) needs fn(value) to return the value type here");
  static_assert(e != path_error::terminal_not_last, "sluice path: term_val()/term()/term_void() must be the last navigator");
  static_assert(e != path_error::terminal_in_select, "sluice path: a select path cannot end in term_val()/term()/term_void(); those are for transform");
  static_assert(e != path_error::transform_without_terminal, "sluice path: a transform path must end in term_val(), term() or term_void()");
  static_assert(e != path_error::slot_in_select, "sluice path: after_elem()/before_elem()/none_elem() are for transform; they navigate to a slot that holds nothing yet");
  static_assert(e != path_error::map_keys_in_transform, "sluice path: map_keys() is for select; keys cannot be transformed in place");
  static_assert(e != path_error::all_pairs_of_subindexed_in_transform, "sluice path: all() over a map of subindexed collections is select-only; use map_vals() to transform them");
  return e == path_error::none;
}

}  // namespace sluice::pstate_detail

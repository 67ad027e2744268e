#pragma once
// The navigators a path is made of. Each is a small aggregate holding its arguments, which may be
// constants or, in a topology, variables the dataflow layer resolves (see map_args) before the
// path runs. What a navigator does lives in navigate.hpp; what fits where, in path_check.hpp.

#include <cstddef>
#include <type_traits>
#include <utility>

namespace sluice::nav {

// Applies `f` to each argument that may name a value (not to functions): how the dataflow layer
// swaps variables for the values bound to them.
#define SLUICE_NAV_NO_ARGS(name)                                   \
  struct name {                                                    \
    template <class F> constexpr name map_args(F&&) const { return *this; } \
  }
#define SLUICE_NAV_ONE_ARG(name, field)                                                  \
  template <class A> struct name {                                                       \
    A field;                                                                             \
    template <class F> constexpr auto map_args(F&& f) const {                            \
      return name<std::decay_t<decltype(f(field))>>{f(field)};                           \
    }                                                                                    \
  }
#define SLUICE_NAV_TWO_ARGS(name, first_field, second_field)                             \
  template <class A, class B> struct name {                                              \
    A first_field;                                                                       \
    B second_field;                                                                      \
    template <class F> constexpr auto map_args(F&& f) const {                            \
      return name<std::decay_t<decltype(f(first_field))>, std::decay_t<decltype(f(second_field))>>{ \
          f(first_field), f(second_field)};                                              \
    }                                                                                    \
  }
#define SLUICE_NAV_FUNCTION(name)                                        \
  template <class Fn> struct name {                                      \
    Fn fn;                                                               \
    template <class F> constexpr name map_args(F&&) const { return *this; } \
  }

SLUICE_NAV_ONE_ARG(key, k);         // the value at key k of a map; absent keys are created by transforms
SLUICE_NAV_ONE_ARG(must, k);        // like key, but stops where the key is absent
SLUICE_NAV_ONE_ARG(nth, index);     // the element at an index of a list
SLUICE_NAV_NO_ARGS(first);          // the first element of a list
SLUICE_NAV_NO_ARGS(last);           // the last element of a list
SLUICE_NAV_NO_ARGS(all);            // every element of a list or set, every (key, value) of a map
SLUICE_NAV_NO_ARGS(map_keys);       // every key of a map (select only)
SLUICE_NAV_NO_ARGS(map_vals);       // every value of a map
SLUICE_NAV_NO_ARGS(after_elem);     // the empty slot after a list's end: appends (transform only)
SLUICE_NAV_NO_ARGS(before_elem);    // the empty slot before a list's start: prepends (transform only)
SLUICE_NAV_NO_ARGS(none_elem);      // an empty slot of a set: adds (transform only)
SLUICE_NAV_TWO_ARGS(sorted_map_range, from, to);       // keys in [from, to)
SLUICE_NAV_TWO_ARGS(sorted_map_range_from, from, max); // the first `max` keys >= from
SLUICE_NAV_TWO_ARGS(sorted_map_range_to, to, max);     // the first `max` keys < to, ascending
SLUICE_NAV_FUNCTION(view);          // fn(value) (select only)
SLUICE_NAV_FUNCTION(filter_pred);   // continues only where fn(value) is true
SLUICE_NAV_ONE_ARG(null_to_val, value);  // an absent value reads as `value`
SLUICE_NAV_ONE_ARG(term_val, value);     // terminal: set the value
SLUICE_NAV_FUNCTION(term);               // terminal: replace the value with fn(value)
SLUICE_NAV_NO_ARGS(term_void);           // terminal: remove the value

#undef SLUICE_NAV_NO_ARGS
#undef SLUICE_NAV_ONE_ARG
#undef SLUICE_NAV_TWO_ARGS
#undef SLUICE_NAV_FUNCTION

template <class Nav> inline constexpr bool is_terminal_v = false;
template <class V> inline constexpr bool is_terminal_v<term_val<V>> = true;
template <class Fn> inline constexpr bool is_terminal_v<term<Fn>> = true;
template <> inline constexpr bool is_terminal_v<term_void> = true;

}  // namespace sluice::nav

namespace sluice {

/// The number of elements of a collection; `view(sluice::size)` of a subindexed collection reads
/// its stored count instead of loading it.
struct size_fn {
  template <class Collection>
  constexpr std::size_t operator()(const Collection& c) const {
    return c.size();
  }
};
inline constexpr size_fn size{};

}  // namespace sluice

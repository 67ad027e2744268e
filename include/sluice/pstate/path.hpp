#pragma once
// Paths: a sequence of navigators built left to right, `path::key("alice").after_elem()
// .term_val("hi")`. Each step returns a new path type, so a path carries its whole shape at
// compile time and can be checked against a schema where it is used (path_check.hpp).

#include <sluice/pstate/navigators.hpp>

#include <tuple>
#include <type_traits>
#include <utility>

namespace sluice {

template <class... Navs>
struct path_t {
  // Arguments are taken by value: a string literal is kept as `const char*`, anything else copied.
  std::tuple<Navs...> navigators;

  static constexpr std::size_t length = sizeof...(Navs);

  /// Appends a navigator.
  template <class Nav>
  constexpr path_t<Navs..., Nav> then(Nav nav) const {
    return {std::tuple_cat(navigators, std::tuple<Nav>{std::move(nav)})};
  }

  /// The same path with `f` applied to every value argument (variables → values).
  template <class F>
  constexpr auto map_args(F&& f) const {
    return std::apply([&](const auto&... navs) { return path_t<decltype(navs.map_args(f))...>{{navs.map_args(f)...}}; },
                      navigators);
  }

  template <class K> constexpr auto key(K k) const { return then(nav::key<K>{std::move(k)}); }
  template <class K> constexpr auto must(K k) const { return then(nav::must<K>{std::move(k)}); }
  template <class I> constexpr auto nth(I index) const { return then(nav::nth<I>{index}); }
  constexpr auto first() const { return then(nav::first{}); }
  constexpr auto last() const { return then(nav::last{}); }
  constexpr auto all() const { return then(nav::all{}); }
  constexpr auto map_keys() const { return then(nav::map_keys{}); }
  constexpr auto map_vals() const { return then(nav::map_vals{}); }
  constexpr auto after_elem() const { return then(nav::after_elem{}); }
  constexpr auto before_elem() const { return then(nav::before_elem{}); }
  constexpr auto none_elem() const { return then(nav::none_elem{}); }
  template <class F, class T> constexpr auto sorted_map_range(F from, T to) const {
    return then(nav::sorted_map_range<F, T>{std::move(from), std::move(to)});
  }
  template <class F, class M> constexpr auto sorted_map_range_from(F from, M max) const {
    return then(nav::sorted_map_range_from<F, M>{std::move(from), max});
  }
  template <class T, class M> constexpr auto sorted_map_range_to(T to, M max) const {
    return then(nav::sorted_map_range_to<T, M>{std::move(to), max});
  }
  template <class Fn> constexpr auto view(Fn fn) const { return then(nav::view<Fn>{std::move(fn)}); }
  template <class Fn> constexpr auto filter_pred(Fn fn) const { return then(nav::filter_pred<Fn>{std::move(fn)}); }
  template <class V> constexpr auto null_to_val(V v) const { return then(nav::null_to_val<V>{std::move(v)}); }
  template <class V> constexpr auto term_val(V v) const { return then(nav::term_val<V>{std::move(v)}); }
  template <class Fn> constexpr auto term(Fn fn) const { return then(nav::term<Fn>{std::move(fn)}); }
  constexpr auto term_void() const { return then(nav::term_void{}); }
};

/// Starts a path: `sluice::path::key(k)...`. Each starter is the same step on the empty path.
struct path {
#define SLUICE_PATH_STARTER(name) \
  template <class... A> static constexpr auto name(A&&... a) { return path_t<>{}.name(std::forward<A>(a)...); }
  SLUICE_PATH_STARTER(key)
  SLUICE_PATH_STARTER(must)
  SLUICE_PATH_STARTER(nth)
  SLUICE_PATH_STARTER(first)
  SLUICE_PATH_STARTER(last)
  SLUICE_PATH_STARTER(all)
  SLUICE_PATH_STARTER(map_keys)
  SLUICE_PATH_STARTER(map_vals)
  SLUICE_PATH_STARTER(after_elem)
  SLUICE_PATH_STARTER(before_elem)
  SLUICE_PATH_STARTER(none_elem)
  SLUICE_PATH_STARTER(sorted_map_range)
  SLUICE_PATH_STARTER(sorted_map_range_from)
  SLUICE_PATH_STARTER(sorted_map_range_to)
  SLUICE_PATH_STARTER(view)
  SLUICE_PATH_STARTER(filter_pred)
  SLUICE_PATH_STARTER(null_to_val)
  SLUICE_PATH_STARTER(term_val)
  SLUICE_PATH_STARTER(term)
  SLUICE_PATH_STARTER(term_void)
#undef SLUICE_PATH_STARTER
};

template <class T> inline constexpr bool is_path_v = false;
template <class... Navs> inline constexpr bool is_path_v<path_t<Navs...>> = true;

}  // namespace sluice

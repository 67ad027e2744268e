#pragma once
// Paths over values in memory: everything below a value that is stored whole. The LMDB-backed
// navigation (stored_navigation.hpp) hands over to this once it reaches such a value, and the
// model-based tests use it as the reference the stored navigation must agree with.
//
// Absent values: an absent collection reads as an empty one (a transform creates it when it adds
// something); an absent plain value is skipped by select unless null_to_val() supplies one.

#include <sluice/pstate/navigators.hpp>
#include <sluice/pstate/path_check.hpp>
#include <sluice/pstate/schema.hpp>

#include <cstddef>
#include <functional>
#include <optional>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

namespace sluice::pstate_detail {

template <std::size_t I, class Path>
using nav_at = std::remove_cvref_t<std::tuple_element_t<I, decltype(Path::navigators)>>;

template <class Nav> inline constexpr bool is_key_v = false;
template <class K> inline constexpr bool is_key_v<nav::key<K>> = true;
template <class Nav> inline constexpr bool is_must_v = false;
template <class K> inline constexpr bool is_must_v<nav::must<K>> = true;
template <class Nav> inline constexpr bool is_nth_v = false;
template <class I> inline constexpr bool is_nth_v<nav::nth<I>> = true;
template <class Nav> inline constexpr bool is_range_v = false;
template <class F, class T> inline constexpr bool is_range_v<nav::sorted_map_range<F, T>> = true;
template <class F, class N> inline constexpr bool is_range_v<nav::sorted_map_range_from<F, N>> = true;
template <class T, class N> inline constexpr bool is_range_v<nav::sorted_map_range_to<T, N>> = true;
template <class Nav> inline constexpr bool is_view_v = false;
template <class Fn> inline constexpr bool is_view_v<nav::view<Fn>> = true;
template <class Nav> inline constexpr bool is_size_view_v = false;
template <> inline constexpr bool is_size_view_v<nav::view<size_fn>> = true;
template <class Nav> inline constexpr bool is_filter_v = false;
template <class Fn> inline constexpr bool is_filter_v<nav::filter_pred<Fn>> = true;
template <class Nav> inline constexpr bool is_null_to_val_v = false;
template <class V> inline constexpr bool is_null_to_val_v<nav::null_to_val<V>> = true;
template <class Nav> inline constexpr bool is_term_val_v = false;
template <class V> inline constexpr bool is_term_val_v<nav::term_val<V>> = true;
template <class Nav> inline constexpr bool is_term_v = false;
template <class Fn> inline constexpr bool is_term_v<nav::term<Fn>> = true;

/// Path arguments are converted to the schema's type before use, so an `int` literal looks up an
/// `int64_t` key and a `const char*` a `std::string` one, in memory and on disk alike.
template <class Target, class Arg>
Target convert_arg(const Arg& arg) {
  return static_cast<Target>(arg);
}

/// The index a list navigator targets, if it is within the list.
template <class Nav>
std::optional<std::size_t> list_index(const Nav& n, std::size_t size) {
  if (size == 0) return std::nullopt;
  if constexpr (std::is_same_v<Nav, nav::first>) return 0;
  else if constexpr (std::is_same_v<Nav, nav::last>) return size - 1;
  else {
    if (std::cmp_less(n.index, 0) || std::cmp_greater_equal(n.index, size)) return std::nullopt;
    return static_cast<std::size_t>(n.index);
  }
}
template <class Nav>
inline constexpr bool is_list_index_v = is_nth_v<Nav> || std::is_same_v<Nav, nav::first> || std::is_same_v<Nav, nav::last>;

/// The [begin, end) iterators of a sorted_map_range* navigator over a std::map.
template <class Map, class Nav>
auto range_of(Map& map, const Nav& n) {
  using key_type = typename std::remove_cvref_t<Map>::key_type;
  auto begin = map.begin();
  auto end = map.end();
  if constexpr (requires { n.from; }) begin = map.lower_bound(convert_arg<key_type>(n.from));
  if constexpr (requires { n.to; }) end = map.lower_bound(convert_arg<key_type>(n.to));
  if (begin == map.end() || (end != map.end() && map.key_comp()(end->first, begin->first))) end = begin;
  if constexpr (requires { n.max; }) {
    auto limited = begin;
    for (std::size_t count = 0; limited != end && std::cmp_less(count, n.max); ++count) ++limited;
    end = limited;
  }
  return std::pair{begin, end};
}

// ---------------------------------------------------------------------------------------------
// select: calls sink(value) for each value the path reaches

template <std::size_t I, class S, class Path, class Sink>
void select_value(const Path& path, const value_t<S>* value, Sink& sink) {
  if constexpr (schema::is_collection_v<S>) {
    if (value == nullptr) {
      const value_t<S> empty{};
      return select_value<I, S>(path, &empty, sink);
    }
  }
  if constexpr (I == Path::length) {
    if (value != nullptr) sink(*value);
  } else {
    using N = nav_at<I, Path>;
    using next = typename step<N, S, path_mode::select>::next;
    const auto& n = std::get<I>(path.navigators);
    auto go = [&](const value_t<next>* v) { select_value<I + 1, next>(path, v, sink); };

    if constexpr (is_key_v<N> || is_must_v<N>) {
      auto found = value->find(convert_arg<typename S::key_type>(n.k));
      if (found != value->end()) go(&found->second);
      else if constexpr (is_key_v<N>) go(nullptr);
    } else if constexpr (is_list_index_v<N>) {
      if (auto index = list_index(n, value->size())) go(&(*value)[*index]);
    } else if constexpr (std::is_same_v<N, nav::all>) {
      for (const auto& element : *value) {
        if constexpr (schema::is_map_v<S>) {
          const value_t<next> entry{element.first, element.second};
          go(&entry);
        } else {
          go(&element);
        }
      }
    } else if constexpr (std::is_same_v<N, nav::map_keys>) {
      for (const auto& entry : *value) go(&entry.first);
    } else if constexpr (std::is_same_v<N, nav::map_vals>) {
      for (const auto& entry : *value) go(&entry.second);
    } else if constexpr (is_range_v<N>) {
      auto [begin, end] = range_of(*value, n);
      const value_t<S> sub(begin, end);
      go(&sub);
    } else if constexpr (is_view_v<N>) {
      if (value != nullptr) {
        const value_t<next> result = std::invoke(n.fn, *value);
        go(&result);
      }
    } else if constexpr (is_filter_v<N>) {
      if (value != nullptr && std::invoke(n.fn, *value)) go(value);
    } else if constexpr (is_null_to_val_v<N>) {
      if (value != nullptr) return go(value);
      const value_t<S> substitute = convert_arg<value_t<S>>(n.value);
      go(&substitute);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// transform: rewrites the slot in place (nullopt = absent/removed); returns whether it changed

template <std::size_t I, class S, class Path>
bool transform_value(const Path& path, std::optional<value_t<S>>& slot);

/// Runs `go` on a slot holding `element`, moved out and back; returns {changed, removed}.
template <class T, class Go>
std::pair<bool, bool> through_slot(T& element, Go&& go) {
  std::optional<T> slot{std::move(element)};
  const bool changed = go(slot);
  if (slot) element = std::move(*slot);
  return {changed, !slot};
}

template <std::size_t I, class S, class Path>
bool transform_present(const Path& path, value_t<S>& value, std::optional<value_t<S>>& slot) {
  using N = nav_at<I, Path>;
  using next = typename step<N, S, path_mode::transform>::next;
  using next_value = value_t<next>;
  const auto& n = std::get<I>(path.navigators);
  auto go = [&](std::optional<next_value>& s) { return transform_value<I + 1, next>(path, s); };

  if constexpr (is_key_v<N> || is_must_v<N>) {
    auto key = convert_arg<typename S::key_type>(n.k);
    auto found = value.find(key);
    if (found == value.end()) {
      if constexpr (is_must_v<N>) return false;
      std::optional<next_value> created;
      if (!go(created)) return false;
      if (created) value.emplace(std::move(key), std::move(*created));
      return true;
    }
    auto [changed, removed] = through_slot(found->second, go);
    if (removed) value.erase(found);
    return changed;
  } else if constexpr (is_list_index_v<N>) {
    auto index = list_index(n, value.size());
    if (!index) return false;
    auto [changed, removed] = through_slot(value[*index], go);
    if (removed) value.erase(value.begin() + static_cast<std::ptrdiff_t>(*index));
    return changed;
  } else if constexpr (std::is_same_v<N, nav::all> && schema::is_list_v<S>) {
    bool changed = false;
    for (std::size_t i = 0; i < value.size();) {
      auto [element_changed, removed] = through_slot(value[i], go);
      changed |= element_changed;
      if (removed) value.erase(value.begin() + static_cast<std::ptrdiff_t>(i));
      else ++i;
    }
    return changed;
  } else if constexpr (std::is_same_v<N, nav::all> && schema::is_set_v<S>) {
    bool changed = false;
    const std::vector<next_value> elements(value.begin(), value.end());
    for (const auto& element : elements) {
      std::optional<next_value> s{element};
      if (!go(s)) continue;
      changed = true;
      value.erase(element);
      if (s) value.insert(std::move(*s));
    }
    return changed;
  } else if constexpr (std::is_same_v<N, nav::all>) {  // map: (key, value) pairs
    bool changed = false;
    std::vector<typename S::key_type> keys;
    for (const auto& entry : value) keys.push_back(entry.first);
    for (const auto& key : keys) {
      auto found = value.find(key);
      std::optional<next_value> s{next_value{key, std::move(found->second)}};
      changed |= go(s);
      if (!s) value.erase(found);
      else if (s->first == key) found->second = std::move(s->second);
      else {
        value.erase(found);
        value.insert_or_assign(std::move(s->first), std::move(s->second));
      }
    }
    return changed;
  } else if constexpr (std::is_same_v<N, nav::map_vals>) {
    bool changed = false;
    for (auto entry = value.begin(); entry != value.end();) {
      auto [element_changed, removed] = through_slot(entry->second, go);
      changed |= element_changed;
      entry = removed ? value.erase(entry) : std::next(entry);
    }
    return changed;
  } else if constexpr (std::is_same_v<N, nav::after_elem> || std::is_same_v<N, nav::before_elem>) {
    std::optional<next_value> created;
    if (!go(created)) return false;
    if (created) value.insert(std::is_same_v<N, nav::after_elem> ? value.end() : value.begin(), std::move(*created));
    return true;
  } else if constexpr (std::is_same_v<N, nav::none_elem>) {
    std::optional<next_value> created;
    if (!go(created)) return false;
    if (created) value.insert(std::move(*created));
    return true;
  } else if constexpr (is_range_v<N>) {
    auto [begin, end] = range_of(value, n);
    std::optional<value_t<S>> sub{value_t<S>(begin, end)};
    if (!go(sub)) return false;
    value.erase(begin, end);
    if (sub) value.insert(sub->begin(), sub->end());
    return true;
  } else if constexpr (is_filter_v<N>) {
    return std::invoke(n.fn, std::as_const(value)) ? go(slot) : false;
  } else if constexpr (is_null_to_val_v<N>) {
    return go(slot);
  } else if constexpr (is_term_val_v<N>) {
    slot = convert_arg<value_t<S>>(n.value);
    return true;
  } else if constexpr (is_term_v<N>) {
    slot = convert_arg<value_t<S>>(std::invoke(n.fn, std::as_const(value)));
    return true;
  } else {
    static_assert(std::is_same_v<N, nav::term_void>);
    slot.reset();
    return true;
  }
}

template <std::size_t I, class S, class Path>
bool transform_value(const Path& path, std::optional<value_t<S>>& slot) {
  if constexpr (I == Path::length) {
    return false;
  } else {
    using N = nav_at<I, Path>;
    if (slot) return transform_present<I, S>(path, *slot, slot);
    if constexpr (is_term_val_v<N>) {
      slot = convert_arg<value_t<S>>(std::get<I>(path.navigators).value);
      return true;
    } else if constexpr (is_null_to_val_v<N>) {
      slot = convert_arg<value_t<S>>(std::get<I>(path.navigators).value);
      if (transform_value<I + 1, S>(path, slot)) return true;
      slot.reset();
      return false;
    } else if constexpr (schema::is_collection_v<S>) {
      // An absent collection behaves as an empty one, and exists afterwards only if changed.
      slot.emplace();
      if (transform_present<I, S>(path, *slot, slot)) return true;
      slot.reset();
      return false;
    } else {
      return false;  // nothing to navigate into
    }
  }
}

}  // namespace sluice::pstate_detail

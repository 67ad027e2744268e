#pragma once
// Paths over a PState partition in LMDB. Top-level maps and subindexed collections are navigated
// entry by entry (layout.hpp): a key is one lookup, nth one lookup, a range one seek and a scan,
// a size one read of the collection's meta. Once a path reaches a value stored whole, it is
// decoded and memory_navigation.hpp takes over; a transform then writes it back if it changed.

#include <sluice/codec/byte_reader.hpp>
#include <sluice/codec/key_codec.hpp>
#include <sluice/codec/value_codec.hpp>
#include <sluice/pstate/layout.hpp>
#include <sluice/pstate/memory_navigation.hpp>
#include <sluice/storage/database.hpp>
#include <sluice/storage/storage_error.hpp>
#include <sluice/storage/transaction.hpp>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace sluice::pstate_detail {

/// One partition in one transaction (a read_txn for select, a write_txn for either).
template <class Txn>
struct store {
  Txn& txn;
  storage::database db;

  std::optional<std::string_view> get(std::string_view key) const { return txn.get(db, key); }
};

/// What identifies an element in its entry's key: a map's key, a set's member, a list's position.
template <class S> struct element_key_type { using type = std::int64_t; };
template <class K, class V, class... O> struct element_key_type<map_schema<K, V, O...>> { using type = K; };
template <class T, class... O> struct element_key_type<set_schema<T, O...>> { using type = T; };

/// The schema of each element's value (a map's mapped schema, a list's element schema).
template <class S> struct element_value_schema { using type = void; };
template <class K, class V, class... O> struct element_value_schema<map_schema<K, V, O...>> { using type = V; };
template <class T, class... O> struct element_value_schema<list_schema<T, O...>> { using type = T; };

template <class S>
inline constexpr bool has_nested_values_v = schema::is_subindexed_v<typename element_value_schema<S>::type>;

/// Visits the elements of `at` in key order: fn(element key value, element key bytes, stored
/// value bytes). A nested collection is visited once (its subtree is skipped, not scanned).
template <class S, class Txn, class Fn>
void scan_elements(store<Txn>& st, const stored_range& at, Fn&& fn) {
  using key_type = typename element_key_type<S>::type;
  if (at.limit == 0) return;
  auto cursor = st.txn.open_cursor(st.db);
  const std::string end = at.end_key();
  std::size_t visited = 0;
  for (auto entry = cursor.seek(at.first_key()); entry;) {
    auto [key, value] = *entry;
    if (key >= end) break;
    codec::byte_reader reader{key.substr(at.prefix.size() + 1)};
    key_type element = codec::decode_key_from<key_type>(reader);
    const std::string_view element_bytes = key.substr(0, at.prefix.size() + 1 + reader.position());
    const bool last = ++visited == at.limit;
    if constexpr (has_nested_values_v<S>) {
      // The callback may read the nested collection, moving the cursor's page: keep a copy.
      const std::string skip_to = subtree_end(element_bytes);
      fn(std::move(element), std::string_view{skip_to}.substr(0, skip_to.size() - 1), std::string_view{});
      if (last) break;
      entry = cursor.seek(skip_to);
    } else {
      fn(std::move(element), element_bytes, value);
      if (last) break;
      entry = cursor.next();
    }
  }
}

template <class Txn>
std::uint64_t stored_size(store<Txn>& st, std::string_view prefix) {
  auto meta = st.get(meta_key(prefix));
  if (!meta) return 0;
  return codec::decode_value<std::uint64_t>(*meta);
}

template <class Txn>
list_meta stored_list_meta(store<Txn>& st, std::string_view prefix) {
  auto meta = st.get(meta_key(prefix));
  return meta ? decode_list_meta(*meta) : list_meta{};
}

/// The stored bytes of element `index` of a list; its meta promises it is there.
template <class Txn>
std::string_view stored_list_element(store<Txn>& st, const stored_range& at, const list_meta& meta, std::uint64_t index) {
  auto bytes = st.get(element_key(at.prefix, meta.position(index)));
  if (!bytes) throw storage_error("pstate list", "an element its size promises is missing: the data is corrupt");
  return *bytes;
}

template <class Txn>
bool nested_exists(store<Txn>& st, std::string_view element) {
  return st.get(meta_key(element)).has_value();
}

/// The number of elements of `at`: the stored count where it covers a whole nested collection.
template <class S, class Txn>
std::uint64_t count_elements(store<Txn>& st, const stored_range& at) {
  if (at.has_meta && at.whole()) {
    if constexpr (schema::is_list_v<S>) return stored_list_meta(st, at.prefix).size;
    else return stored_size(st, at.prefix);
  }
  std::uint64_t count = 0;
  scan_elements<S>(st, at, [&](auto&&, std::string_view, std::string_view) { ++count; });
  return count;
}

/// Loads the whole collection at `at` (for a path that ends there, or a view of it).
template <class S, class Txn>
value_t<S> materialize(store<Txn>& st, const stored_range& at) {
  value_t<S> out;
  scan_elements<S>(st, at, [&](auto&& element, std::string_view element_bytes, std::string_view value) {
    if constexpr (schema::is_set_v<S>) {
      out.insert(std::move(element));
    } else {
      using V = typename element_value_schema<S>::type;
      auto decoded = [&] {
        if constexpr (schema::is_subindexed_v<V>) return materialize<V>(st, stored_range::nested(element_bytes));
        else return codec::decode_value<value_t<V>>(value);
      };
      if constexpr (schema::is_list_v<S>) out.push_back(decoded());
      else out.emplace(std::move(element), decoded());
    }
  });
  return out;
}

/// `at` narrowed by a sorted_map_range* navigator.
template <class S, class Nav>
stored_range narrow(stored_range at, const Nav& n) {
  using key_type = typename S::key_type;
  if constexpr (requires { n.from; }) at.raise_lower(element_key(at.prefix, convert_arg<key_type>(n.from)));
  if constexpr (requires { n.to; }) at.cut_upper(element_key(at.prefix, convert_arg<key_type>(n.to)));
  if constexpr (requires { n.max; })
    at.limit = std::min(at.limit, std::cmp_less(n.max, 0) ? std::size_t{0} : static_cast<std::size_t>(n.max));
  return at;
}

template <class S, class Txn>
std::optional<value_t<S>> load_whole(store<Txn>& st, std::string_view key) {
  auto bytes = st.get(key);
  if (!bytes) return std::nullopt;
  return codec::decode_value<value_t<S>>(*bytes);
}

// ---------------------------------------------------------------------------------------------
// select

template <std::size_t I, class S, class Path, class Txn, class Sink>
void select_stored(const Path& path, store<Txn>& st, const stored_range& at, Sink& sink) {
  if constexpr (I == Path::length) {
    if constexpr (requires { sink.capture(at); }) sink.capture(at);  // a scan reads it lazily
    else sink(materialize<S>(st, at));
  } else {
    using N = nav_at<I, Path>;
    using next = typename step<N, S, path_mode::select>::next;
    const auto& n = std::get<I>(path.navigators);
    auto whole = [&](const value_t<next>* v) { select_value<I + 1, next>(path, v, sink); };
    auto whole_from_bytes = [&](std::string_view bytes) {
      const auto value = codec::decode_value<value_t<next>>(bytes);
      whole(&value);
    };

    if constexpr (is_key_v<N> || is_must_v<N>) {
      const std::string element = element_key(at.prefix, convert_arg<typename S::key_type>(n.k));
      if (!at.contains(element)) return;
      if constexpr (schema::is_subindexed_v<next>) {
        if (is_must_v<N> && !nested_exists(st, element)) return;
        select_stored<I + 1, next>(path, st, stored_range::nested(element), sink);
      } else if (auto bytes = st.get(element)) {
        whole_from_bytes(*bytes);
      } else if constexpr (is_key_v<N>) {
        whole(nullptr);
      }
    } else if constexpr (is_list_index_v<N>) {
      const list_meta meta = stored_list_meta(st, at.prefix);
      if (auto index = list_index(n, meta.size)) whole_from_bytes(stored_list_element(st, at, meta, *index));
    } else if constexpr (std::is_same_v<N, nav::all> || std::is_same_v<N, nav::map_keys> ||
                         std::is_same_v<N, nav::map_vals>) {
      scan_elements<S>(st, at, [&](auto&& element, std::string_view element_bytes, std::string_view bytes) {
        if constexpr (schema::is_set_v<S> || std::is_same_v<N, nav::map_keys>) {
          whole(&element);
        } else if constexpr (schema::is_subindexed_v<next>) {  // map_vals of nested collections
          select_stored<I + 1, next>(path, st, stored_range::nested(element_bytes), sink);
        } else if constexpr (schema::is_map_v<S> && std::is_same_v<N, nav::all>) {
          using V = typename S::mapped_schema;
          if constexpr (schema::is_subindexed_v<V>) {
            const value_t<next> entry{element, materialize<V>(st, stored_range::nested(element_bytes))};
            whole(&entry);
          } else {
            const value_t<next> entry{element, codec::decode_value<value_t<V>>(bytes)};
            whole(&entry);
          }
        } else {
          whole_from_bytes(bytes);
        }
      });
    } else if constexpr (is_range_v<N>) {
      select_stored<I + 1, next>(path, st, narrow<S>(at, n), sink);
    } else if constexpr (is_size_view_v<N>) {
      const value_t<next> count = count_elements<S>(st, at);
      whole(&count);
    } else if constexpr (is_view_v<N>) {
      const value_t<next> result = std::invoke(n.fn, materialize<S>(st, at));
      whole(&result);
    } else if constexpr (is_filter_v<N>) {
      if (std::invoke(n.fn, materialize<S>(st, at))) select_stored<I + 1, next>(path, st, at, sink);
    } else if constexpr (is_null_to_val_v<N>) {
      select_stored<I + 1, next>(path, st, at, sink);  // a stored collection is never absent
    }
  }
}

// ---------------------------------------------------------------------------------------------
// transform

/// Adds `delta` to the stored size of the nested collection at `at` (not the top-level map).
template <class S>
void adjust_size(store<storage::write_txn>& st, const stored_range& at, std::int64_t delta) {
  if (!at.has_meta || delta == 0) return;
  if constexpr (schema::is_list_v<S>) {
    list_meta meta = stored_list_meta(st, at.prefix);
    meta.size = static_cast<std::uint64_t>(static_cast<std::int64_t>(meta.size) + delta);
    st.txn.put(st.db, meta_key(at.prefix), encode_list_meta(meta));
  } else {
    const auto size = static_cast<std::int64_t>(stored_size(st, at.prefix)) + delta;
    st.txn.put(st.db, meta_key(at.prefix), codec::encode_value(static_cast<std::uint64_t>(size)));
  }
}

/// Deletes every entry whose key starts with `prefix`.
inline void erase_prefixed(store<storage::write_txn>& st, std::string_view prefix) {
  auto cursor = st.txn.open_cursor(st.db);
  for (auto entry = cursor.seek(prefix); entry; entry = cursor.seek(prefix)) {
    auto [key, value] = *entry;
    if (key.substr(0, prefix.size()) != prefix) break;
    cursor.erase_current();
  }
}

/// Removes the elements of `at` (their subtrees too); a whole nested collection loses its meta.
template <class S>
void clear_stored(store<storage::write_txn>& st, const stored_range& at) {
  if (at.whole()) {
    if (!at.has_meta) return st.txn.clear(st.db);
    return erase_prefixed(st, at.prefix);
  }
  std::vector<std::string> elements;
  scan_elements<S>(st, at, [&](auto&&, std::string_view element, std::string_view) { elements.emplace_back(element); });
  for (const auto& element : elements) erase_prefixed(st, element);
  adjust_size<S>(st, at, -static_cast<std::int64_t>(elements.size()));
}

/// Writes `value` into the collection at `at`, just cleared; a whole nested collection gets its
/// meta back, so it exists (possibly empty) afterwards.
template <class S>
void write_stored(store<storage::write_txn>& st, const stored_range& at, const value_t<S>& value) {
  if constexpr (schema::is_list_v<S>) {
    list_meta meta = stored_list_meta(st, at.prefix);
    meta = {meta.head, 0};
    for (const auto& element : value)
      st.txn.put(st.db, element_key(at.prefix, meta.position(meta.size++)), codec::encode_value(element));
    if (at.has_meta) st.txn.put(st.db, meta_key(at.prefix), encode_list_meta(meta));
  } else {
    std::int64_t added = 0;
    for (const auto& element : value) {
      if constexpr (schema::is_set_v<S>) {
        added += st.txn.insert(st.db, element_key(at.prefix, element), {}) ? 1 : 0;
      } else {
        using V = typename S::mapped_schema;
        const std::string key = element_key(at.prefix, element.first);
        if constexpr (schema::is_subindexed_v<V>) {
          added += nested_exists(st, key) ? 0 : 1;
          clear_stored<V>(st, stored_range::nested(key));
          write_stored<V>(st, stored_range::nested(key), element.second);
        } else {
          added += st.get(key) ? 0 : 1;
          st.txn.put(st.db, key, codec::encode_value(element.second));
        }
      }
    }
    if (!at.has_meta) return;
    if (at.whole()) st.txn.put(st.db, meta_key(at.prefix), codec::encode_value(static_cast<std::uint64_t>(added)));
    else adjust_size<S>(st, at, added);
  }
}

/// Runs the rest of a path on the value stored whole at `key`, then writes it back or removes it.
/// Returns {changed, size delta of the collection holding it}.
template <std::size_t I, class V, class Path>
std::pair<bool, std::int64_t> transform_whole(const Path& path, store<storage::write_txn>& st, const std::string& key,
                                              bool must_exist) {
  std::optional<value_t<V>> slot = load_whole<V>(st, key);
  const bool existed = slot.has_value();
  if (must_exist && !existed) return {false, 0};
  if (!transform_value<I, V>(path, slot)) return {false, 0};
  if (slot) {
    st.txn.put(st.db, key, codec::encode_value(*slot));
    return {true, existed ? 0 : 1};
  }
  if (existed) st.txn.erase(st.db, key);
  return {true, existed ? -1 : 0};
}

template <std::size_t I, class S, class Path>
bool transform_stored(const Path& path, store<storage::write_txn>& st, const stored_range& at);

/// transform_whole for an element of the collection at `at`, keeping its size.
template <std::size_t I, class S, class V, class Path>
bool transform_whole_counted(const Path& path, store<storage::write_txn>& st, const stored_range& at,
                             const std::string& element, bool must_exist) {
  auto [changed, delta] = transform_whole<I, V>(path, st, element, must_exist);
  adjust_size<S>(st, at, delta);
  return changed;
}

/// Transforms one element of a stored map: a nested collection in place, a whole value by load
/// and write back; keeps the map's size.
template <std::size_t I, class S, class Path>
bool transform_map_element(const Path& path, store<storage::write_txn>& st, const stored_range& at,
                           const std::string& element, bool must_exist) {
  using V = typename S::mapped_schema;
  if constexpr (schema::is_subindexed_v<V>) {
    const bool existed = (must_exist || at.has_meta) && nested_exists(st, element);
    if (must_exist && !existed) return false;
    if (!transform_stored<I, V>(path, st, stored_range::nested(element))) return false;
    if (at.has_meta) adjust_size<S>(st, at, (nested_exists(st, element) ? 1 : 0) - (existed ? 1 : 0));
    return true;
  } else if constexpr (is_term_val_v<nav_at<I, Path>>) {
    // Setting a value needs the old one only to count it, and the top-level map keeps no count.
    if (!at.has_meta && !must_exist) {
      st.txn.put(st.db, element, codec::encode_value(convert_arg<value_t<V>>(std::get<I>(path.navigators).value)));
      return true;
    }
    return transform_whole_counted<I, S, V>(path, st, at, element, must_exist);
  } else {
    return transform_whole_counted<I, S, V>(path, st, at, element, must_exist);
  }
}

/// Removes element `index` of a stored list, closing the gap (O(1) at either end).
inline void erase_list_element(store<storage::write_txn>& st, const stored_range& at, list_meta meta,
                               std::uint64_t index) {
  if (index == 0) {
    st.txn.erase(st.db, element_key(at.prefix, meta.head));
    ++meta.head;
  } else {
    for (std::uint64_t i = index; i + 1 < meta.size; ++i) {
      const std::string moved{stored_list_element(st, at, meta, i + 1)};
      st.txn.put(st.db, element_key(at.prefix, meta.position(i)), moved);
    }
    st.txn.erase(st.db, element_key(at.prefix, meta.position(meta.size - 1)));
  }
  --meta.size;
  st.txn.put(st.db, meta_key(at.prefix), encode_list_meta(meta));
}

template <std::size_t I, class S, class Path>
bool transform_stored(const Path& path, store<storage::write_txn>& st, const stored_range& at) {
  using N = nav_at<I, Path>;
  using next = typename step<N, S, path_mode::transform>::next;
  const auto& n = std::get<I>(path.navigators);

  if constexpr (is_key_v<N> || is_must_v<N>) {
    const std::string element = element_key(at.prefix, convert_arg<typename S::key_type>(n.k));
    if (!at.contains(element)) return false;
    return transform_map_element<I + 1, S>(path, st, at, element, is_must_v<N>);
  } else if constexpr (is_list_index_v<N>) {
    const list_meta meta = stored_list_meta(st, at.prefix);
    auto index = list_index(n, meta.size);
    if (!index) return false;
    const std::string element = element_key(at.prefix, meta.position(*index));
    std::optional<value_t<next>> slot = load_whole<next>(st, element);
    if (!transform_value<I + 1, next>(path, slot)) return false;
    if (slot) st.txn.put(st.db, element, codec::encode_value(*slot));
    else erase_list_element(st, at, meta, *index);
    return true;
  } else if constexpr (schema::is_map_v<S> && (std::is_same_v<N, nav::all> || std::is_same_v<N, nav::map_vals>)) {
    std::vector<std::pair<typename S::key_type, std::string>> elements;
    scan_elements<S>(st, at, [&](auto&& key, std::string_view element, std::string_view) {
      elements.emplace_back(std::move(key), std::string(element));
    });
    bool changed = false;
    for (auto& [key, element] : elements) {
      if constexpr (std::is_same_v<N, nav::map_vals>) {
        changed |= transform_map_element<I + 1, S>(path, st, at, element, true);
      } else {  // a (key, value) pair; a new key moves the entry
        using V = typename S::mapped_schema;
        std::optional<value_t<next>> slot{value_t<next>{key, *load_whole<V>(st, element)}};
        if (!transform_value<I + 1, next>(path, slot)) continue;
        changed = true;
        st.txn.erase(st.db, element);
        std::int64_t delta = -1;
        if (slot) {
          const std::string moved = element_key(at.prefix, slot->first);
          delta += st.get(moved) ? 0 : 1;
          st.txn.put(st.db, moved, codec::encode_value(slot->second));
        }
        adjust_size<S>(st, at, delta);
      }
    }
    return changed;
  } else if constexpr (std::is_same_v<N, nav::after_elem> || std::is_same_v<N, nav::before_elem>) {
    list_meta meta = stored_list_meta(st, at.prefix);
    std::optional<value_t<next>> slot;
    if (!transform_value<I + 1, next>(path, slot)) return false;
    if (!slot) return true;
    const bool append = std::is_same_v<N, nav::after_elem>;
    const std::int64_t position = append ? meta.position(meta.size) : meta.head - 1;
    st.txn.put(st.db, element_key(at.prefix, position), codec::encode_value(*slot));
    if (!append) --meta.head;
    ++meta.size;
    st.txn.put(st.db, meta_key(at.prefix), encode_list_meta(meta));
    return true;
  } else if constexpr (std::is_same_v<N, nav::none_elem>) {
    std::optional<value_t<next>> slot;
    if (!transform_value<I + 1, next>(path, slot)) return false;
    if (slot && st.txn.insert(st.db, element_key(at.prefix, *slot), {})) adjust_size<S>(st, at, 1);
    return true;
  } else if constexpr (is_range_v<N>) {
    return transform_stored<I + 1, next>(path, st, narrow<S>(at, n));
  } else if constexpr (is_filter_v<N>) {
    return std::invoke(n.fn, materialize<S>(st, at)) ? transform_stored<I + 1, next>(path, st, at) : false;
  } else if constexpr (is_null_to_val_v<N>) {
    return transform_stored<I + 1, next>(path, st, at);  // a stored collection is never absent
  } else if constexpr (std::is_same_v<N, nav::term_void>) {
    clear_stored<S>(st, at);
    return true;
  } else {
    // Whole-collection rewrites (all() over a list or set, term_val, term): load, transform in
    // memory from this navigator on, and write back. O(n), as visiting every element is anyway.
    std::optional<value_t<S>> slot{materialize<S>(st, at)};
    if (!transform_value<I, S>(path, slot)) return false;
    clear_stored<S>(st, at);
    if (slot) write_stored<S>(st, at, *slot);
    return true;
  }
}

}  // namespace sluice::pstate_detail

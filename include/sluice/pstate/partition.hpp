#pragma once
// One partition of a PState: the part of it that lives on one task, in one LMDB database of that
// task's environment. Knows nothing of topologies: callers pass the transaction to work in.

#include <sluice/pstate/layout.hpp>
#include <sluice/pstate/memory_navigation.hpp>
#include <sluice/pstate/path.hpp>
#include <sluice/pstate/path_check.hpp>
#include <sluice/pstate/scan.hpp>
#include <sluice/pstate/schema.hpp>
#include <sluice/pstate/schema_check.hpp>
#include <sluice/pstate/stored_navigation.hpp>
#include <sluice/storage/database.hpp>
#include <sluice/storage/environment.hpp>
#include <sluice/storage/transaction.hpp>

#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sluice {

/// select_one found no value, or more than one.
class select_error : public std::runtime_error {
 public:
  explicit select_error(std::size_t found)
      : std::runtime_error("sluice: select_one expects exactly one value, the path found " + std::to_string(found)),
        found_(found) {}
  std::size_t found() const noexcept { return found_; }

 private:
  std::size_t found_;
};

template <class Schema>
class pstate_partition {
  // Fires the schema's own static_assert; the members below do nothing more for a bad schema, so
  // that one message is all the compiler says.
  static constexpr bool schema_is_valid = pstate_detail::assert_valid_schema<Schema>();

 public:
  using schema_type = Schema;

  explicit pstate_partition(storage::database db) noexcept : db_(db) {}

  /// Opens (creating if needed) the partition stored in the named database `name`.
  static pstate_partition open(storage::environment& env, storage::write_txn& txn, std::string_view name) {
    return pstate_partition{env.open_database(txn, name)};
  }

  storage::database database() const noexcept { return db_; }

  /// Calls fn(value) for each value the path reaches, in order, without collecting them.
  template <class Txn, class Path, class Fn>
  void for_each(Txn& txn, const Path& path, Fn&& fn) const {
    constexpr bool fits = pstate_detail::assert_path_fits<pstate_detail::path_mode::select, Schema, Path>();
    if constexpr (fits && schema_is_valid) {
      pstate_detail::store<Txn> st{txn, db_};
      if constexpr (schema::is_map_v<Schema>) {
        pstate_detail::select_stored<0, Schema>(path, st, pstate_detail::stored_range::top_level(), fn);
      } else {
        auto root = pstate_detail::load_whole<Schema>(st, pstate_detail::root_value_key);
        pstate_detail::select_value<0, Schema>(path, root ? &*root : nullptr, fn);
      }
    }
  }

  /// Every value the path reaches, in order.
  template <class Txn, class Path>
  auto select(Txn& txn, const Path& path) const {
    std::vector<pstate_detail::select_result_t<Schema, Path>> values;
    for_each(txn, path, [&](const auto& value) { values.push_back(value); });
    return values;
  }

  /// The one value the path reaches; select_error if it reaches none or several.
  template <class Txn, class Path>
  auto select_one(Txn& txn, const Path& path) const {
    std::optional<pstate_detail::select_result_t<Schema, Path>> one;
    std::size_t found = 0;
    for_each(txn, path, [&](const auto& value) {
      if (found++ == 0) one.emplace(value);
    });
    if (found != 1) throw select_error(found);
    return std::move(*one);
  }

  /// A lazy view of the elements of the stored collection `path` leads to (the top-level map for
  /// an empty path, else a subindexed collection), reading one entry per step in `txn`, which the
  /// view keeps until it is destroyed.
  template <class Path>
  auto scan(storage::read_txn txn, const Path& path) const {
    using target = typename pstate_detail::walk_path<pstate_detail::path_mode::select, Schema, Path>::result;
    constexpr bool fits = pstate_detail::assert_path_fits<pstate_detail::path_mode::select, Schema, Path>();
    static_assert(!fits || (schema::is_map_v<Schema> && (Path::length == 0 || schema::is_subindexed_v<target>)),
                  "sluice: scan(path) reads a stored collection lazily: the top-level map (an empty path) or a "
                  "subindexed collection the path leads to");
    pstate_detail::location_capture location;
    if constexpr (fits && schema_is_valid) {
      pstate_detail::store<storage::read_txn> st{txn, db_};
      pstate_detail::select_stored<0, Schema>(path, st, pstate_detail::stored_range::top_level(), location);
    }
    return element_scan<target>{std::move(txn), db_, std::move(location.at)};
  }

  /// Applies a transform path (ending in term_val, term or term_void); true if anything changed.
  template <class Path>
  bool transform(storage::write_txn& txn, const Path& path) const {
    constexpr bool fits = pstate_detail::assert_path_fits<pstate_detail::path_mode::transform, Schema, Path>();
    if constexpr (fits && schema_is_valid) {
      pstate_detail::store<storage::write_txn> st{txn, db_};
      if constexpr (schema::is_map_v<Schema>) {
        return pstate_detail::transform_stored<0, Schema>(path, st, pstate_detail::stored_range::top_level());
      } else {
        const std::string root{pstate_detail::root_value_key};
        return pstate_detail::transform_whole<0, Schema>(path, st, root, false).first;
      }
    } else {
      return false;
    }
  }

 private:
  storage::database db_;
};

}  // namespace sluice

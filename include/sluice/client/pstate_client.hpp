#pragma once
// sluice::pstate_client: queries one PState of a launched module, on the caller's thread, in a
// read transaction of the task that owns the data (never through the task's queue).

#include <sluice/codec/stable_hash.hpp>
#include <sluice/dataflow/declarations.hpp>
#include <sluice/pstate/navigators.hpp>
#include <sluice/pstate/partition.hpp>
#include <sluice/pstate/path.hpp>
#include <sluice/pstate/schema.hpp>
#include <sluice/runtime/cluster.hpp>
#include <sluice/runtime/module.hpp>

#include <cstdint>
#include <string_view>
#include <utility>

namespace sluice {

namespace client_detail {

template <class Nav> inline constexpr bool is_key_navigator_v = false;
template <class K> inline constexpr bool is_key_navigator_v<nav::key<K>> = true;
template <class K> inline constexpr bool is_key_navigator_v<nav::must<K>> = true;

// A path the client can route by itself: on a map PState, starting with key(k) or must(k).
template <class Schema, class Path> inline constexpr bool routes_by_first_key_v = false;
template <class Schema, class First, class... Rest>
inline constexpr bool routes_by_first_key_v<Schema, path_t<First, Rest...>> =
    schema::is_map_v<Schema> && is_key_navigator_v<First>;

}  // namespace client_detail

/// Made by cluster::pstate(descriptor). Cheap to copy; thread-safe. Each query reads one snapshot
/// of one task: it sees whole commits only, and never waits for a writer. Once its cluster has
/// stopped, queries throw cluster_stopped.
template <class Schema>
class pstate_client {
 public:
  using schema_type = Schema;

  explicit pstate_client(runtime::detail::pstate_route route) : route_(std::move(route)) {}

  /// Every value `path` reaches, on the task owning the path's first key: the same routing as a
  /// depot's hash_by, so a record and the PState entries keyed like it meet on one task.
  template <class Path>
  [[nodiscard]] auto select(const Path& path) const {
    return select(task_of_path(path), path);
  }

  /// Every value `path` reaches on task `task`.
  template <class Path>
  [[nodiscard]] auto select(std::uint32_t task, const Path& path) const {
    auto txn = route_.module->begin_read(task);
    return partition(task).select(txn, path);
  }

  /// The one value `path` reaches, on the task owning its first key; select_error unless exactly one.
  template <class Path>
  [[nodiscard]] auto select_one(const Path& path) const {
    return select_one(task_of_path(path), path);
  }

  template <class Path>
  [[nodiscard]] auto select_one(std::uint32_t task, const Path& path) const {
    auto txn = route_.module->begin_read(task);
    return partition(task).select_one(txn, path);
  }

  /// A lazy range-v3 view of the elements of the subindexed collection `path` leads to, on the
  /// task owning its first key: one entry read per step, in a read transaction the view holds
  /// until it is destroyed. For results too large to load at once.
  template <class Path>
  [[nodiscard]] auto scan(const Path& path) const {
    return scan(task_of_path(path), path);
  }

  /// The same on task `task`; with an empty path (sluice::path_t<>{}), the task's whole partition.
  template <class Path>
  [[nodiscard]] auto scan(std::uint32_t task, const Path& path) const {
    return partition(task).scan(route_.module->begin_read(task), path);
  }

  /// The task owning `key`: codec::key_hash(key) % tasks, the key taken as the schema's key type.
  template <class K>
  [[nodiscard]] std::uint32_t task_of(const K& key) const {
    static_assert(schema::is_map_v<Schema>, "sluice: only a map PState is partitioned by key");
    if constexpr (schema::is_map_v<Schema>) {
      using key_type = typename Schema::key_type;
      return static_cast<std::uint32_t>(codec::key_hash(key_type(key)) % task_count());
    } else {
      return 0;
    }
  }

  [[nodiscard]] std::uint32_t task_count() const noexcept { return route_.module->task_count(); }

  [[nodiscard]] std::string_view name() const noexcept {
    const auto& topology = route_.module->spec().plan().topologies[route_.pstate.topology];
    return topology.pstates[route_.pstate.index].name;
  }

 private:
  template <class Path>
  std::uint32_t task_of_path(const Path& path) const {
    constexpr bool routable = client_detail::routes_by_first_key_v<Schema, Path>;
    // READ THIS IF YOUR COMPILE BREAKS HERE: the client finds the task to query from the path's
    // first key. For a path that does not start with key(k) or must(k), name the task yourself.
    static_assert(routable,
                  "sluice: select(path) routes by the path's first key, so the path must start with key(k) or "
                  "must(k) on a map PState; for any other path give the task: select(task, path)");
    if constexpr (routable)
      return task_of(std::get<0>(path.navigators).k);
    else
      return 0;
  }

  pstate_partition<Schema> partition(std::uint32_t task) const {
    return pstate_partition<Schema>{route_.module->pstate_database(task, route_.pstate)};
  }

  runtime::detail::pstate_route route_;
};

}  // namespace sluice

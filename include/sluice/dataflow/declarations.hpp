#pragma once
// What a module declares, as typed values: depots (with how records are partitioned), tick depots
// and PStates. Topologies, clients and the runtime all use the same descriptor, so a client cannot
// append the wrong record type or query a PState with the wrong key type.

#include <sluice/codec/stable_hash.hpp>
#include <sluice/codec/value_codec.hpp>
#include <sluice/dataflow/fixed_string.hpp>
#include <sluice/pstate/schema.hpp>

#include <chrono>
#include <concepts>
#include <cstdint>
#include <string_view>
#include <type_traits>

namespace sluice {

// ---- depot partitioners: (record, task count) -> task ----------------------------------------

/// Partitions by the stable hash of one field: the same routing PState clients use for a key.
template <auto Member>
struct hash_by_t {
  template <class Record>
  std::uint32_t operator()(const Record& record, std::uint32_t tasks) const {
    return static_cast<std::uint32_t>(codec::key_hash(record.*Member) % tasks);
  }
};
template <auto Member>
inline constexpr hash_by_t<Member> hash_by{};

/// Sends each record to a random task.
struct random_partition_t {};
inline constexpr random_partition_t random_partition{};

template <class P, class Record>
concept depot_partitioner =
    std::same_as<P, random_partition_t> || std::is_invocable_r_v<std::uint32_t, const P&, const Record&, std::uint32_t>;

// ---- descriptors --------------------------------------------------------------------------------

template <class Record, class Partitioner>
struct depot_descriptor {
  using record_type = Record;
  std::string_view name;
  Partitioner partitioner;
};

struct tick_depot_descriptor {
  using record_type = std::int64_t;  // a tick emits the clock's time, in epoch milliseconds
  std::string_view name;
  std::chrono::milliseconds interval;
};

template <class Schema>
struct pstate_descriptor {
  using schema_type = Schema;
  std::string_view name;
};

namespace detail {
template <fixed_string Name>
constexpr void check_depot_name() {
  static_assert(Name.starts_with("*"), "sluice: a depot's name starts with '*', as in \"*scheduled-post-depot\"");
}
}  // namespace detail

/// A durable partitioned log of `Record`s: `sluice::depot<"*posts", Post>(sluice::hash_by<&Post::user>)`.
template <fixed_string Name, class Record, class Partitioner>
constexpr depot_descriptor<Record, Partitioner> depot(Partitioner partitioner) {
  detail::check_depot_name<Name>();
  static_assert(codec::is_value_encodable_v<Record>, "sluice: a depot's record type must be encodable");
  static_assert(depot_partitioner<Partitioner, Record>,
                "sluice: a depot partitioner is hash_by<&Record::field>, random_partition, or a function "
                "(const Record&, std::uint32_t tasks) -> std::uint32_t task");
  return {Name.view(), partitioner};
}

/// Emits on task 0 every `interval` of the cluster's clock.
template <fixed_string Name>
constexpr tick_depot_descriptor tick_depot(std::chrono::milliseconds interval) {
  detail::check_depot_name<Name>();
  return {Name.view(), interval};
}

namespace detail {
template <fixed_string Name, class Schema>
constexpr pstate_descriptor<Schema> make_pstate() {
  static_assert(Name.starts_with("$$"), "sluice: a PState's name starts with \"$$\", as in \"$$feeds\"");
  return {Name.view()};
}
}  // namespace detail

/// A durable partitioned index with schema `Schema`: `sluice::pstate<"$$feeds", map_schema<...>>`.
template <fixed_string Name, class Schema>
inline constexpr pstate_descriptor<Schema> pstate = detail::make_pstate<Name, Schema>();

}  // namespace sluice

#pragma once
// The module the crash tests run, written as a user writes one. Processing a record applies
// three effects, each committed by a different transaction: a count on the record's own task, a
// count on the task its hop lands on, and, after a fan-out from there, a count on every task.
// Exactly-once processing leaves every one of those counts at exactly 1.

#include <sluice/sluice.hpp>

#include <boost/hana/define_struct.hpp>

#include <cstdint>
#include <string>
#include <string_view>

struct CrashRecord {
  BOOST_HANA_DEFINE_STRUCT(CrashRecord,
    (std::int64_t, id),  // unique across every run on a directory; the partitioning key
    (std::string, payload));
};

/// Record ids are run * crash_ids_per_run + n: unique across every run on a directory as long as
/// each run has its own number and appends fewer than crash_ids_per_run records.
inline constexpr std::int64_t crash_ids_per_run = 1'000'000;

inline CrashRecord crash_record(std::int64_t run, std::int64_t n) {
  const std::int64_t id = run * crash_ids_per_run + n;
  return {id, "record " + std::to_string(n) + " of run " + std::to_string(run)};
}

struct CrashModule {
  static constexpr std::string_view name = "crash";
  static constexpr std::uint32_t tasks = 4;

  using counts = sluice::map_schema<std::int64_t, std::int64_t>;  // record id -> times applied

  static constexpr auto records = sluice::depot<"*records", CrashRecord>(sluice::hash_by<&CrashRecord::id>);
  static constexpr auto at_source = sluice::pstate<"$$at-source", counts>;    // on the record's task
  static constexpr auto after_hop = sluice::pstate<"$$after-hop", counts>;    // on hop_key(id)'s task
  static constexpr auto everywhere = sluice::pstate<"$$everywhere", counts>;  // on every task

  /// What the chain hops by: derived from the id but hashed as a string, so that most records
  /// land on another task than their own.
  static std::string hop_key(std::int64_t id) { return "hop-" + std::to_string(id); }

  void define(sluice::setup& setup, sluice::topologies& topologies) const {
    using namespace sluice::literals;
    using sluice::path;
    const auto increment = [](std::int64_t n) { return n + 1; };
    const auto count_id = path::key("*id"_v).null_to_val(std::int64_t{0}).term(increment);

    setup.declare(records);
    auto& effects = topologies.stream("effects");
    effects.declare(at_source);
    effects.declare(after_hop);
    effects.declare(everywhere);
    effects.add(sluice::source(records).out("*record"_v)
        .each(sluice::get<"id">, "*record"_v).out("*id"_v)
        .local_transform(at_source, count_id)
        .each([](std::int64_t id) { return hop_key(id); }, "*id"_v).out("*hop-key"_v)
        .hash_partition("*hop-key"_v)
        .local_transform(after_hop, count_id)
        .all_partition()
        .local_transform(everywhere, count_id));
  }
};

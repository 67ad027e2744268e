#pragma once
// One task of a launched module: its LMDB environment, the handles of its named databases, and
// the state its worker keeps. Depots, PStates and bookkeeping of the task all live in it, so each
// task has exactly one writer and tasks never contend on a lock.

#include <sluice/runtime/layout.hpp>
#include <sluice/runtime/metrics.hpp>
#include <sluice/runtime/module_spec.hpp>
#include <sluice/storage/database.hpp>
#include <sluice/storage/environment.hpp>
#include <sluice/storage/transaction.hpp>

#include <cstdint>
#include <exception>
#include <memory>
#include <span>
#include <utility>
#include <vector>

namespace sluice::runtime::detail {

struct task_databases {
  storage::database meta;
  storage::database source_offsets;
  storage::database outbox;
  storage::database applied;
  std::vector<storage::database> depots;                // by depot index
  std::vector<std::vector<storage::database>> pstates;  // by topology, in declaration order
};

// Thread-safety: the owning worker is the only writer and the only user of failure(); clients
// begin read transactions on the environment from any thread; statistics() is thread-safe. The
// database handles are opened in the constructor, before any other thread sees the task, as LMDB
// requires.
class task {
 public:
  task(std::uint32_t index, std::uint32_t count, std::shared_ptr<storage::environment> env, const module_spec& spec)
      : index_(index), count_(count), env_(std::move(env)), databases_(open_databases(*env_, spec)) {}

  task(const task&) = delete;
  task& operator=(const task&) = delete;

  [[nodiscard]] std::uint32_t index() const noexcept { return index_; }
  [[nodiscard]] std::uint32_t count() const noexcept { return count_; }
  [[nodiscard]] storage::environment& environment() const noexcept { return *env_; }
  [[nodiscard]] const task_databases& databases() const noexcept { return databases_; }
  [[nodiscard]] std::span<const storage::database> pstates(std::uint32_t topology) const {
    return databases_.pstates[topology];
  }

  // The offset the next record appended to `depot` gets: one past the last stored.
  [[nodiscard]] std::uint64_t next_depot_offset(storage::write_txn& txn, std::uint32_t depot) const {
    auto cursor = txn.open_cursor(databases_.depots[depot]);
    const auto last = cursor.last();
    return last ? codec::decode_key<std::uint64_t>(last->key) + 1 : 0;
  }

  // The highest sequence number of `source_task`'s outbox applied here; 0 if none.
  [[nodiscard]] std::uint64_t applied_seq(const storage::write_txn& txn, std::uint32_t source_task) const {
    return read_value<std::uint64_t>(txn, databases_.applied, applied_key(source_task)).value_or(0);
  }

  // After a commit fails the task stops: its events fail with this error until the next launch,
  // and hop messages for it stay in their outboxes, to be re-sent then.
  [[nodiscard]] const std::exception_ptr& failure() const noexcept { return failure_; }
  void fail(std::exception_ptr failure) noexcept { failure_ = std::move(failure); }

  [[nodiscard]] task_statistics& statistics() noexcept { return statistics_; }
  [[nodiscard]] const task_statistics& statistics() const noexcept { return statistics_; }

 private:
  static task_databases open_databases(storage::environment& env, const module_spec& spec) {
    const dataflow::module_plan& plan = spec.plan();
    auto txn = env.begin_write();
    task_databases dbs{
        .meta = env.open_database(txn, meta_database),
        .source_offsets = env.open_database(txn, source_offsets_database),
        .outbox = env.open_database(txn, outbox_database),
        .applied = env.open_database(txn, applied_database),
        .depots = {},
        .pstates = {},
    };
    for (const auto& depot : plan.depots) dbs.depots.push_back(env.open_database(txn, depot_database(depot.name)));
    for (const dataflow::topology_plan& topology : plan.topologies) {
      auto& handles = dbs.pstates.emplace_back();
      for (const auto& pstate : topology.pstates) handles.push_back(env.open_database(txn, pstate_database(pstate.name)));
    }
    txn.commit();
    return dbs;
  }

  std::uint32_t index_;
  std::uint32_t count_;
  std::shared_ptr<storage::environment> env_;
  task_databases databases_;
  std::exception_ptr failure_;
  task_statistics statistics_;
};

}  // namespace sluice::runtime::detail

#pragma once
// How a cluster and the modules launched on it are configured.

#include <sluice/storage/environment.hpp>

#include <cstddef>
#include <cstdint>

namespace sluice {

/// Switches that simulate a crash at one of the two commit boundaries of a hop, for tests of
/// recovery. Production code leaves them alone.
struct test_hooks {
  /// false: hop messages stay in their source task's outbox after commit, as if the process died
  /// right then; the next launch on the directory re-sends them. Acks do not wait for them.
  bool deliver_hops = true;
  /// false: a target applies hop messages but never tells their source, so the outbox keeps them,
  /// as if the process died between the two commits; the next launch re-sends them and the
  /// targets skip them as already applied.
  bool prune_outbox = true;
};

struct cluster_options {
  /// Time starts at simulated_start_millis and moves only through cluster::advance_time.
  bool simulated_clock = false;
  std::int64_t simulated_start_millis = 0;
  /// For every task's LMDB environment. max_databases is raised as needed to fit the module.
  storage::environment_options storage{};
  /// The most events a worker takes into one round of group commit.
  std::size_t max_batch = 1000;
  /// The most client appends that may wait in one task's queue. An append beyond it, at any ack
  /// level (append_async included), waits for room: producers faster than the workers are slowed
  /// to their pace instead of growing memory without bound.
  std::size_t max_queued_appends = 100'000;
  test_hooks testing{};
};

struct launch_options {
  /// Partitions of every depot and PState; fixed when the module's directory is created.
  std::uint32_t tasks = 1;
  /// Worker threads; task t runs on worker t % threads. Free to change at every launch. More
  /// threads than tasks would idle, so there are at most `tasks`.
  std::uint32_t threads = 1;
};

}  // namespace sluice

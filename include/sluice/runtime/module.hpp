#pragma once
// A launched module: its tasks and workers, its tick schedules, and the entry points clients and
// the cluster use. Launching recovers what the directory holds: hop messages still in outboxes
// are re-sent before any new event is queued.

#include <sluice/dataflow/plan.hpp>
#include <sluice/runtime/ack.hpp>
#include <sluice/runtime/clock.hpp>
#include <sluice/runtime/cluster_error.hpp>
#include <sluice/runtime/dispatcher.hpp>
#include <sluice/runtime/event.hpp>
#include <sluice/runtime/metrics.hpp>
#include <sluice/runtime/module_directory.hpp>
#include <sluice/runtime/module_spec.hpp>
#include <sluice/runtime/options.hpp>
#include <sluice/runtime/outbox.hpp>
#include <sluice/runtime/stored_types.hpp>
#include <sluice/runtime/task.hpp>
#include <sluice/runtime/tick_schedule.hpp>
#include <sluice/runtime/worker.hpp>
#include <sluice/storage/environment.hpp>
#include <sluice/storage/transaction.hpp>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <future>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace sluice::runtime::detail {

struct due_tick {
  std::uint32_t tick;
  std::int64_t time_millis;
};

enum class due_ticks { latest_only, every_one, every_one_then_now };

// Thread-safe. Clients keep it alive through shared_ptr, and may outlive the cluster: once
// stop() has run, their calls throw cluster_stopped.
class module_runtime {
 public:
  module_runtime(const std::filesystem::path& cluster_dir, dataflow::module_plan plan, const launch_options& launch,
                 const cluster_options& options, std::shared_ptr<const cluster_clock> clock)
      : spec_(std::move(plan)),
        clock_(std::move(clock)),
        task_count_(checked_task_count(launch)),
        durable_(options.storage.durable),
        dispatcher_(spec_.name(), task_count_, std::min(launch.threads, task_count_), options.max_queued_appends),
        random_seed_(std::random_device{}()) {
    stored_outboxes outboxes = open_tasks(cluster_dir, options.storage);
    const std::int64_t launched_at = clock_->now_millis();
    for (const dataflow::tick_plan& tick : spec_.plan().ticks) schedules_.emplace_back(launched_at, tick.interval);
    resend(std::move(outboxes));
    start_workers(worker_settings{options.max_batch, options.testing});  // last: a throw after it would leave threads
  }

  module_runtime(const module_runtime&) = delete;
  module_runtime& operator=(const module_runtime&) = delete;
  ~module_runtime() { stop(); }

  [[nodiscard]] const module_spec& spec() const noexcept { return spec_; }
  [[nodiscard]] const std::string& name() const noexcept { return spec_.name(); }
  [[nodiscard]] std::uint32_t task_count() const noexcept { return task_count_; }

  // Queues a value-encoded record for depot partition `task`, once the task's queue has room for
  // it; the future follows `level`.
  std::future<void> append(std::uint32_t depot, std::uint32_t task, std::string record, ack_level level) {
    check_running();
    check_task(task);
    check_not_a_worker();
    pending_ack ack = start_ack(level);
    dispatcher_.dispatch_append(
        event{.task = task, .body = depot_append{depot, std::move(record)}, .ack = std::move(ack.completion)});
    return std::move(ack.future);
  }

  // A task chosen at random, for random_partition.
  [[nodiscard]] std::uint32_t random_task() noexcept {
    return static_cast<std::uint32_t>(mix(random_seed_ + random_draws_.fetch_add(1, std::memory_order_relaxed)) % task_count_);
  }

  // A snapshot of task `task`'s environment, for a query on the caller's thread.
  [[nodiscard]] storage::read_txn begin_read(std::uint32_t task) const {
    check_running();
    check_task(task);
    return tasks_[task]->environment().begin_read();
  }

  [[nodiscard]] storage::database pstate_database(std::uint32_t task, pstate_ref pstate) const {
    return tasks_[task]->pstates(pstate.topology)[pstate.index];
  }

  // The ticks due at or before `until`, in time order, each marked emitted: only the latest of
  // each depot (a timer that fell behind), every one, or every one and then one at `until`
  // itself (the simulated clock: see cluster::advance_time).
  std::vector<due_tick> take_due_ticks(std::int64_t until, due_ticks which) {
    std::vector<due_tick> due;
    std::lock_guard lock{schedules_mutex_};
    for (std::uint32_t tick = 0; tick < schedules_.size(); ++tick) {
      tick_schedule& schedule = schedules_[tick];
      if (which == due_ticks::latest_only) {
        if (schedule.next_due() <= until) due.push_back({tick, schedule.catch_up(until)});
        continue;
      }
      std::int64_t last_emitted = std::numeric_limits<std::int64_t>::min();
      for (; schedule.next_due() <= until; schedule.advance()) due.push_back({tick, last_emitted = schedule.next_due()});
      if (which == due_ticks::every_one_then_now && last_emitted != until) due.push_back({tick, until});
    }
    std::stable_sort(due.begin(), due.end(), [](const due_tick& a, const due_tick& b) { return a.time_millis < b.time_millis; });
    return due;
  }

  // When the next tick is due; nullopt if the module has no tick depot.
  [[nodiscard]] std::optional<std::int64_t> next_tick_due() const {
    std::lock_guard lock{schedules_mutex_};
    std::optional<std::int64_t> next;
    for (const tick_schedule& schedule : schedules_) next = std::min(next.value_or(schedule.next_due()), schedule.next_due());
    return next;
  }

  // Queues the emission of a tick on task 0; the future follows `level`.
  std::future<void> emit_tick(const due_tick& tick, ack_level level) {
    pending_ack ack = start_ack(level);
    dispatcher_.dispatch(event{.task = 0, .body = tick_emission{tick.tick, tick.time_millis}, .ack = std::move(ack.completion)});
    return std::move(ack.future);
  }

  void collect_metrics(std::vector<task_metrics>& out) const {
    for (const auto& t : tasks_) {
      task_metrics& metrics = out.emplace_back();
      metrics.module = name();
      metrics.task = t->index();
      metrics.queue_depth = dispatcher_.queue_depth(t->index());
      metrics.blocked_appends = dispatcher_.blocked_appends(t->index());
      t->statistics().fill(metrics);
    }
  }

  // Pauses every worker between batches (see worker::pause) until the pauses are destroyed: no
  // task of the module has a write transaction open meanwhile.
  [[nodiscard]] std::vector<worker_pause> pause_workers() const {
    std::vector<worker_pause> pauses;
    pauses.reserve(workers_.size());
    for (const auto& w : workers_) pauses.emplace_back(*w);
    return pauses;
  }

  // Copies every task's environment, compacted, into this module's directory under
  // `cluster_dir`, which must not have one. Consistent across tasks only with the workers paused.
  void copy_to(const std::filesystem::path& cluster_dir) const {
    build_module_directory(cluster_dir, name(), [&](const std::filesystem::path& staging) {
      for (const auto& t : tasks_) t->environment().copy_to(task_directory(staging, t->index()));
    });
  }

  // Lets each worker finish the batch in hand, fails the acks of what is still queued, joins the
  // workers. Hop messages not yet applied stay in their outboxes for the next launch. Idempotent.
  void stop() {
    if (stopped_.exchange(true)) return;
    dispatcher_.close();
    for (const auto& w : workers_) w->join();
    if (!durable_) sync_environments();
  }

 private:
  static std::uint32_t checked_task_count(const launch_options& launch) {
    if (launch.tasks == 0) throw std::invalid_argument("sluice: a module needs at least one task");
    if (launch.threads == 0) throw std::invalid_argument("sluice: a module needs at least one worker thread");
    return launch.tasks;
  }

  // splitmix64's finaliser: consecutive draws become unrelated tasks.
  static std::uint64_t mix(std::uint64_t x) noexcept {
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
  }

  void check_running() const {
    if (stopped_.load(std::memory_order_acquire))
      throw cluster_stopped("the cluster running the module '" + name() + "' has stopped");
  }

  // A handler appending to its own module would have its worker wait for itself: for the ack, or
  // for room in a full queue.
  void check_not_a_worker() const {
    for (const auto& w : workers_)
      if (w->is_current_thread())
        throw std::logic_error("sluice: a handler of the module '" + name() +
                               "' appended to one of its depots through a client, and its worker would wait for "
                               "itself; emit what it would append within the chain instead");
  }

  void check_task(std::uint32_t task) const {
    if (task >= task_count_)
      throw std::out_of_range("sluice: task " + std::to_string(task) + " of the module '" + name() + "', which has " +
                              std::to_string(task_count_) + " tasks");
  }

  // Opens the module's directory and checks it holds what the plan expects (stored_types.hpp);
  // returns what its outboxes hold.
  stored_outboxes open_tasks(const std::filesystem::path& cluster_dir, storage::environment_options options) {
    options.max_databases = std::max(options.max_databases, spec_.database_count());
    const auto environments = open_module_directory(cluster_dir, name(), task_count_, options);
    stored_outboxes outboxes = read_outboxes(environments);
    stored_type_check{module_directory(cluster_dir, name()), spec_.plan(), environments, outboxes}.run();
    for (std::uint32_t t = 0; t < task_count_; ++t)
      tasks_.push_back(std::make_unique<task>(t, task_count_, environments[t], spec_));
    return outboxes;
  }

  // Re-sends every outbox before any new event is queued, so each target sees each source's
  // messages in sequence; targets skip those a previous launch applied.
  void resend(stored_outboxes outboxes) {
    for (std::uint32_t source = 0; source < task_count_; ++source) {
      std::vector<outbound_message>& messages = outboxes[source];
      tasks_[source]->statistics().set_outbox_size(messages.size());
      std::vector<event> deliveries;
      for (outbound_message& m : messages)
        deliveries.push_back(event{
            .task = m.target_task,
            .body = hop_delivery{source, m.seq, m.message.topology, m.message.hop, std::move(m.message.payload)},
            .ack = nullptr,
        });
      dispatcher_.dispatch(deliveries);
    }
  }

  void start_workers(const worker_settings& settings) {
    for (std::uint32_t w = 0; w < dispatcher_.worker_count(); ++w)
      workers_.push_back(std::make_unique<worker>(w, spec_, tasks_, dispatcher_, *clock_, settings));
    try {
      for (const auto& w : workers_) w->start();
    } catch (...) {
      dispatcher_.close();  // the workers already started end, and their destructors join them
      throw;
    }
  }

  // Commits made without fsync reach the disk now, on a clean stop.
  void sync_environments() noexcept {
    for (const auto& t : tasks_) {
      try {
        t->environment().sync();
      } catch (...) {  // nothing to report to at shutdown; LMDB keeps what reached the disk
      }
    }
  }

  module_spec spec_;
  std::shared_ptr<const cluster_clock> clock_;
  std::uint32_t task_count_;
  bool durable_;
  std::vector<std::unique_ptr<task>> tasks_;
  dispatcher dispatcher_;
  std::vector<std::unique_ptr<worker>> workers_;
  std::atomic<bool> stopped_{false};
  mutable std::mutex schedules_mutex_;
  std::vector<tick_schedule> schedules_;
  std::uint64_t random_seed_;
  std::atomic<std::uint64_t> random_draws_{0};
};

// Where a depot client sends its records, and where a PState client reads.
struct depot_route {
  std::shared_ptr<module_runtime> module;
  std::uint32_t depot;
};

struct pstate_route {
  std::shared_ptr<module_runtime> module;
  pstate_ref pstate;
};

}  // namespace sluice::runtime::detail

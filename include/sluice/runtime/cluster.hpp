#pragma once
// sluice::cluster: an embedded, durable, single-process home for modules. It owns the data
// directory (locked against other clusters), the clock, and every module launched on it.

#include <sluice/codec/describe.hpp>
#include <sluice/dataflow/declarations.hpp>
#include <sluice/dataflow/module.hpp>
#include <sluice/dataflow/plan.hpp>
#include <sluice/pstate/schema.hpp>
#include <sluice/runtime/ack.hpp>
#include <sluice/runtime/clock.hpp>
#include <sluice/runtime/cluster_error.hpp>
#include <sluice/runtime/directory_lock.hpp>
#include <sluice/runtime/metrics.hpp>
#include <sluice/runtime/module.hpp>
#include <sluice/runtime/module_directory.hpp>
#include <sluice/runtime/options.hpp>
#include <sluice/runtime/ticker.hpp>
#include <sluice/runtime/worker.hpp>

#include <chrono>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

namespace sluice {

// Defined in <sluice/client/depot_client.hpp> and <sluice/client/pstate_client.hpp>: include
// <sluice/client.hpp> to call cluster::depot and cluster::pstate.
template <class Record, class Partitioner>
class depot_client;
template <class Schema>
class pstate_client;

/// Thread-safe: every member may be called from any thread. Destruction stops the modules (each
/// worker finishes the batch in hand; what is still queued fails with cluster_stopped) and
/// releases the directory; it must not race with other calls.
class cluster {
 public:
  /// Opens (creating if needed) the data directory `dir` and locks it: cluster_error if another
  /// cluster, in this process or another, has it open.
  explicit cluster(std::filesystem::path dir, cluster_options options = {})
      : dir_(prepare_directory(std::move(dir), options)),
        options_(std::move(options)),
        lock_(dir_),
        clock_(std::make_shared<runtime::detail::cluster_clock>(
            options_.simulated_clock ? std::optional{options_.simulated_start_millis} : std::nullopt)) {}

  cluster(const cluster&) = delete;
  cluster& operator=(const cluster&) = delete;

  ~cluster() {
    if (ticker_) ticker_->stop();
    for (auto module = modules_.rbegin(); module != modules_.rend(); ++module) (*module)->stop();
  }

  /// Launches a module: creates its directory `<dir>/<plan.name>/` with `options.tasks` tasks, or
  /// reopens it (the task count must be the one it was created with) and recovers: hop messages
  /// left in outboxes are re-sent before any new event. Ticks count from now.
  void launch(dataflow::module_plan plan, launch_options options) {
    std::lock_guard lock{modules_mutex_};
    for (const auto& module : modules_)
      if (module->name() == plan.name) throw cluster_error("the module '" + plan.name + "' is already launched");
    auto module = std::make_shared<runtime::detail::module_runtime>(dir_, std::move(plan), options, options_, clock_);
    if (!clock_->is_simulated() && !module->spec().plan().ticks.empty()) {
      if (!ticker_) ticker_ = std::make_unique<runtime::detail::ticker>(*clock_);
      ticker_->add(module);
    }
    modules_.push_back(std::move(module));
  }

  /// Launches `Module`: runs its define() (see <sluice/dataflow/module.hpp>) and launches the
  /// plan it makes. `cluster.launch<MyModule>({.tasks = 8, .threads = 2})`.
  template <sluice::module Module>
  void launch(launch_options options, const Module& definition = Module{}) {
    launch(dataflow::make_module_plan(definition), options);
  }

  /// A client appending to the depot `descriptor` names, in whichever launched module declares
  /// it; cluster_error if none does, or more than one, or if its record type does not encode like
  /// the module's.
  template <class Record, class Partitioner>
  depot_client<Record, Partitioner> depot(const depot_descriptor<Record, Partitioner>& descriptor) const {
    return depot_client<Record, Partitioner>{find_depot(descriptor.name, codec::describe_encoding<Record>()),
                                             descriptor.partitioner};
  }

  /// A client querying the PState `descriptor` names, in whichever launched module declares it;
  /// cluster_error if none does, or more than one, or if its schema does not store like the
  /// module's.
  template <class Schema>
  pstate_client<Schema> pstate(const pstate_descriptor<Schema>& descriptor) const {
    return pstate_client<Schema>{find_pstate(descriptor.name, schema::describe<Schema>())};
  }

  /// Simulated clock only (std::logic_error otherwise): moves time forward by `by`, emits every
  /// tick due in that span on each tick depot's interval grid, each with its own time, then (if
  /// time moved and no grid tick fell there) one more tick of each depot at the time it stops at,
  /// and returns once their processing, hops included, has committed. Time stands still between
  /// calls, so this is how a tick depot observes every time a test stops at, as ticks firing
  /// continuously would. Rethrows the first exception a tick's processing threw.
  void advance_time(std::chrono::milliseconds by) {
    std::lock_guard lock{time_mutex_};
    const std::int64_t until = clock_->advance(by);
    const auto which = by.count() > 0 ? runtime::detail::due_ticks::every_one_then_now
                                      : runtime::detail::due_ticks::every_one;
    std::vector<std::future<void>> ticks;
    for (const auto& module : launched_modules())
      for (const auto& tick : module->take_due_ticks(until, which))
        ticks.push_back(module->emit_tick(tick, ack_level::ack));
    std::exception_ptr first_failure;
    for (auto& tick : ticks) {
      try {
        tick.get();
      } catch (...) {
        if (!first_failure) first_failure = std::current_exception();
      }
    }
    if (first_failure) std::rethrow_exception(first_failure);
  }

  /// The cluster's time, in epoch milliseconds.
  [[nodiscard]] std::int64_t now_millis() const noexcept { return clock_->now_millis(); }

  [[nodiscard]] cluster_metrics metrics() const {
    cluster_metrics metrics;
    for (const auto& module : launched_modules()) module->collect_metrics(metrics.tasks);
    return metrics;
  }

  /// metrics() in the Prometheus text exposition format, labelled by module and task.
  [[nodiscard]] std::string prometheus_metrics() const { return to_prometheus(metrics()); }

  [[nodiscard]] const std::filesystem::path& directory() const noexcept { return dir_; }

  /// Writes a copy of the data directory into `target` (created if missing; cluster_error unless
  /// it is an empty directory) that `sluice::cluster{target}` opens and launches the same modules
  /// on, with the same task counts: the directory of every module launched now, each task's LMDB
  /// environment copied through LMDB's copy API (compacted) and synced to disk. The lock file is
  /// not copied, nor the directories of modules not launched.
  ///
  /// The copy is a state the cluster was in between two batches of commits, the same for every
  /// task of every module: each append acknowledged with ack_level::ack before the call is in it
  /// with all its effects, hops included, and no hop message is applied in it unless the event
  /// that sent it is. Hop messages in flight stay in their outboxes and are delivered when the
  /// copy is launched. To get that state, every worker pauses between batches for the whole copy:
  /// appends, ticks and hop messages wait in their queues meanwhile; queries do not wait.
  ///
  /// Any failure (the target, the disk filling up, a copy) throws what failed and where, after
  /// removing what the backup wrote; the workers resume either way.
  void backup(const std::filesystem::path& target) const {
    const bool target_existed = check_backup_target(target);
    const auto modules = launched_modules();
    try {
      std::filesystem::create_directories(target);
      std::vector<std::vector<runtime::detail::worker_pause>> paused;
      for (const auto& module : modules) paused.push_back(module->pause_workers());
      for (const auto& module : modules) module->copy_to(target);
      runtime::detail::sync_directory(target);
    } catch (...) {
      discard_backup(target, target_existed, modules);
      throw;
    }
  }

 private:
  static std::filesystem::path prepare_directory(std::filesystem::path dir, const cluster_options& options) {
    if (options.storage.read_only) throw std::invalid_argument("sluice: a cluster cannot run on read-only storage");
    if (options.max_batch == 0) throw std::invalid_argument("sluice: cluster_options::max_batch must be at least 1");
    if (options.max_queued_appends == 0)
      throw std::invalid_argument("sluice: cluster_options::max_queued_appends must be at least 1");
    std::filesystem::create_directories(dir);
    return dir;
  }

  // Whether `target` exists; cluster_error unless it is missing or an empty directory.
  bool check_backup_target(const std::filesystem::path& target) const {
    std::error_code error;
    const bool exists = std::filesystem::exists(target, error);
    const bool usable = !error && (!exists || (std::filesystem::is_directory(target, error) &&
                                               std::filesystem::is_empty(target, error) && !error));
    if (!usable)
      throw cluster_error("cannot back up '" + dir_.string() + "' to '" + target.string() +
                          "': " + (error ? error.message() : "the target must be missing or an empty directory"));
    return exists;
  }

  // Leaves `target` as backup() found it: removes what it wrote there, or `target` itself if
  // backup() created it. What cannot be removed stays; the error being thrown says what failed.
  static void discard_backup(const std::filesystem::path& target, bool target_existed,
                             const std::vector<std::shared_ptr<runtime::detail::module_runtime>>& modules) noexcept {
    std::error_code ignored;
    if (!target_existed) {
      std::filesystem::remove_all(target, ignored);
      return;
    }
    for (const auto& module : modules) {
      std::filesystem::remove_all(runtime::detail::module_directory(target, module->name()), ignored);
      std::filesystem::remove_all(runtime::detail::module_staging_directory(target, module->name()), ignored);
    }
  }

  [[nodiscard]] std::vector<std::shared_ptr<runtime::detail::module_runtime>> launched_modules() const {
    std::lock_guard lock{modules_mutex_};
    return modules_;
  }

  // The one launched module for which `find(module)` gives a value, and that value.
  template <class Find>
  auto find_unique(std::string_view kind, std::string_view name, Find find) const {
    using found_type = typename decltype(find(std::declval<const runtime::detail::module_spec&>()))::value_type;
    std::shared_ptr<runtime::detail::module_runtime> owner;
    std::optional<found_type> found;
    for (const auto& module : launched_modules()) {
      const auto here = find(module->spec());
      if (!here) continue;
      if (owner)
        throw cluster_error("the " + std::string(kind) + " '" + std::string(name) + "' is declared by both '" +
                            owner->name() + "' and '" + module->name() + "'; which one is meant is ambiguous");
      owner = module;
      found = here;
    }
    if (!owner) throw cluster_error("no launched module declares the " + std::string(kind) + " '" + std::string(name) + "'");
    return std::pair{std::move(owner), *found};
  }

  // `stored_type` is what the client's descriptor says the depot or PState holds.
  runtime::detail::depot_route find_depot(std::string_view name, const std::string& stored_type) const {
    auto [module, depot] = find_unique("depot", name, [&](const auto& spec) { return spec.find_depot(name); });
    check_client_type("depot", module->spec().plan().depots[depot], stored_type, module->name());
    return {std::move(module), depot};
  }

  runtime::detail::pstate_route find_pstate(std::string_view name, const std::string& stored_type) const {
    auto [module, pstate] = find_unique("PState", name, [&](const auto& spec) { return spec.find_pstate(name); });
    check_client_type("PState", module->spec().plan().topologies[pstate.topology].pstates[pstate.index], stored_type,
                      module->name());
    return {std::move(module), pstate};
  }

  // A client must read and write the types the module declares, or it would misread the data.
  static void check_client_type(std::string_view kind, const dataflow::stored_declaration& declared,
                                const std::string& client_type, const std::string& module) {
    if (declared.stored_type.empty() || declared.stored_type == client_type) return;
    throw cluster_error("the " + std::string(kind) + " '" + declared.name + "' of the module '" + module + "' holds " +
                        declared.stored_type + ", but the client's descriptor says " + client_type);
  }

  std::filesystem::path dir_;
  cluster_options options_;
  runtime::detail::directory_lock lock_;
  std::shared_ptr<runtime::detail::cluster_clock> clock_;
  mutable std::mutex modules_mutex_;
  std::vector<std::shared_ptr<runtime::detail::module_runtime>> modules_;
  std::unique_ptr<runtime::detail::ticker> ticker_;
  std::mutex time_mutex_;  // one advance_time at a time, so ticks are emitted in order
};

}  // namespace sluice

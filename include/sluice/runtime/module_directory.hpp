#pragma once
// A module's directory: created whole or not at all, and never opened unless its stored
// identity (format, module name, task count, task index) is what the launch expects, nor
// launched unless every depot and PState it holds is declared with the type it was stored with.

#include <sluice/codec/decode_error.hpp>
#include <sluice/dataflow/plan.hpp>
#include <sluice/runtime/cluster_error.hpp>
#include <sluice/runtime/layout.hpp>
#include <sluice/storage/environment.hpp>
#include <sluice/storage/storage_error.hpp>

#include <lmdb.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <vector>

namespace sluice::runtime::detail {

// Makes a directory's entries (files created or renamed in it) durable.
inline void sync_directory(const std::filesystem::path& dir) {
  if (const std::error_code error = storage::detail::sync_path(dir))
    throw cluster_error("cannot sync the directory '" + dir.string() + "': " + error.message());
}

inline void write_meta(storage::environment& env, std::string_view module, std::uint32_t task, std::uint32_t tasks) {
  auto txn = env.begin_write();
  const storage::database meta = env.open_database(txn, meta_database);
  txn.put(meta, meta_key::format, codec::encode_value(format_version));
  txn.put(meta, meta_key::module, codec::encode_value(std::string(module)));
  txn.put(meta, meta_key::tasks, codec::encode_value(tasks));
  txn.put(meta, meta_key::task, codec::encode_value(task));
  txn.commit();
}

// Builds a module directory aside with `fill(staging)`, then renames it into place: a crash
// half-way leaves only the staging directory, never a half-made module; the next build discards it.
template <class Fill>
void build_module_directory(const std::filesystem::path& cluster_dir, std::string_view module, Fill fill) {
  const std::filesystem::path staging = module_staging_directory(cluster_dir, module);
  std::filesystem::remove_all(staging);
  fill(staging);
  sync_directory(staging);
  std::filesystem::rename(staging, module_directory(cluster_dir, module));
  sync_directory(cluster_dir);
}

// A new module directory: one environment per task, each holding its meta.
inline void create_module_directory(const std::filesystem::path& cluster_dir, std::string_view module,
                                    std::uint32_t tasks, const storage::environment_options& options) {
  build_module_directory(cluster_dir, module, [&](const std::filesystem::path& staging) {
    for (std::uint32_t t = 0; t < tasks; ++t) {
      const std::filesystem::path dir = task_directory(staging, t);
      {
        const auto env = storage::open_environment(dir, options);
        write_meta(*env, module, t, tasks);
        env->sync();  // even without durable commits: a module must never exist without its meta
      }
      sync_directory(dir);
    }
  });
}

class meta_check {
 public:
  meta_check(const std::filesystem::path& task_dir, std::string_view module, std::uint32_t task, std::uint32_t tasks)
      : task_dir_(task_dir), module_(module), task_(task), tasks_(tasks) {}

  // Throws cluster_error unless `env` holds the meta of task `task` of `module` with `tasks` tasks.
  void verify(const storage::environment& env) const {
    const auto meta = env.find_database(meta_database);
    if (!meta) foreign("it has no '" + std::string(meta_database) + "' database");
    try {
      const auto txn = env.begin_read();
      expect(stored<std::uint32_t>(txn, *meta, meta_key::format), format_version, "format version");
      expect(stored<std::string>(txn, *meta, meta_key::module), std::string(module_), "module name");
      const auto stored_tasks = stored<std::uint32_t>(txn, *meta, meta_key::tasks);
      if (stored_tasks != tasks_)
        throw cluster_error("the module '" + std::string(module_) + "' in '" + task_dir_.parent_path().string() +
                            "' was created with " + std::to_string(stored_tasks) + " tasks and cannot be launched with " +
                            std::to_string(tasks_) + ": a module's task count is fixed when its directory is created");
      expect(stored<std::uint32_t>(txn, *meta, meta_key::task), task_, "task index");
    } catch (const decode_error& e) {
      foreign(std::string("its meta is corrupt: ") + e.what());
    }
  }

  [[noreturn]] void foreign(const std::string& why) const {
    throw cluster_error("'" + task_dir_.string() + "' is not task " + std::to_string(task_) + " of a sluice module '" +
                        std::string(module_) + "': " + why + "; refusing to touch it");
  }

 private:
  template <class T>
  T stored(const storage::read_txn& txn, storage::database meta, std::string_view key) const {
    auto value = read_value<T>(txn, meta, key);
    if (!value) foreign("its meta has no '" + std::string(key) + "'");
    return *std::move(value);
  }

  template <class T>
  void expect(const T& found, const T& wanted, std::string_view what) const {
    if (found == wanted) return;
    if constexpr (std::is_same_v<T, std::string>)
      foreign("its " + std::string(what) + " is '" + found + "', expected '" + wanted + "'");
    else
      foreign("its " + std::string(what) + " is " + std::to_string(found) + ", expected " + std::to_string(wanted));
  }

  std::filesystem::path task_dir_;
  std::string_view module_;
  std::uint32_t task_;
  std::uint32_t tasks_;
};

// Opens task `task`'s environment of an existing module directory, after checking it is one.
inline std::shared_ptr<storage::environment> open_task_environment(const std::filesystem::path& module_dir,
                                                                   std::string_view module, std::uint32_t task,
                                                                   std::uint32_t tasks,
                                                                   const storage::environment_options& options) {
  const std::filesystem::path dir = task_directory(module_dir, task);
  const meta_check check{dir, module, task, tasks};
  // open_environment would create a missing environment: look before opening.
  if (!std::filesystem::is_regular_file(dir / "data.mdb")) check.foreign("it has no LMDB data file");
  std::shared_ptr<storage::environment> env;
  try {
    env = storage::open_environment(dir, options);
  } catch (const storage_error& e) {
    // Only LMDB's verdict on the file means it is not ours; other failures (no memory to map it,
    // no permission) say nothing about what the directory holds.
    if (e.code() == MDB_INVALID || e.code() == MDB_VERSION_MISMATCH) check.foreign(e.what());
    throw cluster_error("cannot open task " + std::to_string(task) + " of the module '" + std::string(module) +
                        "': " + e.what());
  }
  check.verify(*env);
  return env;
}

// The environments of the module's tasks, in task order; the directory is created if missing.
// Throws cluster_error for a directory that is not this module's, or has another task count.
inline std::vector<std::shared_ptr<storage::environment>> open_module_directory(
    const std::filesystem::path& cluster_dir, std::string_view module, std::uint32_t tasks,
    const storage::environment_options& options) {
  const std::filesystem::path dir = module_directory(cluster_dir, module);
  if (!std::filesystem::exists(dir)) create_module_directory(cluster_dir, module, tasks, options);
  if (!std::filesystem::is_directory(dir))
    throw cluster_error("'" + dir.string() + "' is not a directory; refusing to touch it");
  std::vector<std::shared_ptr<storage::environment>> environments;
  for (std::uint32_t t = 0; t < tasks; ++t)  // task 0 first: it reports a task count mismatch
    environments.push_back(open_task_environment(dir, module, t, tasks, options));
  return environments;
}

// Calls visit(kind, declaration, database name) for each depot and PState `plan` declares with a
// stored type.
template <class Visit>
void for_each_typed_store(const dataflow::module_plan& plan, Visit visit) {
  for (const dataflow::stored_declaration& depot : plan.depots)
    if (!depot.stored_type.empty()) visit("depot", depot, depot_database(depot.name));
  for (const dataflow::topology_plan& topology : plan.topologies)
    for (const dataflow::stored_declaration& pstate : topology.pstates)
      if (!pstate.stored_type.empty()) visit("PState", pstate, pstate_database(pstate.name));
}

// Refuses (cluster_error, nothing written) to launch `plan` on environments, opened and checked
// by open_module_directory, that recorded another stored type for one of its depots or PStates:
// the data would be misread. Then records the stored types the environments lack (new depots and
// PStates, or a directory made before types were recorded), in every task alike.
inline void check_stored_types(const std::filesystem::path& module_dir, const dataflow::module_plan& plan,
                               const std::vector<std::shared_ptr<storage::environment>>& environments) {
  const auto tasks = static_cast<std::uint32_t>(environments.size());
  for (std::uint32_t t = 0; t < tasks; ++t) {
    const storage::environment& env = *environments[t];
    const storage::database meta = *env.find_database(meta_database);  // open_module_directory saw it
    const auto txn = env.begin_read();
    for_each_typed_store(plan, [&](std::string_view kind, const dataflow::stored_declaration& store, const std::string& database) {
      std::optional<std::string> recorded;
      try {
        recorded = read_value<std::string>(txn, meta, meta_key::stored_type(database));
      } catch (const decode_error& e) {
        meta_check{task_directory(module_dir, t), plan.name, t, tasks}.foreign(std::string("its meta is corrupt: ") + e.what());
      }
      if (recorded && *recorded != store.stored_type)
        throw cluster_error("the module '" + plan.name + "' in '" + module_dir.string() + "' stores its " + std::string(kind) +
                            " '" + store.name + "' as " + *recorded + ", but the module now declares it as " +
                            store.stored_type + "; stored data is never converted: declare the old type again, or a new " +
                            std::string(kind) + " under another name");
    });
  }
  for (const auto& env : environments) {
    auto txn = env->begin_write();
    const storage::database meta = env->open_database(txn, meta_database);
    bool recorded_any = false;
    for_each_typed_store(plan, [&](std::string_view, const dataflow::stored_declaration& store, const std::string& database) {
      const std::string key = meta_key::stored_type(database);
      if (txn.get(meta, key)) return;
      txn.put(meta, key, codec::encode_value(store.stored_type));
      recorded_any = true;
    });
    if (recorded_any) txn.commit();
  }
}

}  // namespace sluice::runtime::detail

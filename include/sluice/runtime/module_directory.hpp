#pragma once
// A module's directory: created whole or not at all, and never opened unless its stored
// identity (format, module name, task count, task index) is what the launch expects.

#include <sluice/codec/decode_error.hpp>
#include <sluice/runtime/cluster_error.hpp>
#include <sluice/runtime/layout.hpp>
#include <sluice/storage/environment.hpp>
#include <sluice/storage/storage_error.hpp>

#include <lmdb.h>

#include <cstdint>
#include <filesystem>
#include <memory>
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

}  // namespace sluice::runtime::detail

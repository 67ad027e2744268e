#pragma once
// A PState partition in a fresh temporary LMDB environment, with one-transaction helpers.

#include "temp_dir.hpp"

#include <sluice/pstate.hpp>
#include <sluice/storage.hpp>

#include <memory>
#include <optional>

namespace sluice_test {

template <class Schema>
class pstate_fixture {
 public:
  explicit pstate_fixture(sluice::storage::environment_options options = {.durable = false}) : options_(options) {
    reopen();
  }

  /// Closes the environment and opens it again from disk.
  void reopen() {
    partition_.reset();
    env_.reset();
    env_ = sluice::storage::open_environment(dir_.path(), options_);
    auto txn = env_->begin_write();
    partition_.emplace(sluice::pstate_partition<Schema>::open(*env_, txn, "$$under-test"));
    txn.commit();
  }

  template <class Path>
  bool transform(const Path& path) {
    auto txn = env_->begin_write();
    const bool changed = partition_->transform(txn, path);
    txn.commit();
    return changed;
  }
  template <class Path>
  auto select(const Path& path) {
    auto txn = env_->begin_read();
    return partition_->select(txn, path);
  }
  template <class Path>
  auto select_one(const Path& path) {
    auto txn = env_->begin_read();
    return partition_->select_one(txn, path);
  }
  /// How many LMDB entries the partition holds: proves removals leave nothing behind.
  std::size_t entries() {
    auto txn = env_->begin_read();
    return txn.entries(partition_->database());
  }

  sluice::storage::environment& env() { return *env_; }
  const sluice::pstate_partition<Schema>& partition() const { return *partition_; }

 private:
  temp_dir dir_;
  sluice::storage::environment_options options_;
  std::shared_ptr<sluice::storage::environment> env_;
  std::optional<sluice::pstate_partition<Schema>> partition_;
};

}  // namespace sluice_test

#pragma once
// sluice::depot_client: appends records to one depot of a launched module.

#include <sluice/codec/value_codec.hpp>
#include <sluice/dataflow/declarations.hpp>
#include <sluice/runtime/ack.hpp>
#include <sluice/runtime/cluster.hpp>
#include <sluice/runtime/module.hpp>

#include <cstdint>
#include <future>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace sluice {

/// Made by cluster::depot(descriptor). Cheap to copy; thread-safe (a copy per thread or one shared,
/// as you like). Once its cluster has stopped, appends throw cluster_stopped.
template <class Record, class Partitioner>
class depot_client {
 public:
  depot_client(runtime::detail::depot_route route, Partitioner partitioner)
      : route_(std::move(route)), partitioner_(std::move(partitioner)) {}

  /// Appends `record` to the task its partitioner picks, and waits as `level` says. With
  /// ack_level::ack, rethrows what the record's processing threw, anywhere across hops.
  void append(const Record& record, ack_level level = ack_level::ack) const { append_async(record, level).get(); }

  /// As append, without waiting: the future is ready when append would have returned. With
  /// ack_level::none it is ready at once and carries no failure.
  [[nodiscard]] std::future<void> append_async(const Record& record, ack_level level = ack_level::ack) const {
    return route_.module->append(route_.depot, task_of(record), codec::encode_value(record), level);
  }

  /// The task `record` would be appended to (a fresh random one for random_partition).
  [[nodiscard]] std::uint32_t task_of(const Record& record) const {
    const std::uint32_t tasks = route_.module->task_count();
    if constexpr (std::is_same_v<Partitioner, random_partition_t>) {
      return route_.module->random_task();
    } else {
      const std::uint32_t task = partitioner_(record, tasks);
      if (task >= tasks)
        throw std::out_of_range("sluice: the partitioner of the depot '" + std::string(name()) + "' chose task " +
                                std::to_string(task) + " of " + std::to_string(tasks));
      return task;
    }
  }

  [[nodiscard]] std::string_view name() const noexcept { return route_.module->spec().plan().depots[route_.depot].name; }

 private:
  runtime::detail::depot_route route_;
  [[no_unique_address]] Partitioner partitioner_;
};

}  // namespace sluice

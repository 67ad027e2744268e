#pragma once
// Routes events to the queue of the worker that owns their task (task t: worker t % workers).

#include <sluice/runtime/cluster_error.hpp>
#include <sluice/runtime/event.hpp>
#include <sluice/runtime/event_queue.hpp>

#include <cstdint>
#include <exception>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace sluice::runtime::detail {

// Thread-safe. Events dispatched together by one thread reach each queue in their order.
class dispatcher {
 public:
  dispatcher(std::string module, std::uint32_t task_count, std::uint32_t worker_count, std::size_t append_limit)
      : module_(std::move(module)) {
    for (std::uint32_t w = 0; w < worker_count; ++w)
      queues_.push_back(std::make_unique<event_queue>(task_count, append_limit));
  }

  [[nodiscard]] std::uint32_t worker_count() const noexcept { return static_cast<std::uint32_t>(queues_.size()); }
  [[nodiscard]] std::uint32_t worker_of(std::uint32_t task) const noexcept { return task % worker_count(); }
  [[nodiscard]] event_queue& queue(std::uint32_t worker) const noexcept { return *queues_[worker]; }
  [[nodiscard]] std::size_t queue_depth(std::uint32_t task) const { return queue(worker_of(task)).depth(task); }
  [[nodiscard]] std::size_t blocked_appends(std::uint32_t task) const {
    return queue(worker_of(task)).blocked_appends(task);
  }

  // Queues `events`, moving from them. Once the module is stopping, an event that cannot be
  // queued fails its ack with cluster_stopped.
  void dispatch(std::span<event> events) {
    for_each_group(events, [&](const event& e) { return worker_of(e.task); },
                   [&](std::uint32_t worker, std::span<event> group) {
                     if (!queue(worker).push(group)) fail_all(group);
                   });
  }

  void dispatch(event e) { dispatch(std::span<event>{&e, 1}); }

  // Queues a client's depot append, first waiting for room in its task's queue if it is full.
  void dispatch_append(event append) {
    if (!queue(worker_of(append.task)).push_append(append)) fail_all(std::span<event>{&append, 1});
  }

  // Closes every queue; the events left in them fail their acks with cluster_stopped.
  void close() {
    for (const auto& queue : queues_) {
      std::vector<event> left = queue->close();
      fail_all(left);
    }
  }

 private:
  // An exception each: see completion::finish_work.
  void fail_all(std::span<event> events) const {
    for (event& e : events)
      fail_event(e, std::make_exception_ptr(
                        cluster_stopped("the module '" + module_ + "' stopped before the event was processed")));
  }

  std::string module_;
  std::vector<std::unique_ptr<event_queue>> queues_;
};

}  // namespace sluice::runtime::detail

#pragma once
// The timer thread of a cluster on the system clock: emits each module's ticks when they are due.

#include <sluice/runtime/ack.hpp>
#include <sluice/runtime/clock.hpp>
#include <sluice/runtime/module.hpp>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace sluice::runtime::detail {

// Thread-safe. Nobody waits for a tick it emits: failures show in the task's metrics.
class ticker {
 public:
  explicit ticker(const cluster_clock& clock) : clock_(clock), thread_([this] { run(); }) {}

  ticker(const ticker&) = delete;
  ticker& operator=(const ticker&) = delete;
  ~ticker() { stop(); }

  void add(std::shared_ptr<module_runtime> module) {
    {
      std::lock_guard lock{mutex_};
      modules_.push_back(std::move(module));
    }
    changed_.notify_one();
  }

  void stop() {
    {
      std::lock_guard lock{mutex_};
      stopping_ = true;
    }
    changed_.notify_one();
    if (thread_.joinable()) thread_.join();
  }

 private:
  void run() {
    std::unique_lock lock{mutex_};
    while (!stopping_) {
      const std::int64_t now = clock_.now_millis();
      std::optional<std::int64_t> next;
      for (const auto& module : modules_) {
        for (const due_tick& tick : module->take_due_ticks(now, due_ticks::latest_only)) module->emit_tick(tick, ack_level::none);
        if (const auto due = module->next_tick_due()) next = std::min(next.value_or(*due), *due);
      }
      const std::size_t known = modules_.size();
      const auto woken = [&] { return stopping_ || modules_.size() != known; };
      if (next)
        changed_.wait_for(lock, std::chrono::milliseconds{std::max<std::int64_t>(*next - now, 1)}, woken);
      else
        changed_.wait(lock, woken);
    }
  }

  const cluster_clock& clock_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::shared_ptr<module_runtime>> modules_;
  bool stopping_ = false;
  std::thread thread_;  // last: it runs as soon as it is constructed
};

}  // namespace sluice::runtime::detail

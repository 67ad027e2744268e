#pragma once
// The cluster's clock, in epoch milliseconds: the system clock, or a simulated one that moves only
// when told to. Per cluster rather than global, so tests with their own time run in parallel.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>

namespace sluice::runtime::detail {

// Thread-safe: any thread may read the time; advance() is serialised by its caller.
class cluster_clock {
 public:
  // The system clock when `simulated_start` is empty; else a simulated clock starting there.
  explicit cluster_clock(std::optional<std::int64_t> simulated_start)
      : simulated_(simulated_start.has_value()), simulated_now_(simulated_start.value_or(0)) {}

  cluster_clock(const cluster_clock&) = delete;
  cluster_clock& operator=(const cluster_clock&) = delete;

  [[nodiscard]] bool is_simulated() const noexcept { return simulated_; }

  [[nodiscard]] std::int64_t now_millis() const noexcept {
    if (simulated_) return simulated_now_.load(std::memory_order_acquire);
    const auto since_epoch = std::chrono::system_clock::now().time_since_epoch();
    return std::chrono::duration_cast<std::chrono::milliseconds>(since_epoch).count();
  }

  // Moves simulated time forward by `by` and returns the new time.
  std::int64_t advance(std::chrono::milliseconds by) {
    if (!simulated_)
      throw std::logic_error("sluice: advance_time needs cluster_options::simulated_clock; this cluster runs on the system clock");
    if (by.count() < 0) throw std::invalid_argument("sluice: advance_time cannot move time backwards");
    return simulated_now_.fetch_add(by.count(), std::memory_order_acq_rel) + by.count();
  }

 private:
  bool simulated_;
  std::atomic<std::int64_t> simulated_now_;
};

}  // namespace sluice::runtime::detail

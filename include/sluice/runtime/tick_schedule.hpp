#pragma once
// When one tick depot emits: at launch + k * interval for k = 1, 2, ...

#include <chrono>
#include <cstdint>

namespace sluice::runtime::detail {

// Not thread-safe: each schedule is driven by one thread at a time (the timer thread, or
// advance_time under its lock).
class tick_schedule {
 public:
  tick_schedule(std::int64_t launch_millis, std::chrono::milliseconds interval) noexcept
      : launch_millis_(launch_millis), interval_millis_(interval.count()) {}

  [[nodiscard]] std::int64_t next_due() const noexcept { return launch_millis_ + ticks_ * interval_millis_; }

  // Marks the next due tick as emitted.
  void advance() noexcept { ++ticks_; }

  // Skips every tick due at or before `now` but the last: a timer that fell behind (a suspended
  // process) emits one tick for the latest due time rather than a burst. Returns that time.
  std::int64_t catch_up(std::int64_t now) noexcept {
    const std::int64_t due = next_due();
    if (now > due) ticks_ += (now - due) / interval_millis_;
    const std::int64_t latest = next_due();
    advance();
    return latest;
  }

 private:
  std::int64_t launch_millis_;
  std::int64_t interval_millis_;
  std::int64_t ticks_ = 1;
};

}  // namespace sluice::runtime::detail

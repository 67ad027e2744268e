#pragma once
// The timed-notifications workload, the same for every peer: who posts what, due when, in which
// order it is scheduled, and the timeline of one run (first due, burst, stop, restart).

#include "../../examples/timed_notifications/timed_notifications_module.hpp"  // ScheduledPost

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <numeric>
#include <optional>
#include <string>
#include <string_view>

namespace timed_notifications_bench {

using millis = std::chrono::milliseconds;

/// Epoch milliseconds of the system clock, the clock every peer's ticks and due times use.
inline std::int64_t wall_millis() {
  return std::chrono::duration_cast<millis>(std::chrono::system_clock::now().time_since_epoch()).count();
}

struct settings {
  std::size_t users = 100'000;
  std::size_t posts = 1'000'000;   // due evenly over `spread`
  std::size_t burst = 200'000;     // due within one second, a quarter into the spread
  millis spread{60'000};
  millis stop{30'000};             // the peer is down this long, then restarted
  millis lead{0};                  // from the start of scheduling to the first due time; 0: derived
  std::size_t clients = 64;        // concurrent schedulers ...
  std::size_t window = 16;         // ... each with this many schedules in flight
  std::uint32_t tasks = 4;         // sluice and raw LMDB: one LMDB environment each
  std::uint32_t threads = 2;       // sluice workers, raw LMDB writers
  std::uint64_t seed = 42;

  [[nodiscard]] std::size_t total() const { return posts + burst; }
};

/// A 64-bit mix (splitmix64's finalizer): deterministic pseudo-random choices from an index.
constexpr std::uint64_t mix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

inline std::string user_name(std::size_t user) {
  std::string digits = std::to_string(user);
  return "user:" + std::string(digits.size() < 6 ? 6 - digits.size() : 0, '0') + digits;
}

/// When each of the run's moments falls, in epoch millis.
struct timeline {
  std::int64_t first_due;    // the first regular post
  std::int64_t burst_due;    // the burst's second starts here
  std::int64_t stop_at;      // the peer is stopped ...
  std::int64_t restart_at;   // ... and started again: every post is due by then
  std::int64_t last_tick_before_stop;  // posts due before this are "due while running"

  /// The stop begins half-way through the spread, or later if the stop is shorter than half of
  /// it, so that the restart comes after the last due time: what is pending then is all backlog.
  static timeline starting(std::int64_t first_due, const settings& s) {
    const std::int64_t spread = s.spread.count();
    const std::int64_t stop_at = first_due + std::max(spread / 2, spread - s.stop.count());
    return {first_due, first_due + spread / 4, stop_at, stop_at + s.stop.count(), stop_at - 1000};
  }
};

/// Post i of the run: the regular ones first, then the burst. Its text starts with its number,
/// so that a feed can be checked for lost, duplicated and misdelivered posts.
class workload {
 public:
  workload(const settings& s, timeline when) : settings_(s), when_(when), stride_(coprime_stride(s.total())) {}

  [[nodiscard]] std::size_t size() const { return settings_.total(); }
  [[nodiscard]] const timeline& when() const { return when_; }

  [[nodiscard]] std::size_t user_of(std::size_t post) const { return mix(settings_.seed ^ post) % settings_.users; }

  [[nodiscard]] std::int64_t due_of(std::size_t post) const {
    const auto at = [](std::int64_t start, std::size_t i, std::size_t n, std::int64_t span) {
      return start + static_cast<std::int64_t>(static_cast<double>(i) * static_cast<double>(span) / static_cast<double>(n));
    };
    if (post < settings_.posts) return at(when_.first_due, post, settings_.posts, settings_.spread.count());
    return at(when_.burst_due, post - settings_.posts, settings_.burst, 1000);
  }

  [[nodiscard]] ScheduledPost post(std::size_t post) const {
    std::string text = std::to_string(post);
    text += ": a post scheduled for later, ";
    text.resize(40, '.');
    return {user_name(user_of(post)), std::move(text), due_of(post)};
  }

  /// The k-th post to schedule: a fixed permutation of the posts, so that due times arrive in no
  /// particular order, as they would from many users.
  [[nodiscard]] std::size_t nth_scheduled(std::size_t k) const { return (k * stride_) % size(); }

  /// The post number a feed entry starts with; nullopt if it starts with none.
  static std::optional<std::size_t> number_of(std::string_view text) {
    std::size_t number = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
    if (error != std::errc{} || end == text.data()) return std::nullopt;
    return number;
  }

 private:
  static std::size_t coprime_stride(std::size_t n) {
    std::size_t stride = n / 2 + 7919;
    while (std::gcd(stride, n) != 1) ++stride;
    return stride;
  }

  settings settings_;
  timeline when_;
  std::size_t stride_;
};

}  // namespace timed_notifications_bench

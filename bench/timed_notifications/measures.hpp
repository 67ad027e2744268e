#pragma once
// What a run measures: delivery lateness (every peer records each delivery here), the check of
// every feed at the end, and the result a peer's process hands back.

#include "workload.hpp"

#include <boost/hana/accessors.hpp>
#include <boost/hana/define_struct.hpp>
#include <boost/hana/for_each.hpp>
#include <boost/hana/pair.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace timed_notifications_bench {

/// Lateness in whole milliseconds, one bucket per millisecond up to about 4.4 minutes (later
/// ones count in the last bucket; the maximum is kept exactly). Thread-safe: deliveries are
/// recorded by several writer threads at once.
class lateness_histogram {
 public:
  void record(std::int64_t lateness_ms) noexcept {
    const auto value = static_cast<std::uint64_t>(std::max<std::int64_t>(lateness_ms, 0));
    counts_[std::min<std::uint64_t>(value, bucket_count - 1)].fetch_add(1, std::memory_order_relaxed);
    total_.fetch_add(1, std::memory_order_relaxed);
    std::uint64_t seen = max_.load(std::memory_order_relaxed);
    while (value > seen && !max_.compare_exchange_weak(seen, value, std::memory_order_relaxed)) {
    }
  }

  [[nodiscard]] std::uint64_t total() const noexcept { return total_.load(std::memory_order_relaxed); }
  [[nodiscard]] double max() const noexcept { return static_cast<double>(max_.load(std::memory_order_relaxed)); }

  /// The q-quantile of the histograms `parts` together, in milliseconds.
  [[nodiscard]] static double quantile(double q, std::initializer_list<const lateness_histogram*> parts) noexcept {
    std::uint64_t total = 0;
    for (const auto* part : parts) total += part->total();
    if (total == 0) return 0;
    const auto rank = static_cast<std::uint64_t>(q * static_cast<double>(total - 1)) + 1;
    std::uint64_t seen = 0;
    for (std::size_t bucket = 0; bucket < bucket_count; ++bucket) {
      for (const auto* part : parts) seen += part->counts_[bucket].load(std::memory_order_relaxed);
      if (seen >= rank) return static_cast<double>(bucket);
    }
    return static_cast<double>(bucket_count - 1);
  }

  [[nodiscard]] static double max(std::initializer_list<const lateness_histogram*> parts) noexcept {
    double max = 0;
    for (const auto* part : parts) max = std::max(max, part->max());
    return max;
  }

 private:
  static constexpr std::size_t bucket_count = std::size_t{1} << 18;
  std::array<std::atomic<std::uint64_t>, bucket_count> counts_{};
  std::atomic<std::uint64_t> total_{0};
  std::atomic<std::uint64_t> max_{0};
};

/// Every delivery of a run, as wall clock now - due time when the peer hands the post to its
/// feed, in three parts: the burst; the other posts due while the peer ran (before the last tick
/// before the stop); and the posts that wait through the stop (the backlog), whose lateness is
/// the stop's rather than the peer's.
class deliveries {
 public:
  void expect(const timeline& when) noexcept { when_ = when; }

  void record(std::int64_t due_millis) noexcept { part_of(due_millis).record(wall_millis() - due_millis); }

  [[nodiscard]] std::uint64_t total() const noexcept { return steady_.total() + burst_.total() + after_stop_.total(); }

  [[nodiscard]] double while_running(double q) const noexcept { return lateness_histogram::quantile(q, {&steady_, &burst_}); }
  [[nodiscard]] double while_running_max() const noexcept { return lateness_histogram::max({&steady_, &burst_}); }
  [[nodiscard]] double steady(double q) const noexcept { return lateness_histogram::quantile(q, {&steady_}); }
  [[nodiscard]] double all(double q) const noexcept {
    return lateness_histogram::quantile(q, {&steady_, &burst_, &after_stop_});
  }
  [[nodiscard]] double all_max() const noexcept { return lateness_histogram::max({&steady_, &burst_, &after_stop_}); }

 private:
  lateness_histogram& part_of(std::int64_t due_millis) noexcept {
    if (due_millis >= when_.last_tick_before_stop) return after_stop_;
    if (due_millis >= when_.burst_due && due_millis < when_.burst_due + 1000) return burst_;
    return steady_;
  }

  timeline when_{};
  lateness_histogram steady_;
  lateness_histogram burst_;
  lateness_histogram after_stop_;
};

/// The one recorder of the process: a peer's process runs one peer.
inline deliveries& recorded_deliveries() {
  static deliveries instance;
  return instance;
}

/// The check of every feed at the end: each post must be in its user's feed exactly once.
class feed_tally {
 public:
  explicit feed_tally(const workload& w) : workload_(w), seen_(w.size(), 0) {}

  /// One feed entry of `user`.
  void count(std::size_t user, std::string_view text) {
    const auto number = workload::number_of(text);
    if (!number || *number >= seen_.size() || workload_.user_of(*number) != user) {
      ++misdelivered_;
      return;
    }
    if (seen_[*number]++ != 0) ++duplicated_;
  }

  [[nodiscard]] std::uint64_t duplicated() const { return duplicated_; }
  [[nodiscard]] std::uint64_t misdelivered() const { return misdelivered_; }
  [[nodiscard]] std::uint64_t lost() const {
    return static_cast<std::uint64_t>(std::count(seen_.begin(), seen_.end(), 0));
  }

 private:
  const workload& workload_;
  std::vector<std::uint32_t> seen_;
  std::uint64_t duplicated_ = 0;
  std::uint64_t misdelivered_ = 0;
};

/// What a peer's process reports, one line: "result name=value ...".
struct peer_result {
  BOOST_HANA_DEFINE_STRUCT(peer_result,
    (double, posts),
    (double, schedule_seconds),      // first schedule sent to last one acked
    (double, schedule_overrun_ms),   // > 0: scheduling ended after the first post was due
    (double, running_p50_ms),        // lateness of the posts due while the peer ran (burst included)
    (double, running_p99_ms),
    (double, running_max_ms),
    (double, steady_p99_ms),         // the same without the burst
    (double, all_p50_ms),            // lateness of every post, the backlog included
    (double, all_p99_ms),
    (double, all_max_ms),
    (double, backlog),               // posts pending at the restart
    (double, drain_seconds),         // restart to nothing pending
    (double, peak_rss_kib),
    (double, recorded),              // deliveries recorded: each post exactly once
    (double, lost),
    (double, duplicated),
    (double, misdelivered));

  [[nodiscard]] double schedule_rate() const { return posts / schedule_seconds; }
  [[nodiscard]] double drain_rate() const { return backlog / drain_seconds; }
  [[nodiscard]] bool exact() const { return lost == 0 && duplicated == 0 && misdelivered == 0 && recorded == posts; }
};

inline std::string to_line(const peer_result& result) {
  std::ostringstream line;
  line.precision(17);
  line << "result";
  boost::hana::for_each(boost::hana::accessors<peer_result>(), [&](auto field) {
    line << ' ' << boost::hana::to<const char*>(boost::hana::first(field)) << '='
         << boost::hana::second(field)(result);
  });
  return line.str();
}

inline peer_result from_line(const std::string& line) {
  std::istringstream in{line};
  std::string word;
  in >> word;
  if (word != "result") throw std::runtime_error("not a result line: " + line);
  peer_result result{};
  boost::hana::for_each(boost::hana::accessors<peer_result>(), [&](auto field) {
    const std::string name = boost::hana::to<const char*>(boost::hana::first(field));
    if (!(in >> word) || !word.starts_with(name + "="))
      throw std::runtime_error("result line without " + name + ": " + line);
    boost::hana::second(field)(result) = std::stod(word.substr(name.size() + 1));
  });
  return result;
}

}  // namespace timed_notifications_bench

#pragma once
// Per-task metrics: what cluster::metrics() returns, the Prometheus text rendering of it, and the
// statistics a worker keeps to produce them.

#include <algorithm>
#include <array>
#include <bit>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace sluice {

/// One task of one module, as of the moment metrics() was called.
struct task_metrics {
  std::string module;
  std::uint32_t task = 0;
  std::size_t queue_depth = 0;          ///< events waiting
  std::size_t blocked_appends = 0;      ///< appends waiting for room in the queue (max_queued_appends)
  std::uint64_t events_processed = 0;   ///< appends, ticks and hop messages, failed ones included
  std::uint64_t failed_events = 0;      ///< handlers that threw, and events of failed commits
  std::uint64_t commits = 0;            ///< write transactions committed (rounds of group commit)
  double mean_batch_size = 0;           ///< events per commit (commits of bookkeeping only aside)
  std::size_t max_batch_size = 0;
  std::chrono::microseconds latency_p50{0};  ///< enqueue to commit; p50 and p99 are bucket bounds
  std::chrono::microseconds latency_p99{0};
  std::chrono::microseconds latency_max{0};
  std::chrono::microseconds latency_total{0};  ///< summed over events_processed events, for averages
  std::size_t outbox_size = 0;          ///< hop messages sent and not yet known to be applied
};

struct cluster_metrics {
  std::vector<task_metrics> tasks;  ///< by module in launch order, then by task
};

}  // namespace sluice

namespace sluice::runtime::detail {

// A histogram of latencies in microseconds with four buckets per power of two: quantiles within
// 25%, in a fixed 2 KiB, with no allocation. Not thread-safe.
class latency_histogram {
 public:
  void record(std::chrono::microseconds latency) noexcept {
    const auto micros = static_cast<std::uint64_t>(std::max<std::int64_t>(latency.count(), 0));
    ++counts_[bucket_of(micros)];
    ++total_;
    sum_ += micros;
    max_ = std::max(max_, micros);
  }

  // The upper bound of the bucket holding the q-quantile, never above the maximum seen.
  [[nodiscard]] std::chrono::microseconds quantile(double q) const noexcept {
    if (total_ == 0) return std::chrono::microseconds{0};
    const auto rank = static_cast<std::uint64_t>(q * static_cast<double>(total_ - 1)) + 1;
    std::uint64_t seen = 0;
    for (std::size_t bucket = 0; bucket < bucket_count; ++bucket) {
      seen += counts_[bucket];
      if (seen >= rank) return as_micros(std::min(upper_bound(bucket), max_));
    }
    return as_micros(max_);
  }

  [[nodiscard]] std::chrono::microseconds max() const noexcept { return as_micros(max_); }
  [[nodiscard]] std::chrono::microseconds sum() const noexcept { return as_micros(sum_); }

 private:
  static constexpr std::size_t sub_buckets = 4;
  static constexpr std::size_t bucket_count = sub_buckets * 63;

  // Values below 4 have a bucket each; above, the leading bit picks the power of two and the
  // next two bits the quarter of it.
  static std::size_t bucket_of(std::uint64_t micros) noexcept {
    if (micros < sub_buckets) return static_cast<std::size_t>(micros);
    const auto exponent = static_cast<std::size_t>(std::bit_width(micros)) - 1;
    const auto quarter = static_cast<std::size_t>(micros >> (exponent - 2)) & (sub_buckets - 1);
    return sub_buckets * (exponent - 1) + quarter;
  }

  static std::uint64_t upper_bound(std::size_t bucket) noexcept {
    if (bucket < sub_buckets) return bucket;
    const std::size_t exponent = bucket / sub_buckets + 1;
    const std::uint64_t quarter = bucket % sub_buckets;
    return ((sub_buckets + quarter + 1) << (exponent - 2)) - 1;
  }

  static std::chrono::microseconds as_micros(std::uint64_t micros) noexcept {
    return std::chrono::microseconds{static_cast<std::int64_t>(micros)};
  }

  std::array<std::uint64_t, bucket_count> counts_{};
  std::uint64_t total_ = 0;
  std::uint64_t sum_ = 0;
  std::uint64_t max_ = 0;
};

// What one task's worker records after each round. Thread-safe: the worker writes, anyone reads.
class task_statistics {
 public:
  struct round_summary {
    std::size_t events = 0;  // user-facing events, prunes excluded
    std::size_t failed = 0;
    bool committed = false;
    std::ptrdiff_t outbox_change = 0;
  };

  // `latencies` are those of the round's user-facing events.
  void record_round(const round_summary& round, const std::vector<std::chrono::microseconds>& latencies) {
    std::lock_guard lock{mutex_};
    events_ += round.events;
    failed_ += round.failed;
    outbox_size_ = static_cast<std::size_t>(static_cast<std::ptrdiff_t>(outbox_size_) + round.outbox_change);
    for (auto latency : latencies) latency_.record(latency);
    if (!round.committed) return;
    ++commits_;
    if (round.events == 0) return;  // a round of bookkeeping only says nothing of batching
    ++batches_;
    batched_events_ += round.events;
    max_batch_ = std::max(max_batch_, round.events);
  }

  void set_outbox_size(std::size_t size) {
    std::lock_guard lock{mutex_};
    outbox_size_ = size;
  }

  // Fills in everything but the module, the task and what its queue holds.
  void fill(task_metrics& out) const {
    std::lock_guard lock{mutex_};
    out.events_processed = events_;
    out.failed_events = failed_;
    out.commits = commits_;
    out.mean_batch_size = batches_ == 0 ? 0.0 : static_cast<double>(batched_events_) / static_cast<double>(batches_);
    out.max_batch_size = max_batch_;
    out.latency_p50 = latency_.quantile(0.5);
    out.latency_p99 = latency_.quantile(0.99);
    out.latency_max = latency_.max();
    out.latency_total = latency_.sum();
    out.outbox_size = outbox_size_;
  }

 private:
  mutable std::mutex mutex_;
  std::uint64_t events_ = 0;
  std::uint64_t failed_ = 0;
  std::uint64_t commits_ = 0;
  std::uint64_t batches_ = 0;  // commits with at least one user-facing event
  std::uint64_t batched_events_ = 0;
  std::size_t max_batch_ = 0;
  std::size_t outbox_size_ = 0;
  latency_histogram latency_;
};

// A label value in the Prometheus text format: backslash, double quote and newline escaped.
inline void append_label_value(std::string& out, std::string_view value) {
  for (const char c : value) {
    if (c == '\\' || c == '"') out.push_back('\\');
    if (c == '\n') {
      out.append("\\n");
      continue;
    }
    out.push_back(c);
  }
}

inline std::string format_number(double value) {
  std::string text = std::to_string(value);
  text.erase(text.find_last_not_of('0') + 1);  // 2.500000 -> 2.5, 3.000000 -> 3.
  if (text.back() == '.') text.pop_back();
  return text;
}

inline double seconds(std::chrono::microseconds micros) { return static_cast<double>(micros.count()) / 1e6; }

inline void append_header(std::string& out, std::string_view name, std::string_view type, std::string_view help) {
  out.append("# HELP ").append(name).append(" ").append(help).append("\n");
  out.append("# TYPE ").append(name).append(" ").append(type).append("\n");
}

// One sample per task: name{module="...",task="..."[,extra]} value.
template <class Value>
void append_samples(std::string& out, const cluster_metrics& metrics, std::string_view name, Value value,
                    std::string_view extra_label = {}) {
  for (const task_metrics& task : metrics.tasks) {
    out.append(name).append("{module=\"");
    append_label_value(out, task.module);
    out.append("\",task=\"").append(std::to_string(task.task)).append("\"");
    if (!extra_label.empty()) out.append(",").append(extra_label);
    out.append("} ").append(format_number(static_cast<double>(value(task)))).append("\n");
  }
}

template <class Value>
void append_family(std::string& out, const cluster_metrics& metrics, std::string_view name, std::string_view type,
                   std::string_view help, Value value) {
  append_header(out, name, type, help);
  append_samples(out, metrics, name, value);
}

}  // namespace sluice::runtime::detail

namespace sluice {

/// The metrics in the Prometheus text exposition format, labelled by module and task.
inline std::string to_prometheus(const cluster_metrics& metrics) {
  using runtime::detail::append_family;
  using runtime::detail::seconds;
  std::string out;
  append_family(out, metrics, "sluice_queue_depth", "gauge", "Events waiting in the task's queue.",
                [](const task_metrics& t) { return t.queue_depth; });
  append_family(out, metrics, "sluice_blocked_appends", "gauge",
                "Appends waiting for room in the task's queue, which holds max_queued_appends at most.",
                [](const task_metrics& t) { return t.blocked_appends; });
  append_family(out, metrics, "sluice_events_processed_total", "counter",
                "Appends, ticks and hop messages processed, failed ones included.",
                [](const task_metrics& t) { return t.events_processed; });
  append_family(out, metrics, "sluice_failed_events_total", "counter", "Events whose handler or commit failed.",
                [](const task_metrics& t) { return t.failed_events; });
  append_family(out, metrics, "sluice_commits_total", "counter", "Write transactions committed.",
                [](const task_metrics& t) { return t.commits; });
  append_family(out, metrics, "sluice_batch_size_mean", "gauge", "Events per commit, on average.",
                [](const task_metrics& t) { return t.mean_batch_size; });
  append_family(out, metrics, "sluice_batch_size_max", "gauge", "The most events in one commit.",
                [](const task_metrics& t) { return t.max_batch_size; });
  append_family(out, metrics, "sluice_outbox_size", "gauge", "Hop messages not yet known to be applied.",
                [](const task_metrics& t) { return t.outbox_size; });
  constexpr std::string_view latency = "sluice_event_latency_seconds";
  runtime::detail::append_header(out, latency, "summary", "Time from enqueue to commit.");
  runtime::detail::append_samples(out, metrics, latency, [](const task_metrics& t) { return seconds(t.latency_p50); },
                                  "quantile=\"0.5\"");
  runtime::detail::append_samples(out, metrics, latency, [](const task_metrics& t) { return seconds(t.latency_p99); },
                                  "quantile=\"0.99\"");
  runtime::detail::append_samples(out, metrics, "sluice_event_latency_seconds_sum",
                                  [](const task_metrics& t) { return seconds(t.latency_total); });
  runtime::detail::append_samples(out, metrics, "sluice_event_latency_seconds_count",
                                  [](const task_metrics& t) { return t.events_processed; });
  append_family(out, metrics, "sluice_event_latency_max_seconds", "gauge", "The slowest event, enqueue to commit.",
                [](const task_metrics& t) { return seconds(t.latency_max); });
  return out;
}

}  // namespace sluice

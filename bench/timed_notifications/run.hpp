#pragma once
// One run of the workload against one peer, the same steps for every peer:
//
//   start -> schedule every post (clients x window in flight) -> the posts come due and are
//   delivered -> stop at `stop_at` -> down for `stop` -> start again: the backlog drains ->
//   count every feed -> stop.
//
// A peer is a class with start(), stop(), nothing_pending(), count_feeds(feed_tally&),
// peak_rss_kib() and make_scheduler(), whose result has submit(const ScheduledPost&) and
// finish() (returns once every post it submitted is acknowledged).

#include "measures.hpp"
#include "workload.hpp"

#include <sys/resource.h>

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <deque>
#include <exception>
#include <future>
#include <latch>
#include <mutex>
#include <stop_token>
#include <string_view>
#include <thread>
#include <vector>

namespace timed_notifications_bench {

/// Schedules whose acknowledgements are futures, at most `limit` in flight: the oldest is waited
/// for before another is sent.
class future_window {
 public:
  explicit future_window(std::size_t limit) : limit_(limit) {}

  void add(std::future<void> acked) {
    if (in_flight_.size() == limit_) wait_oldest();
    in_flight_.push_back(std::move(acked));
  }

  void finish() {
    while (!in_flight_.empty()) wait_oldest();
  }

 private:
  void wait_oldest() {
    in_flight_.front().get();
    in_flight_.pop_front();
  }

  std::size_t limit_;
  std::deque<std::future<void>> in_flight_;
};

/// The peak resident set of this process, in KiB.
inline double own_peak_rss_kib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss);
}

inline void progress(std::string_view peer, const char* format, auto... values) {
  std::printf("%.*s: ", static_cast<int>(peer.size()), peer.data());
  std::printf(format, values...);
  std::printf("\n");
  std::fflush(stdout);
}

inline void sleep_until_wall(std::int64_t epoch_millis) {
  const std::int64_t left = epoch_millis - wall_millis();
  if (left > 0) std::this_thread::sleep_for(millis{left});
}

/// Calls on_tick(wall millis) every second from now, as a tick depot does, until `stop` is
/// requested (which ends the wait at once).
template <class OnTick>
void every_second(std::stop_token stop, OnTick on_tick) {
  std::mutex mutex;
  std::unique_lock lock{mutex};
  std::condition_variable_any stopped;
  for (auto next = std::chrono::steady_clock::now() + std::chrono::seconds{1};; next += std::chrono::seconds{1}) {
    stopped.wait_until(lock, stop, next, [] { return false; });
    if (stop.stop_requested()) return;
    on_tick(wall_millis());
  }
}

/// Schedules every post from `clients` threads, client c taking posts c, c + clients, ... of the
/// scheduling order; returns the seconds from the first submission to the last acknowledgement.
template <class Peer>
double schedule_all(Peer& peer, const workload& w, std::size_t clients) {
  std::latch ready{static_cast<std::ptrdiff_t>(clients) + 1};
  std::mutex failure_mutex;
  std::exception_ptr failure;
  std::vector<std::jthread> threads;
  for (std::size_t c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      try {
        auto scheduler = peer.make_scheduler();
        ready.arrive_and_wait();
        for (std::size_t k = c; k < w.size(); k += clients) scheduler.submit(w.post(w.nth_scheduled(k)));
        scheduler.finish();
      } catch (...) {
        std::lock_guard lock{failure_mutex};
        if (!failure) failure = std::current_exception();
      }
    });
  }
  ready.arrive_and_wait();
  const auto start = std::chrono::steady_clock::now();
  threads.clear();  // joins
  if (failure) std::rethrow_exception(failure);
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

/// Starts the peer and waits until nothing is pending; returns the seconds this took.
template <class Peer>
double restart_and_drain(Peer& peer) {
  const auto start = std::chrono::steady_clock::now();
  peer.start();
  while (!peer.nothing_pending()) std::this_thread::sleep_for(millis{10});
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

/// The first due time after the start of scheduling, when --lead is not given: enough for every
/// peer to schedule everything first on a small shared machine (at 15,000 posts a second), so
/// that scheduling and deliveries do not overlap. A peer that overruns it is reported.
inline millis default_lead(const settings& s) {
  return millis{5000 + static_cast<std::int64_t>(s.total() / 15)};
}

template <class Peer>
peer_result run_workload(std::string_view name, Peer& peer, const settings& s) {
  peer.start();
  const millis lead = s.lead.count() > 0 ? s.lead : default_lead(s);
  const workload w{s, timeline::starting(wall_millis() + lead.count(), s)};
  const timeline& when = w.when();
  deliveries& delivered = recorded_deliveries();
  delivered.expect(when);

  peer_result result{};
  result.posts = static_cast<double>(w.size());
  result.schedule_seconds = schedule_all(peer, w, s.clients);
  result.schedule_overrun_ms = static_cast<double>(std::max<std::int64_t>(0, wall_millis() - when.first_due));
  progress(name, "scheduled %zu posts in %.1f s (%.0f/s); first due in %.1f s", w.size(), result.schedule_seconds,
           result.schedule_rate(), static_cast<double>(when.first_due - wall_millis()) / 1000);

  sleep_until_wall(when.stop_at);
  peer.stop();
  result.backlog = result.posts - static_cast<double>(delivered.total());
  progress(name, "stopped with %.0f posts pending; down for %.0f s", result.backlog, s.stop.count() / 1000.0);
  sleep_until_wall(when.restart_at);
  result.drain_seconds = restart_and_drain(peer);
  progress(name, "restarted; the backlog drained in %.2f s (%.0f/s)", result.drain_seconds, result.drain_rate());

  feed_tally tally{w};
  peer.count_feeds(tally);
  peer.stop();
  result.running_p50_ms = delivered.while_running(0.5);
  result.running_p99_ms = delivered.while_running(0.99);
  result.running_max_ms = delivered.while_running_max();
  result.steady_p99_ms = delivered.steady(0.99);
  result.all_p50_ms = delivered.all(0.5);
  result.all_p99_ms = delivered.all(0.99);
  result.all_max_ms = delivered.all_max();
  result.peak_rss_kib = peer.peak_rss_kib();
  result.recorded = static_cast<double>(delivered.total());
  result.lost = static_cast<double>(tally.lost());
  result.duplicated = static_cast<double>(tally.duplicated());
  result.misdelivered = static_cast<double>(tally.misdelivered());
  return result;
}

}  // namespace timed_notifications_bench

#pragma once
// The queue of one worker: events for the tasks that worker owns, first in first out. Clients'
// depot appends are bounded per task, so that producers faster than the workers wait instead of
// growing memory; the runtime's own events (ticks, hop messages, prunes) never wait, since a
// worker that waited for room in a queue could wait for itself.

#include <sluice/runtime/event.hpp>

#include <algorithm>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <iterator>
#include <mutex>
#include <span>
#include <utility>
#include <variant>
#include <vector>

namespace sluice::runtime::detail {

// Thread-safe: any thread pushes, the owning worker pops. Events pushed by one thread keep their
// order, which hop delivery relies on (a target must see each source's messages in sequence).
class event_queue {
 public:
  // At most `append_limit` depot appends wait for any one task.
  event_queue(std::uint32_t task_count, std::size_t append_limit)
      : depth_(task_count, 0), appends_(task_count, 0), blocked_(task_count, 0), append_limit_(append_limit) {}

  event_queue(const event_queue&) = delete;
  event_queue& operator=(const event_queue&) = delete;

  // Appends `events` in order, moving from them; false, leaving them untouched, once closed.
  bool push(std::span<event> events) {
    {
      std::lock_guard lock{mutex_};
      if (closed_) return false;
      for (event& e : events) {
        count_in(e);
        events_.push_back(std::move(e));
      }
    }
    ready_.notify_one();
    return true;
  }

  // Appends a client's depot append once fewer than the limit of them wait for its task, moving
  // from it; false, leaving it untouched, once closed (also while waiting).
  bool push_append(event& append) {
    const std::uint32_t task = append.task;
    {
      std::unique_lock lock{mutex_};
      const auto may_go = [&] { return closed_ || appends_[task] < append_limit_; };
      if (!may_go()) {
        ++blocked_[task];
        room_.wait(lock, may_go);
        --blocked_[task];
      }
      if (closed_) return false;
      count_in(append);
      events_.push_back(std::move(append));
    }
    ready_.notify_one();
    return true;
  }

  // Waits for events, then moves up to `max` of them, oldest first, to the end of `out`. False
  // once closed, even if events remain: a stopping worker finishes only the batch it holds.
  bool pop_batch(std::size_t max, std::vector<event>& out) {
    std::unique_lock lock{mutex_};
    ready_.wait(lock, [&] { return closed_ || !events_.empty(); });
    if (closed_) return false;
    const auto count = static_cast<std::ptrdiff_t>(std::min(max, events_.size()));
    bool made_room = false;
    for (auto it = events_.begin(); it != events_.begin() + count; ++it) made_room |= count_out(*it);
    std::move(events_.begin(), events_.begin() + count, std::back_inserter(out));
    events_.erase(events_.begin(), events_.begin() + count);
    lock.unlock();
    if (made_room) room_.notify_all();
    return true;
  }

  // Refuses further pushes and wakes the worker; returns the events nobody will process.
  std::vector<event> close() {
    std::vector<event> left;
    {
      std::lock_guard lock{mutex_};
      closed_ = true;
      left.assign(std::make_move_iterator(events_.begin()), std::make_move_iterator(events_.end()));
      events_.clear();
      std::fill(depth_.begin(), depth_.end(), 0);
      std::fill(appends_.begin(), appends_.end(), 0);
    }
    ready_.notify_all();
    room_.notify_all();
    return left;
  }

  // Events waiting for `task`.
  [[nodiscard]] std::size_t depth(std::uint32_t task) const {
    std::lock_guard lock{mutex_};
    return depth_[task];
  }

  // Appends to `task` waiting for room in the queue.
  [[nodiscard]] std::size_t blocked_appends(std::uint32_t task) const {
    std::lock_guard lock{mutex_};
    return blocked_[task];
  }

 private:
  static bool is_append(const event& e) noexcept { return std::holds_alternative<depot_append>(e.body); }

  void count_in(const event& e) {
    ++depth_[e.task];
    if (is_append(e)) ++appends_[e.task];
  }

  // Whether `e` was a depot append, whose leaving makes room for another.
  bool count_out(const event& e) {
    --depth_[e.task];
    if (!is_append(e)) return false;
    --appends_[e.task];
    return true;
  }

  mutable std::mutex mutex_;
  std::condition_variable ready_;  // events to pop, or closed
  std::condition_variable room_;   // room for appends, or closed
  std::deque<event> events_;
  // Per task of the module; zero for tasks of other workers.
  std::vector<std::size_t> depth_;
  std::vector<std::size_t> appends_;  // depot appends among the queued events
  std::vector<std::size_t> blocked_;  // push_append calls waiting for room
  std::size_t append_limit_;
  bool closed_ = false;
};

}  // namespace sluice::runtime::detail

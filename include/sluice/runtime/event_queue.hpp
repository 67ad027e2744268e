#pragma once
// The queue of one worker: events for the tasks that worker owns, first in first out.

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
#include <vector>

namespace sluice::runtime::detail {

// Thread-safe: any thread pushes, the owning worker pops. Events pushed by one thread keep their
// order, which hop delivery relies on (a target must see each source's messages in sequence).
class event_queue {
 public:
  explicit event_queue(std::uint32_t task_count) : depth_(task_count, 0) {}

  event_queue(const event_queue&) = delete;
  event_queue& operator=(const event_queue&) = delete;

  // Appends `events` in order, moving from them; false, leaving them untouched, once closed.
  bool push(std::span<event> events) {
    {
      std::lock_guard lock{mutex_};
      if (closed_) return false;
      for (event& e : events) {
        ++depth_[e.task];
        events_.push_back(std::move(e));
      }
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
    for (auto it = events_.begin(); it != events_.begin() + count; ++it) --depth_[it->task];
    std::move(events_.begin(), events_.begin() + count, std::back_inserter(out));
    events_.erase(events_.begin(), events_.begin() + count);
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
    }
    ready_.notify_all();
    return left;
  }

  // Events waiting for `task`.
  [[nodiscard]] std::size_t depth(std::uint32_t task) const {
    std::lock_guard lock{mutex_};
    return depth_[task];
  }

 private:
  mutable std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<event> events_;
  std::vector<std::size_t> depth_;  // per task of the module; zero for tasks of other workers
  bool closed_ = false;
};

}  // namespace sluice::runtime::detail

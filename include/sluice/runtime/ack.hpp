#pragma once
// Acks: how long an append waits, and the in-memory count of work an append has caused that
// has not committed yet.

#include <cstddef>
#include <exception>
#include <future>
#include <memory>
#include <mutex>
#include <utility>

namespace sluice {

/// How long an append waits.
enum class ack_level {
  ack,         ///< until the record is durable and all processing it caused, across hops, committed
  append_ack,  ///< until the record is durable (its own transaction committed)
  none,        ///< not at all: returns once the record is queued
};

}  // namespace sluice

namespace sluice::runtime::detail {

// The progress of one append (or tick) toward its ack. It starts with one piece of work, the event
// itself; committing an event that sent hop messages adds one piece per message before finishing
// its own, and each hop handler that commits finishes one. The future is fulfilled when the count
// reaches zero, with the first failure if any piece failed.
//
// Kept in memory only: after a restart the hop messages re-sent from outboxes have nobody to
// tell. Thread-safe: the pieces finish on the workers of whichever tasks ran them.
class completion {
 public:
  // `follows_hops`: false for append_ack, which is done when the event itself commits.
  explicit completion(bool follows_hops) : follows_hops_(follows_hops) {}

  completion(const completion&) = delete;
  completion& operator=(const completion&) = delete;

  [[nodiscard]] bool follows_hops() const noexcept { return follows_hops_; }

  // Call once.
  [[nodiscard]] std::future<void> future() { return promise_.get_future(); }

  // `count` more pieces of work now depend on this completion. Call before finishing the piece
  // that caused them, so that the count cannot reach zero in between.
  void add_work(std::size_t count) {
    std::lock_guard lock{mutex_};
    outstanding_ += count;
  }

  // One piece of work committed, or failed with `failure`.
  //
  // The failure is moved into the promise, never copied: the worker keeps no reference of its
  // own to an exception the waiter may be reading.
  void finish_work(std::exception_ptr failure = nullptr) {
    std::unique_lock lock{mutex_};
    if (failure && !failure_) failure_ = std::move(failure);
    if (--outstanding_ != 0) return;
    std::exception_ptr outcome = std::move(failure_);
    lock.unlock();  // the count reaches zero once, so no other thread sets the promise
    if (outcome)
      promise_.set_exception(std::move(outcome));
    else
      promise_.set_value();
  }

 private:
  std::mutex mutex_;
  std::size_t outstanding_ = 1;
  std::exception_ptr failure_;
  std::promise<void> promise_;
  bool follows_hops_;
};

using completion_ptr = std::shared_ptr<completion>;

// What an event carries for its ack, and the future the appender waits on. `none` needs no
// completion: its future is ready at once.
struct pending_ack {
  completion_ptr completion;
  std::future<void> future;
};

inline pending_ack start_ack(ack_level level) {
  if (level == ack_level::none) {
    std::promise<void> done;
    done.set_value();
    return {nullptr, done.get_future()};
  }
  auto tracker = std::make_shared<completion>(level == ack_level::ack);
  auto future = tracker->future();
  return {std::move(tracker), std::move(future)};
}

}  // namespace sluice::runtime::detail

#pragma once
// A worker thread: takes batches of events from its queue and runs one round of group commit per
// task in the batch; after each commit it releases acks and delivers the round's hop messages.
// It can be paused between batches, when it holds no write transaction.

#include <sluice/runtime/clock.hpp>
#include <sluice/runtime/dispatcher.hpp>
#include <sluice/runtime/event.hpp>
#include <sluice/runtime/metrics.hpp>
#include <sluice/runtime/module_spec.hpp>
#include <sluice/runtime/options.hpp>
#include <sluice/runtime/round.hpp>
#include <sluice/runtime/task.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <thread>
#include <utility>
#include <vector>

namespace sluice::runtime::detail {

struct worker_settings {
  std::size_t max_batch;
  test_hooks hooks;
};

// Owns its thread: start() begins it, and it ends once its queue is closed and the batch in hand
// is finished; join() waits for that. The tasks, dispatcher, spec and clock outlive it.
class worker {
 public:
  worker(std::uint32_t index, const module_spec& spec, std::span<const std::unique_ptr<task>> tasks,
         dispatcher& dispatch, const cluster_clock& clock, worker_settings settings) noexcept
      : index_(index), spec_(spec), tasks_(tasks), dispatcher_(dispatch), clock_(clock), settings_(settings) {}

  worker(const worker&) = delete;
  worker& operator=(const worker&) = delete;
  ~worker() { join(); }

  void start() {
    thread_ = std::thread([this] { run(); });
  }

  void join() {
    if (thread_.joinable()) thread_.join();
  }

  // Whether the calling thread is this worker's; any thread may ask.
  [[nodiscard]] bool is_current_thread() const noexcept {
    return running_thread_.load(std::memory_order_relaxed) == std::this_thread::get_id();
  }

  // Returns once the worker is between batches, and keeps it there until the matching resume():
  // meanwhile its tasks have no write transaction open, and events wait in its queue. Pauses
  // nest. A paused worker cannot stop, so every pause() must be resumed before join().
  void pause() {
    std::unique_lock lock{gate_mutex_};
    ++pauses_;
    gate_.wait(lock, [&] { return !in_batch_; });
  }

  void resume() noexcept {
    {
      std::lock_guard lock{gate_mutex_};
      --pauses_;
    }
    gate_.notify_all();
  }

 private:
  void run() {
    running_thread_.store(std::this_thread::get_id(), std::memory_order_relaxed);
    std::vector<event> batch;
    while (dispatcher_.queue(index_).pop_batch(settings_.max_batch, batch)) {
      enter_batch();
      // One transaction per task, each task's events in the order they were queued.
      for_each_group(batch, [](const event& e) { return e.task; },
                     [&](std::uint32_t task, std::span<event> events) { run_round(*tasks_[task], events); });
      leave_batch();
      batch.clear();
    }
  }

  // Waits out a pause, then marks the worker busy until leave_batch().
  void enter_batch() {
    std::unique_lock lock{gate_mutex_};
    gate_.wait(lock, [&] { return pauses_ == 0; });
    in_batch_ = true;
  }

  void leave_batch() {
    {
      std::lock_guard lock{gate_mutex_};
      in_batch_ = false;
    }
    gate_.notify_all();
  }

  void run_round(task& owner, std::span<event> events) {
    round_result result = task_round{spec_, owner, clock_.now_millis()}.run(events);
    record_statistics(owner, events, result);
    if (!result.committed()) {
      for (event& e : events) fail_event(e, result.failure);
      return;
    }
    // Prunes go out before acks are released, so that an ack also means the prune is queued.
    if (settings_.hooks.prune_outbox) send_prunes(owner.index(), result);
    std::vector<event> deliveries;
    for (std::size_t i = 0; i < events.size(); ++i) settle(events[i], result.outcomes[i], deliveries);
    dispatcher_.dispatch(deliveries);
  }

  // Releases the event's ack, or hands it on to the hop messages the event sent.
  void settle(event& e, event_outcome& outcome, std::vector<event>& deliveries) const {
    const completion_ptr& ack = e.ack;
    const bool ack_follows = ack && ack->follows_hops();
    if (settings_.hooks.deliver_hops && !outcome.failure) {
      if (ack_follows) ack->add_work(outcome.sent.size());
      for (outbound_message& sent : outcome.sent)
        deliveries.push_back(event{
            .task = sent.target_task,
            .body = hop_delivery{e.task, sent.seq, sent.message.topology, sent.message.hop, std::move(sent.message.payload)},
            .ack = ack_follows ? ack : nullptr,
        });
    }
    if (ack) ack->finish_work(std::move(outcome.failure));
  }

  // Tells each source task how far its messages to `target` are applied.
  void send_prunes(std::uint32_t target, const round_result& result) const {
    std::vector<event> prunes;
    for (const auto& [source, seq] : result.applied)
      prunes.push_back(event{.task = source, .body = outbox_prune{target, seq}, .ack = nullptr});
    dispatcher_.dispatch(prunes);
  }

  static void record_statistics(task& owner, std::span<const event> events, const round_result& result) {
    const auto now = event::clock::now();
    task_statistics::round_summary summary{.committed = result.committed()};
    std::vector<std::chrono::microseconds> latencies;
    std::ptrdiff_t sent = 0;
    for (std::size_t i = 0; i < events.size(); ++i) {
      if (is_bookkeeping(events[i])) continue;
      ++summary.events;
      if (!result.committed() || result.outcomes[i].failure) ++summary.failed;
      sent += static_cast<std::ptrdiff_t>(result.outcomes[i].sent.size());
      latencies.push_back(std::chrono::duration_cast<std::chrono::microseconds>(now - events[i].enqueued));
    }
    if (result.committed()) summary.outbox_change = sent - static_cast<std::ptrdiff_t>(result.pruned);
    owner.statistics().record_round(summary, latencies);
  }

  std::uint32_t index_;
  const module_spec& spec_;
  std::span<const std::unique_ptr<task>> tasks_;
  dispatcher& dispatcher_;
  const cluster_clock& clock_;
  worker_settings settings_;
  std::mutex gate_mutex_;  // guards pauses_ and in_batch_
  std::condition_variable gate_;
  std::size_t pauses_ = 0;
  bool in_batch_ = false;
  std::thread thread_;
  // thread_'s id, stored by the thread itself before it runs anything: join() changes thread_
  // while others may ask, and only the worker's own thread needs to find its id here.
  std::atomic<std::thread::id> running_thread_{};
};

// Keeps a worker paused for as long as it lives.
class worker_pause {
 public:
  explicit worker_pause(worker& paused) : worker_(&paused) { paused.pause(); }
  worker_pause(worker_pause&& other) noexcept : worker_(std::exchange(other.worker_, nullptr)) {}
  worker_pause(const worker_pause&) = delete;
  worker_pause& operator=(const worker_pause&) = delete;
  worker_pause& operator=(worker_pause&&) = delete;
  ~worker_pause() {
    if (worker_) worker_->resume();
  }

 private:
  worker* worker_;
};

}  // namespace sluice::runtime::detail

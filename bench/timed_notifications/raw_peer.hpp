#pragma once
// Raw LMDB: the same work written by hand, with the same batching and durability as sluice.
//
// One environment per task, opened as sluice opens its own, with three databases: the log of
// scheduled posts (key: the big-endian offset), the pending items sorted by (due, offset), and the
// feeds, a list per user laid out as sluice lays out its subindexed list. Schedules are routed to
// tasks as hash_by routes them and queued to writer threads (task t on writer t % threads) that
// group-commit: up to 1000 queued requests per batch, one transaction per task, fsync at commit,
// then the acks. A ticker thread reads the time every second and queues a delivery to every task;
// a delivery takes the task's due items oldest first, at most 1000, appends each to its user's
// feed and deletes it, commits with fsync, and queues itself again if it found 1000.

#include "../raw_lmdb.hpp"
#include "measures.hpp"
#include "run.hpp"
#include "workload.hpp"

#include <sluice/codec/key_codec.hpp>
#include <sluice/codec/stable_hash.hpp>
#include <sluice/codec/value_codec.hpp>
#include <sluice/runtime/options.hpp>

#include <lmdb.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <future>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <tuple>
#include <utility>
#include <variant>
#include <vector>

namespace timed_notifications_bench {

namespace raw_detail {

using namespace raw_lmdb;

const std::size_t max_batch = sluice::cluster_options{}.max_batch;  // sluice's default group commit
constexpr std::size_t max_fetch = 1000;                              // the scheduler's default

/// A schedule on its way to a writer; the writer fulfils `acked` after the commit.
struct schedule_request {
  std::uint32_t task;
  std::int64_t due;
  std::string record;  // value-encoded ScheduledPost
  std::promise<void> acked;
};

/// Deliver what is due at `now` on `task`.
struct delivery_request {
  std::uint32_t task;
  std::int64_t now;
};

using request = std::variant<schedule_request, delivery_request>;

/// One task's environment and the writes its writer makes.
class task_store {
 public:
  explicit task_store(const std::filesystem::path& dir) : env_(open_env(dir)) {
    txn_ptr txn = begin_txn(env_.get(), 0);
    log_ = open_dbi(txn.get(), "log", MDB_CREATE);
    items_ = open_dbi(txn.get(), "items", MDB_CREATE);
    feeds_ = open_dbi(txn.get(), "feeds", MDB_CREATE);
    next_offset_ = last_offset(txn.get()) + 1;
    commit_txn(std::move(txn));
  }

  /// Logs the records and indexes their items, in one durable transaction.
  void schedule(std::span<schedule_request> group) {
    txn_ptr txn = begin_txn(env_.get(), 0);
    for (schedule_request& request : group) {
      const std::uint64_t offset = next_offset_++;
      key_.clear();
      sluice::codec::encode_key_to(key_, offset);
      put_entry(txn.get(), log_, key_, request.record);
      key_.clear();
      sluice::codec::encode_key_to(key_, std::tuple{request.due, static_cast<std::int64_t>(offset)});
      put_entry(txn.get(), items_, key_, request.record);
    }
    commit_txn(std::move(txn));
  }

  /// Delivers up to `max_fetch` items due at `now`, oldest first, in one durable transaction;
  /// returns how many.
  std::size_t deliver_due(std::int64_t now) {
    txn_ptr txn = begin_txn(env_.get(), 0);
    const cursor_ptr cursor = open_cursor(txn.get(), items_);
    std::size_t delivered = 0;
    MDB_val key{};
    MDB_val value{};
    // Each item delivered is deleted, so the next one is always the first.
    while (delivered < max_fetch) {
      const int rc = mdb_cursor_get(cursor.get(), &key, &value, MDB_FIRST);
      if (rc == MDB_NOTFOUND) break;
      check(rc, "mdb_cursor_get");
      const auto post = sluice::codec::decode_value<ScheduledPost>(as_view(value));
      if (post.time_millis > now) break;
      feed_value_.clear();
      sluice::codec::encode_value_to(feed_value_, post.post);
      feeds_list_.append(txn.get(), feeds_, post.id, feed_value_);
      check(mdb_cursor_del(cursor.get(), 0), "mdb_cursor_del");
      recorded_deliveries().record(post.time_millis);
      ++delivered;
    }
    commit_txn(std::move(txn));
    return delivered;
  }

  [[nodiscard]] bool nothing_pending() const {
    const txn_ptr txn = begin_txn(env_.get(), MDB_RDONLY);
    MDB_stat stat{};
    check(mdb_stat(txn.get(), items_, &stat), "mdb_stat");
    return stat.ms_entries == 0;
  }

  /// Every entry of `user`'s feed. Safe while the writer runs: it has buffers of its own.
  std::vector<std::string> feed(std::string_view user) const {
    nested_list list;
    const txn_ptr txn = begin_txn(env_.get(), MDB_RDONLY);
    const auto [head, size] = list.read_meta(txn.get(), feeds_, user);
    std::vector<std::string> entries;
    for (std::uint64_t i = 0; i < size; ++i) {
      MDB_val key = as_val(list.element_key(user, head + static_cast<std::int64_t>(i)));
      MDB_val value{};
      check(mdb_get(txn.get(), feeds_, &key, &value), "mdb_get");
      entries.push_back(sluice::codec::decode_value<std::string>(as_view(value)));
    }
    return entries;
  }

 private:
  // The offset of the last logged record; -1 (all ones) in an empty log.
  std::uint64_t last_offset(MDB_txn* txn) const {
    const cursor_ptr cursor = open_cursor(txn, log_);
    MDB_val key{};
    MDB_val value{};
    const int rc = mdb_cursor_get(cursor.get(), &key, &value, MDB_LAST);
    if (rc == MDB_NOTFOUND) return static_cast<std::uint64_t>(-1);
    check(rc, "mdb_cursor_get");
    return sluice::codec::decode_key<std::uint64_t>(as_view(key));
  }

  env_ptr env_;
  MDB_dbi log_ = 0;
  MDB_dbi items_ = 0;
  MDB_dbi feeds_ = 0;
  std::uint64_t next_offset_ = 0;  // the only writer keeps it
  nested_list feeds_list_;
  std::string key_;  // reused buffers
  std::string feed_value_;
};

}  // namespace raw_detail

class raw_peer {
 public:
  raw_peer(std::filesystem::path dir, const settings& s) : dir_(std::move(dir)), settings_(s) {}

  void start() { running_ = std::make_unique<running>(dir_, settings_); }
  void stop() { running_.reset(); }

  [[nodiscard]] bool nothing_pending() const {
    return std::ranges::all_of(running_->tasks, [](const auto& task) { return task->nothing_pending(); });
  }

  void count_feeds(feed_tally& tally) const {
    for (std::size_t user = 0; user < settings_.users; ++user) {
      const std::string name = user_name(user);
      for (const std::string& text : running_->tasks[running_->task_of(name)]->feed(name)) tally.count(user, text);
    }
  }

  [[nodiscard]] static double peak_rss_kib() { return own_peak_rss_kib(); }

  /// A client with up to `window` schedules in flight, each acked once durable.
  class scheduler {
   public:
    scheduler(raw_peer& peer, std::size_t window) : peer_(peer), window_(window) {}
    void submit(const ScheduledPost& post) { window_.add(peer_.running_->schedule(post)); }
    void finish() { window_.finish(); }

   private:
    raw_peer& peer_;
    future_window window_;
  };

  [[nodiscard]] scheduler make_scheduler() { return {*this, settings_.window}; }

 private:
  using request = raw_detail::request;
  using queue = raw_lmdb::request_queue<request>;

  /// The environments, writers and ticker of one start; destroyed at a stop: the ticker stops,
  /// each writer finishes the batch in hand, the environments close.
  class running {
   public:
    running(const std::filesystem::path& dir, const settings& s) : queues_(s.threads) {
      for (std::uint32_t t = 0; t < s.tasks; ++t) {
        const std::filesystem::path task_dir = dir / ("task-" + std::to_string(t));
        std::filesystem::create_directories(task_dir);
        tasks.push_back(std::make_unique<raw_detail::task_store>(task_dir));
      }
      for (std::uint32_t w = 0; w < s.threads; ++w) writers_.emplace_back([this, w] { write(queues_[w]); });
      ticker_ = std::jthread{[this](std::stop_token stop) { tick(stop); }};
    }

    running(const running&) = delete;
    running& operator=(const running&) = delete;

    ~running() {
      ticker_ = {};  // asks it to stop, and joins
      for (queue& q : queues_) q.close();
      writers_.clear();  // joins
    }

    [[nodiscard]] std::uint32_t task_of(const std::string& user) const {
      return static_cast<std::uint32_t>(sluice::codec::key_hash(user) % tasks.size());
    }

    std::future<void> schedule(const ScheduledPost& post) {
      const std::uint32_t task = task_of(post.id);
      raw_detail::schedule_request r{task, post.time_millis, sluice::codec::encode_value(post), {}};
      std::future<void> acked = r.acked.get_future();
      queue_of(task).push(std::move(r));
      return acked;
    }

    std::vector<std::unique_ptr<raw_detail::task_store>> tasks;

   private:
    queue& queue_of(std::uint32_t task) { return queues_[task % queues_.size()]; }

    // Every second from the start, as sluice's tick depot.
    void tick(std::stop_token stop) {
      every_second(stop, [&](std::int64_t now) {
        for (std::uint32_t t = 0; t < tasks.size(); ++t) queue_of(t).push(raw_detail::delivery_request{t, now});
      });
    }

    // A writer's loop: each batch's schedules are split by task, one transaction per task, each
    // task's in the order they were queued; then each delivery in turn.
    void write(queue& q) {
      std::vector<request> batch;
      std::vector<raw_detail::schedule_request> schedules;
      while (q.pop_batch(raw_detail::max_batch, batch)) {
        schedules.clear();
        for (request& r : batch)
          if (auto* s = std::get_if<raw_detail::schedule_request>(&r)) schedules.push_back(std::move(*s));
        std::ranges::stable_sort(schedules, {}, &raw_detail::schedule_request::task);
        for (auto first = schedules.begin(); first != schedules.end();) {
          const auto last = std::find_if(first, schedules.end(), [&](const auto& r) { return r.task != first->task; });
          commit_and_ack({first, last});
          first = last;
        }
        for (const request& r : batch)
          if (const auto* d = std::get_if<raw_detail::delivery_request>(&r)) deliver(q, *d);
      }
    }

    void commit_and_ack(std::span<raw_detail::schedule_request> group) {
      std::exception_ptr failure;
      try {
        tasks[group.front().task]->schedule(group);
      } catch (...) {
        failure = std::current_exception();
      }
      for (auto& r : group) failure ? r.acked.set_exception(failure) : r.acked.set_value();
    }

    // A full batch means more may be due: the rest waits behind what is queued meanwhile.
    void deliver(queue& q, const raw_detail::delivery_request& d) {
      if (tasks[d.task]->deliver_due(d.now) == raw_detail::max_fetch) q.push(d);
    }

    std::vector<queue> queues_;
    std::vector<std::jthread> writers_;
    std::jthread ticker_;  // last: it stops and joins first
  };

  std::filesystem::path dir_;
  settings settings_;
  std::unique_ptr<running> running_;
};

}  // namespace timed_notifications_bench

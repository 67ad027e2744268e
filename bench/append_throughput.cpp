// Acked append throughput: a one-step sluice module against hand-written LMDB code that makes the
// same depot and counter writes with the same group commit.
//
// The module has one depot of counter events, partitioned by key, and one stream topology that
// increments the event's counter: source(depot) -> local_transform(counts, key(k) += 1). Appenders
// call depot_client::append with the default ack level, so each call returns once the record and
// its processing have committed durably (fsync on, the default).
//
// The raw side is what a careful programmer would write by hand for the same job: appenders queue
// requests to as many writer threads as sluice has workers, routed to the same tasks by the same
// hash; each writer takes up to the same max batch, and for each task in it runs one LMDB write
// transaction that stores every record at the task's next depot offset and updates its counter
// (get + put), commits with fsync, then wakes that task's appenders through a promise each. One
// environment per task, opened as sluice opens its own. Before timing, a check proves both sides
// store the same depot and counter entries.
//
// One harness runs N appender threads against a submit(record) function per side. Each run of a
// cell (appenders x worker threads) opens both sides on fresh directories and the appenders switch
// between them every half second, so that both meet the same load on a shared disk. The program
// prints every run, then a markdown table of the medians.

#include "../tests/support/temp_dir.hpp"  // a temporary directory, removed with its contents
#include "raw_lmdb.hpp"

#include <sluice/sluice.hpp>

#include <CLI/CLI.hpp>
#include <boost/hana/define_struct.hpp>
#include <lmdb.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <functional>
#include <future>
#include <iostream>
#include <memory>
#include <mutex>
#include <regex>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace {

using namespace sluice::literals;
using sluice::path;
using sluice_test::temp_dir;

constexpr double goal_ratio = 0.7;               // sluice / raw, at the goal's appender count
constexpr std::size_t goal_appenders = 64;
constexpr std::string_view benchmark_name = "append_throughput";  // what --benchmark_filter matches

// ---- the workload ----------------------------------------------------------------------------

struct CounterEvent {
  BOOST_HANA_DEFINE_STRUCT(CounterEvent,
    (std::string, key),    // the counter to increment, also the partitioning key
    (std::int64_t, seq));  // the appender's running count, so that records differ
};

struct CounterModule {
  static constexpr std::string_view name = "append-throughput";
  static constexpr auto events = sluice::depot<"*events", CounterEvent>(sluice::hash_by<&CounterEvent::key>);
  static constexpr auto counts = sluice::pstate<"$$counts", sluice::map_schema<std::string, std::int64_t>>;

  void define(sluice::setup& setup, sluice::topologies& topologies) const {
    setup.declare(events);
    auto& core = topologies.stream("core");
    core.declare(counts);
    core.add(sluice::source(events).out("*event"_v)
        .each(sluice::get<"key">, "*event"_v).out("*key"_v)
        .local_transform(counts, path::key("*key"_v).null_to_val(0).term([](std::int64_t n) { return n + 1; })));
  }
};

/// The counters appenders cycle through: "key:0042".
std::vector<std::string> make_keys(std::size_t count) {
  std::vector<std::string> keys(count);
  for (std::size_t i = 0; i < count; ++i) {
    const std::string number = std::to_string(i);
    keys[i] = "key:" + std::string(4 - std::min<std::size_t>(4, number.size()), '0') + number;
  }
  return keys;
}

/// The i-th event of appender `appender` out of `appenders`: the appenders take the keys in
/// turn, so that together they spread over every task from the start.
CounterEvent nth_event(const std::vector<std::string>& keys, std::size_t appender, std::size_t appenders,
                       std::size_t i) {
  return CounterEvent{keys[(appender + i * appenders) % keys.size()], static_cast<std::int64_t>(i)};
}

// ---- the harness -----------------------------------------------------------------------------

/// What appenders send to: returns once the append is acked.
using submit_fn = std::function<void(const CounterEvent&)>;

/// How a run shares its time between the sides. Fsync latency on a shared disk swings by an
/// order of magnitude within seconds, so the sides take turns in short slices: both meet the same
/// background load, and the ratio of two adjacent slices holds even when the absolute numbers
/// move.
struct schedule {
  std::chrono::milliseconds warmup;  // per side, unmeasured, before the first slice
  std::chrono::milliseconds slice;   // the appenders switch sides after each
  std::size_t slices;                // per side
};

struct side_throughput {
  double appends_per_second;            // acked for this side over the time of its slices
  std::vector<double> slice_throughput;  // the same, for each of its slices in turn
  std::uint64_t acked;                   // over the whole run, warm-up included
};

// Each appender counts on its own cache line: a shared counter would add contention of its own.
struct alignas(64) appender_progress {
  std::atomic<std::uint64_t> acked{0};
};

/// Runs `appenders` threads, each calling the active side's submit(event) in a loop, through a
/// warm-up of each side and then `slices` slices of each side in turn, `sides[first]` first. An
/// append counts for the slice it was sent in, even when its ack lands in the next side's slice;
/// the last ones are waited for. Rethrows the first exception an appender met.
std::vector<side_throughput> run_appenders(std::size_t appenders, const schedule& plan,
                                           const std::vector<std::string>& keys, std::span<const submit_fn> sides,
                                           std::size_t first) {
  const std::size_t side_count = sides.size();
  std::vector<appender_progress> progress(appenders * side_count);  // appender a, side s: a * side_count + s
  std::atomic<std::size_t> active{first};
  std::mutex failure_mutex;
  std::exception_ptr failure;
  const auto acked_by_side = [&] {
    std::vector<std::uint64_t> sums(side_count);
    for (std::size_t i = 0; i < progress.size(); ++i)
      sums[i % side_count] += progress[i].acked.load(std::memory_order_relaxed);
    return sums;
  };
  const auto in_turn = [&](std::size_t k) { return (first + k) % side_count; };

  std::vector<std::jthread> threads;  // on leaving, each is asked to stop and joined
  for (std::size_t a = 0; a < appenders; ++a) {
    threads.emplace_back([&, a](std::stop_token stop) {
      try {
        for (std::size_t i = 0; !stop.stop_requested(); ++i) {
          const std::size_t side = active.load(std::memory_order_relaxed);
          sides[side](nth_event(keys, a, appenders, i));
          progress[a * side_count + side].acked.fetch_add(1, std::memory_order_relaxed);
        }
      } catch (...) {
        std::lock_guard lock{failure_mutex};
        if (!failure) failure = std::current_exception();
      }
    });
  }
  for (std::size_t k = 0; k < side_count; ++k) {
    active = in_turn(k);
    std::this_thread::sleep_for(plan.warmup);
  }
  const std::size_t turns = plan.slices * side_count;
  std::vector<std::vector<std::uint64_t>> acked_at;  // at the start of each turn
  std::vector<std::chrono::duration<double>> turn_length;
  for (std::size_t k = 0; k < turns; ++k) {
    active = in_turn(k);
    acked_at.push_back(acked_by_side());
    const auto start = std::chrono::steady_clock::now();
    std::this_thread::sleep_for(plan.slice);
    turn_length.emplace_back(std::chrono::steady_clock::now() - start);
  }
  threads.clear();  // the appends in flight finish first, and count
  if (failure) std::rethrow_exception(failure);
  const std::vector<std::uint64_t> acked_at_end = acked_by_side();

  // A side's appends of turn k are those acked before its next turn begins.
  std::vector<side_throughput> out(side_count);
  std::vector<std::chrono::duration<double>> time_in(side_count);
  for (std::size_t k = 0; k < turns; ++k) {
    const std::size_t side = in_turn(k);
    const std::uint64_t until = k + side_count < turns ? acked_at[k + side_count][side] : acked_at_end[side];
    out[side].slice_throughput.push_back(static_cast<double>(until - acked_at[k][side]) / turn_length[k].count());
    time_in[side] += turn_length[k];
  }
  for (std::size_t side = 0; side < side_count; ++side) {
    out[side].acked = acked_at_end[side];
    out[side].appends_per_second = static_cast<double>(acked_at_end[side] - acked_at[0][side]) / time_in[side].count();
  }
  return out;
}

// ---- sluice ----------------------------------------------------------------------------------

using events_client = decltype(std::declval<const sluice::cluster&>().depot(CounterModule::events));

/// The module launched on a fresh cluster, with the default options: durable commits, acked
/// appends, sluice's default max batch.
class sluice_counter {
 public:
  sluice_counter(const std::filesystem::path& dir, std::uint32_t tasks, std::uint32_t threads)
      : cluster_(dir), events_(launch(cluster_, tasks, threads)), tasks_(tasks) {}

  void append(const CounterEvent& event) const { events_.append(event); }

  /// The sum of all counters: every acked append must be in it.
  [[nodiscard]] std::int64_t total_count() const {
    const auto counts = cluster_.pstate(CounterModule::counts);
    std::int64_t total = 0;
    for (std::uint32_t task = 0; task < tasks_; ++task)
      for (const std::int64_t count : counts.select(task, path::map_vals())) total += count;
    return total;
  }

  /// Events per commit, over the whole run. The module sends no hop messages, so every commit
  /// holds appends only.
  [[nodiscard]] double mean_batch_size() const {
    std::uint64_t events = 0;
    std::uint64_t commits = 0;
    for (const auto& task : cluster_.metrics().tasks) {
      events += task.events_processed;
      commits += task.commits;
    }
    return commits == 0 ? 0.0 : static_cast<double>(events) / static_cast<double>(commits);
  }

 private:
  static events_client launch(sluice::cluster& cluster, std::uint32_t tasks, std::uint32_t threads) {
    cluster.launch<CounterModule>({.tasks = tasks, .threads = threads});
    return cluster.depot(CounterModule::events);
  }

  sluice::cluster cluster_;
  events_client events_;
  std::uint32_t tasks_;
};

// ---- raw LMDB --------------------------------------------------------------------------------

// The same database names as sluice's layout (runtime/layout.hpp), so that the agreement check
// can compare the two sides database by database.
const std::string depot_database = "depot:" + std::string(CounterModule::events.name);
const std::string counts_database = "pstate:" + std::string(CounterModule::counts.name);
const std::size_t max_batch = sluice::cluster_options{}.max_batch;  // sluice's default, on both sides

using namespace raw_lmdb;  // checks, conversions, RAII handles, environments, the writer's queue

/// Calls fn(key, value) for every entry of `dbi`, in key order.
template <class Fn>
void for_each_entry(MDB_txn* txn, MDB_dbi dbi, Fn fn) {
  const cursor_ptr cursor = open_cursor(txn, dbi);
  MDB_val key{};
  MDB_val value{};
  int rc = mdb_cursor_get(cursor.get(), &key, &value, MDB_FIRST);
  for (; rc == MDB_SUCCESS; rc = mdb_cursor_get(cursor.get(), &key, &value, MDB_NEXT)) fn(as_view(key), as_view(value));
  if (rc != MDB_NOTFOUND) check(rc, "mdb_cursor_get");
}

/// An append on its way to a writer. The appender keeps the future of `committed`; the writer
/// fulfils it after the commit, the same wake-up sluice's acks use.
struct raw_request {
  std::uint32_t task;
  std::string key;     // the counter to increment
  std::string record;  // value-encoded, as a sluice depot stores it
  std::promise<void> committed;
};

/// One task: its environment with a depot database and a counter database.
class raw_task {
 public:
  explicit raw_task(const std::filesystem::path& dir) : env_(open_env(dir)) {
    txn_ptr txn = begin_txn(env_.get(), 0);
    depot_ = open_dbi(txn.get(), depot_database, MDB_CREATE);
    counts_ = open_dbi(txn.get(), counts_database, MDB_CREATE);
    commit_txn(std::move(txn));
  }

  /// Stores every request of `group` in one write transaction, committed with fsync.
  void commit_group(std::span<const raw_request> group) {
    txn_ptr txn = begin_txn(env_.get(), 0);
    std::uint64_t offset = next_offset_;
    for (const raw_request& request : group) {
      store_record(txn.get(), offset++, request.record);
      increment(txn.get(), request.key);
    }
    commit_txn(std::move(txn));
    next_offset_ = offset;
  }

  /// The sum of all counters, from a snapshot.
  [[nodiscard]] std::int64_t total_count() const {
    txn_ptr txn = begin_txn(env_.get(), MDB_RDONLY);
    std::int64_t total = 0;
    for_each_entry(txn.get(), counts_, [&](std::string_view, std::string_view value) {
      total += sluice::codec::decode_value<std::int64_t>(value);
    });
    return total;
  }

 private:
  // The depot key is the big-endian offset (sluice's key encoding of a uint64).
  void store_record(MDB_txn* txn, std::uint64_t offset, std::string_view record) {
    key_.clear();
    sluice::codec::encode_key_to(key_, offset);
    put_entry(txn, depot_, key_, record);
  }

  // The counter's key is a top-level map entry of pstate/layout.hpp: 01, then the encoded key.
  void increment(MDB_txn* txn, const std::string& counter) {
    key_.assign(1, '\x01');
    sluice::codec::encode_key_to(key_, counter);
    MDB_val key = as_val(key_);
    MDB_val old{};
    const int rc = mdb_get(txn, counts_, &key, &old);
    if (rc != MDB_NOTFOUND) check(rc, "mdb_get");
    const std::int64_t count = rc == MDB_NOTFOUND ? 0 : sluice::codec::decode_value<std::int64_t>(as_view(old));
    value_.clear();
    sluice::codec::encode_value_to(value_, count + 1);
    put_entry(txn, counts_, key_, value_);
  }

  env_ptr env_;
  MDB_dbi depot_ = 0;
  MDB_dbi counts_ = 0;
  std::uint64_t next_offset_ = 0;  // the only writer keeps it; a fresh environment starts at 0
  std::string key_;                // reused buffers
  std::string value_;
};

using raw_queue = request_queue<raw_request>;

/// The raw side: `threads` writers over `tasks` tasks, task t on writer t % threads, as sluice
/// assigns tasks to workers.
class raw_counter {
 public:
  raw_counter(const std::filesystem::path& dir, std::uint32_t tasks, std::uint32_t threads) : queues_(threads) {
    for (std::uint32_t t = 0; t < tasks; ++t) {
      const std::filesystem::path task_dir = dir / ("task-" + std::to_string(t));
      std::filesystem::create_directories(task_dir);
      tasks_.push_back(std::make_unique<raw_task>(task_dir));
    }
    for (std::uint32_t w = 0; w < threads; ++w) writers_.emplace_back([this, w] { write(queues_[w]); });
  }

  raw_counter(const raw_counter&) = delete;
  raw_counter& operator=(const raw_counter&) = delete;

  ~raw_counter() {
    for (raw_queue& queue : queues_) queue.close();
    writers_.clear();  // joins
  }

  /// Returns once the event's commit is durable. Routed as hash_by routes: key hash % tasks.
  void append(const CounterEvent& event) {
    const auto task = static_cast<std::uint32_t>(sluice::codec::key_hash(event.key) % tasks_.size());
    raw_request request{.task = task, .key = event.key, .record = sluice::codec::encode_value(event), .committed = {}};
    std::future<void> committed = request.committed.get_future();
    queues_[task % queues_.size()].push(std::move(request));
    committed.get();
  }

  [[nodiscard]] std::int64_t total_count() const {
    std::int64_t total = 0;
    for (const auto& task : tasks_) total += task->total_count();
    return total;
  }

  [[nodiscard]] double mean_batch_size() const {
    const auto commits = commits_.load();
    return commits == 0 ? 0.0 : static_cast<double>(appends_.load()) / static_cast<double>(commits);
  }

 private:
  // A writer's loop: each batch is split by task, one transaction per task, each task's requests
  // in the order they were queued; a group's appenders wake after its commit.
  void write(raw_queue& queue) {
    std::vector<raw_request> batch;
    while (queue.pop_batch(max_batch, batch)) {
      std::stable_sort(batch.begin(), batch.end(),
                       [](const raw_request& a, const raw_request& b) { return a.task < b.task; });
      for (auto first = batch.begin(); first != batch.end();) {
        const auto last = std::find_if(first, batch.end(), [&](const raw_request& r) { return r.task != first->task; });
        commit_and_wake({first, last});
        first = last;
      }
    }
  }

  void commit_and_wake(std::span<raw_request> group) {
    std::exception_ptr failure;
    try {
      tasks_[group.front().task]->commit_group(group);
      commits_.fetch_add(1, std::memory_order_relaxed);
      appends_.fetch_add(group.size(), std::memory_order_relaxed);
    } catch (...) {
      failure = std::current_exception();
    }
    for (raw_request& request : group) {
      if (failure)
        request.committed.set_exception(failure);
      else
        request.committed.set_value();
    }
  }

  std::vector<std::unique_ptr<raw_task>> tasks_;
  std::vector<raw_queue> queues_;
  std::atomic<std::uint64_t> commits_{0};
  std::atomic<std::uint64_t> appends_{0};
  std::vector<std::jthread> writers_;  // last: they stop and join before the rest goes
};

// ---- both sides agree ------------------------------------------------------------------------

using entries = std::vector<std::pair<std::string, std::string>>;

/// Every entry of the database `name` in the (closed) environment `dir`.
entries read_database(const std::filesystem::path& dir, const std::string& name) {
  const env_ptr env = open_env(dir, MDB_RDONLY);
  const txn_ptr txn = begin_txn(env.get(), MDB_RDONLY);
  entries out;
  for_each_entry(txn.get(), open_dbi(txn.get(), name, 0),
                 [&](std::string_view key, std::string_view value) { out.emplace_back(key, value); });
  return out;
}

/// Appends the same events one at a time on both sides, then requires every task's depot and
/// counter entries to be the same bytes: otherwise the timings would compare different work.
void check_sides_agree(std::uint32_t tasks, const std::vector<std::string>& keys) {
  constexpr std::size_t events = 100;
  const temp_dir sluice_dir;
  const temp_dir raw_dir;
  {
    sluice_counter ours{sluice_dir.path(), tasks, 1};
    raw_counter raw{raw_dir.path(), tasks, 1};
    for (std::size_t i = 0; i < events; ++i) {
      const CounterEvent event = nth_event(keys, 0, 1, i);
      ours.append(event);
      raw.append(event);
    }
  }
  for (std::uint32_t t = 0; t < tasks; ++t) {
    const std::string task = "task-" + std::to_string(t);
    for (const std::string& database : {depot_database, counts_database})
      if (read_database(sluice_dir / std::string(CounterModule::name) / task, database) !=
          read_database(raw_dir / task, database))
        throw std::logic_error("the raw LMDB code and sluice disagree on " + database + " of " + task);
  }
}

// ---- the matrix ------------------------------------------------------------------------------

struct settings {
  std::vector<std::size_t> appenders{1, 4, 64};
  std::vector<std::uint32_t> threads{1, 2};
  std::uint32_t tasks = 4;
  std::size_t keys = 1024;
  double seconds = 2.0;  // measured, per side and run
  double slice_seconds = 0.5;
  double warmup_seconds = 0.5;
  int repetitions = 5;

  [[nodiscard]] schedule run_schedule() const {
    const auto millis = [](double s) { return std::chrono::milliseconds{static_cast<std::int64_t>(s * 1000)}; };
    const auto slices = static_cast<std::size_t>(std::max(1.0, std::round(seconds / slice_seconds)));
    return {millis(warmup_seconds), millis(slice_seconds), slices};
  }
};

struct cell {
  std::size_t appenders;
  std::uint32_t threads;
};

/// One run of one cell: both sides, each on a fresh directory.
struct run_result {
  double raw_rate;  // acked appends per second, over the run
  double our_rate;
  double raw_batch;  // mean appends per commit
  double our_batch;
  std::vector<double> slice_ratios;  // sluice / raw, for each pair of adjacent slices
};

/// The q-quantile of `values`, interpolating between neighbours.
double quantile(std::vector<double> values, double q) {
  std::sort(values.begin(), values.end());
  const double position = q * static_cast<double>(values.size() - 1);
  const auto below = static_cast<std::size_t>(position);
  const std::size_t above = std::min(below + 1, values.size() - 1);
  return values[below] + (position - static_cast<double>(below)) * (values[above] - values[below]);
}

/// Requires the counters of a side to hold every append it acked: each side did all the work.
template <class Side>
void expect_all_counted(const char* side_name, const Side& side, const side_throughput& result) {
  if (side.total_count() != static_cast<std::int64_t>(result.acked))
    throw std::logic_error(std::string(side_name) + ": the counters miss some of the acked appends");
}

run_result run_cell(const cell& c, const settings& s, const std::vector<std::string>& keys, std::size_t first_side) {
  const temp_dir raw_dir;
  const temp_dir our_dir;
  raw_counter raw{raw_dir.path(), s.tasks, c.threads};
  sluice_counter ours{our_dir.path(), s.tasks, c.threads};
  const std::array<submit_fn, 2> sides{
      [&](const CounterEvent& event) { raw.append(event); },
      [&](const CounterEvent& event) { ours.append(event); },
  };
  const std::vector<side_throughput> result = run_appenders(c.appenders, s.run_schedule(), keys, sides, first_side);
  expect_all_counted("raw", raw, result[0]);
  expect_all_counted("sluice", ours, result[1]);
  run_result run{result[0].appends_per_second, result[1].appends_per_second, raw.mean_batch_size(),
                 ours.mean_batch_size(), {}};
  for (std::size_t j = 0; j < result[0].slice_throughput.size(); ++j)
    run.slice_ratios.push_back(result[1].slice_throughput[j] / result[0].slice_throughput[j]);
  return run;
}

void print_run(int repetition, const cell& c, const run_result& r) {
  std::printf("run %d  %3zu appenders  %u threads   raw %8.0f/s (batch %5.1f)   sluice %8.0f/s (batch %5.1f)   "
              "slices: median %.2fx\n",
              repetition + 1, c.appenders, c.threads, r.raw_rate, r.raw_batch, r.our_rate, r.our_batch,
              quantile(r.slice_ratios, 0.5));
  std::fflush(stdout);
}

/// Every cell, `repetitions` times, the cells in turn; the side that takes the first slice
/// alternates from run to run.
std::vector<std::vector<run_result>> run_matrix(const std::vector<cell>& cells, const settings& s,
                                                const std::vector<std::string>& keys) {
  std::vector<std::vector<run_result>> results(cells.size());
  for (int repetition = 0; repetition < s.repetitions; ++repetition) {
    for (std::size_t i = 0; i < cells.size(); ++i) {
      const std::size_t first_side = (static_cast<std::size_t>(repetition) + i) % 2;
      print_run(repetition, cells[i], results[i].emplace_back(run_cell(cells[i], s, keys, first_side)));
    }
  }
  return results;
}

template <class Field>
double median_of(const std::vector<run_result>& runs, Field field) {
  std::vector<double> values;
  for (const run_result& r : runs) values.push_back(r.*field);
  return quantile(std::move(values), 0.5);
}

/// A markdown table. Rates are medians over the runs; the ratio is the median over every pair
/// of adjacent slices of every run, with the middle half of those ratios in brackets.
void print_table(const std::vector<cell>& cells, const std::vector<std::vector<run_result>>& results,
                 const settings& s) {
  std::printf("\n%d runs per cell, each %g s per side in slices of %g s; %u tasks:\n\n", s.repetitions, s.seconds,
              s.slice_seconds, s.tasks);
  std::printf("| appenders | threads | raw LMDB appends/s | sluice appends/s | sluice / raw (middle half) "
              "| raw mean batch | sluice mean batch | goal | met? |\n");
  std::printf("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |\n");
  for (std::size_t i = 0; i < cells.size(); ++i) {
    const auto& runs = results[i];
    std::vector<double> ratios;
    for (const run_result& r : runs) ratios.insert(ratios.end(), r.slice_ratios.begin(), r.slice_ratios.end());
    const double ratio = quantile(ratios, 0.5);
    const bool has_goal = cells[i].appenders == goal_appenders;
    char goal[16] = "—";
    if (has_goal) std::snprintf(goal, sizeof goal, "≥ %.1fx", goal_ratio);
    std::printf("| %zu | %u | %.0f | %.0f | %.2fx (%.2f–%.2f) | %.1f | %.1f | %s | %s |\n", cells[i].appenders,
                cells[i].threads, median_of(runs, &run_result::raw_rate), median_of(runs, &run_result::our_rate),
                ratio, quantile(ratios, 0.25), quantile(ratios, 0.75), median_of(runs, &run_result::raw_batch),
                median_of(runs, &run_result::our_batch), goal, has_goal ? (ratio >= goal_ratio ? "yes" : "no") : "—");
  }
}

void print_load_average(const char* when) {
  double load[3] = {};
  if (getloadavg(load, 3) == 3) std::printf("load average %s: %.2f %.2f %.2f\n", when, load[0], load[1], load[2]);
}

// ---- the command line ------------------------------------------------------------------------

/// scripts/bench.sh gives every benchmark the same Google Benchmark flags. This program takes
/// none of them but --benchmark_filter, which it honours as a whole: false if the filter does not
/// select this benchmark. Anything else not understood is an error.
bool selected_by(const std::vector<std::string>& extra_arguments) {
  constexpr std::string_view filter_flag = "--benchmark_filter";
  bool selected = true;
  for (std::size_t i = 0; i < extra_arguments.size(); ++i) {
    const std::string& argument = extra_arguments[i];
    if (!argument.starts_with("--benchmark_")) throw std::invalid_argument("unknown argument: " + argument);
    if (!argument.starts_with(filter_flag)) continue;
    const bool inline_value = argument.size() > filter_flag.size() && argument[filter_flag.size()] == '=';
    if (!inline_value && i + 1 == extra_arguments.size()) continue;
    const std::string filter = inline_value ? argument.substr(filter_flag.size() + 1) : extra_arguments[++i];
    selected = selected && std::regex_search(std::string(benchmark_name), std::regex(filter));
  }
  return selected;
}

std::vector<cell> matrix_of(const settings& s) {
  std::vector<cell> cells;
  for (const std::size_t appenders : s.appenders)
    for (const std::uint32_t threads : s.threads) cells.push_back({appenders, threads});
  return cells;
}

}  // namespace

int main(int argc, char** argv) {
  settings s;
  CLI::App app{"Acked append throughput of a one-step sluice module against hand-written LMDB code with the "
               "same group commit; fsync on, both sides."};
  const auto option = [&](const char* name, auto& value, const char* description, const CLI::Validator& check) {
    return app.add_option(name, value, description)->check(check)->capture_default_str();
  };
  option("--appenders", s.appenders, "appender thread counts", CLI::PositiveNumber)->delimiter(',');
  option("--threads", s.threads, "worker (writer) thread counts", CLI::PositiveNumber)->delimiter(',');
  option("--tasks", s.tasks, "tasks (one LMDB environment each), both sides", CLI::PositiveNumber);
  option("--keys", s.keys, "distinct counters", CLI::PositiveNumber);
  option("--seconds", s.seconds, "measured seconds per side and run", CLI::PositiveNumber);
  option("--slice", s.slice_seconds, "seconds the appenders stay with one side before switching", CLI::PositiveNumber);
  option("--warmup", s.warmup_seconds, "unmeasured seconds per side before each run", CLI::NonNegativeNumber);
  option("--repetitions", s.repetitions, "runs of each cell; the table takes the medians", CLI::PositiveNumber);
  app.allow_extras();  // the Google Benchmark flags scripts/bench.sh passes on: see selected_by
  CLI11_PARSE(app, argc, argv);
  try {
    if (!selected_by(app.remaining())) {
      std::cout << benchmark_name << ": not selected by --benchmark_filter\n";
      return 0;
    }
    const std::vector<std::string> keys = make_keys(s.keys);
    check_sides_agree(s.tasks, keys);
    print_load_average("at start");
    const std::vector<cell> cells = matrix_of(s);
    const auto results = run_matrix(cells, s, keys);
    print_load_average("at end");
    print_table(cells, results, s);
  } catch (const std::exception& e) {
    std::cerr << "bench_append_throughput: " << e.what() << '\n';
    return 1;
  }
  return 0;
}

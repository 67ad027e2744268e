// sluice PState operations against hand-written LMDB code doing the same work on the same data.
//
// Both sides store the same bytes: the raw code builds the keys of pstate/layout.hpp itself, into
// reused buffers, and calls mdb_get / mdb_put / cursors directly; it encodes keys and values with
// sluice's codec functions, so that what differs is the PState machinery alone (path
// navigation, layout helpers, the storage wrappers). A check at start-up proves the two sides
// write identical entries and read identical results.
//
// Each benchmark preloads a fresh environment outside the timed loop, then runs a fixed number of
// operations, drawn with a fixed seed, so both sides do exactly the same work. Writes commit every
// ops_per_txn operations, reads take a new snapshot as often. Both environments are opened with
// MDB_NOSYNC (environment_options{.durable = false}): the benchmark measures the library, not
// fsync. After the usual output, a table gives sluice time / raw time for each operation.

#include "../tests/support/temp_dir.hpp"  // a temporary directory, removed with its contents
#include "raw_lmdb.hpp"

#include <sluice/codec.hpp>
#include <sluice/pstate.hpp>
#include <sluice/storage.hpp>

#include <benchmark/benchmark.h>
#include <lmdb.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <ranges>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace {

using sluice::path;
using sluice_test::temp_dir;

constexpr std::size_t ops_per_txn = 100;              // timed operations per transaction, both sides
constexpr std::size_t preload_ops_per_txn = 10'000;    // untimed: big transactions fill faster
constexpr double goal_ratio = 1.3;                     // the project's goal for sluice / raw LMDB
constexpr std::string_view database_name = "$$bench";
const sluice::storage::environment_options env_options{.durable = false};

// ---- data ------------------------------------------------------------------------------------

/// `prefix`, then `number` zero-padded to `digits` digits.
std::string numbered(std::string_view prefix, std::size_t number, std::size_t digits) {
  const std::string text = std::to_string(number);
  return std::string(prefix).append(digits - std::min(digits, text.size()), '0').append(text);
}

/// One map key per index, "user:0000042": short enough to stay in std::string's inline buffer.
const std::string& key_name(std::size_t index) {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out(1'000'000);
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = numbered("user:", i, 7);
    return out;
  }();
  return names[index];
}

/// A 32-byte value (a short post, say): long enough that copying it allocates.
const std::string& value_text(std::size_t index) {
  static const std::vector<std::string> values = [] {
    std::vector<std::string> out(1024);
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = numbered("value ", i, 4).append(22, '.');
    return out;
  }();
  return values[index % values.size()];
}

/// The time of the index-th point of a series: milliseconds, one second apart.
std::int64_t point_time(std::size_t index) { return 1'700'000'000'000 + static_cast<std::int64_t>(index) * 1000; }

/// `count` numbers below `bound`, the same for a given seed on every run and on both sides.
std::vector<std::size_t> random_picks(std::size_t count, std::size_t bound, std::uint64_t seed) {
  std::mt19937_64 engine{seed};
  std::uniform_int_distribution<std::size_t> pick{0, bound - 1};
  std::vector<std::size_t> picks(count);
  for (auto& p : picks) p = pick(engine);
  return picks;
}

// What each data set holds before a benchmark starts.
struct list_shape {
  std::size_t keys;
  std::size_t elements_per_key;
};
struct series_shape {
  std::size_t keys;
  std::size_t points_per_key;
};
struct table_shape {
  std::size_t keys;
};

constexpr list_shape feeds_preload{100'000, 10};
constexpr series_shape series_preload{10'000, 64};
constexpr table_shape table_preload{1'000'000};
constexpr std::size_t range_length = 20;

/// What a sorted-map range read returns: (time, value) points in time order.
using points = std::vector<std::pair<std::int64_t, std::string>>;

// ---- transactions in batches -----------------------------------------------------------------

void finish(sluice::storage::write_txn& txn) { txn.commit(); }
void finish(sluice::storage::read_txn& txn) { txn.abort(); }

/// Runs op(txn, i) once for each step of `steps` (a benchmark::State, or a plain range), ending
/// the transaction and beginning the next after every `batch` operations.
template <class Steps, class Begin, class Op>
void in_batches(Steps&& steps, std::size_t batch, Begin begin, Op op) {
  auto txn = begin();
  std::size_t done = 0;
  for ([[maybe_unused]] auto&& step : steps) {
    op(txn, done);
    if (++done % batch == 0) {
      finish(txn);
      txn = begin();
    }
  }
  finish(txn);
}

template <class Store, class Op>
void timed_writes(benchmark::State& state, Store& store, Op op) {
  in_batches(state, ops_per_txn, [&] { return store.begin_write(); }, op);
}

template <class Store, class Op>
void timed_reads(benchmark::State& state, Store& store, Op op) {
  in_batches(state, ops_per_txn, [&] { return store.begin_read(); }, op);
}

template <class Store, class Op>
void preload(Store& store, std::size_t count, Op op) {
  in_batches(std::views::iota(std::size_t{0}, count), preload_ops_per_txn, [&] { return store.begin_write(); }, op);
}

// ---- raw LMDB --------------------------------------------------------------------------------

using namespace raw_lmdb;  // check, as_val, as_view and the RAII handles

enum class access { read, write };

/// A transaction: aborted unless finished; finish() commits a write and ends a read.
template <access Access>
class raw_txn {
 public:
  raw_txn(MDB_env* env, MDB_dbi dbi) : dbi_(dbi) {
    MDB_txn* txn = nullptr;
    check(mdb_txn_begin(env, nullptr, Access == access::read ? MDB_RDONLY : 0, &txn), "mdb_txn_begin");
    txn_.reset(txn);
  }

  std::optional<std::string_view> get(std::string_view key) const {
    MDB_val key_val = as_val(key);
    MDB_val value{};
    const int rc = mdb_get(txn_.get(), dbi_, &key_val, &value);
    if (rc == MDB_NOTFOUND) return std::nullopt;
    check(rc, "mdb_get");
    return as_view(value);
  }

  void put(std::string_view key, std::string_view value)
    requires(Access == access::write)
  {
    MDB_val key_val = as_val(key);
    MDB_val value_val = as_val(value);
    check(mdb_put(txn_.get(), dbi_, &key_val, &value_val, 0), "mdb_put");
  }

  cursor_ptr open_cursor() const {
    MDB_cursor* cursor = nullptr;
    check(mdb_cursor_open(txn_.get(), dbi_, &cursor), "mdb_cursor_open");
    return cursor_ptr{cursor};
  }

  void finish() {
    if constexpr (Access == access::write) check(mdb_txn_commit(txn_.release()), "mdb_txn_commit");
    else txn_.reset();
  }

  MDB_txn* handle() const { return txn_.get(); }

 private:
  std::unique_ptr<MDB_txn, txn_aborter> txn_;
  MDB_dbi dbi_;
};

template <access Access>
void finish(raw_txn<Access>& txn) {
  txn.finish();
}

using raw_write_txn = raw_txn<access::write>;
using raw_read_txn = raw_txn<access::read>;

using entries = std::vector<std::pair<std::string, std::string>>;

/// Every entry of a database, for comparing what the two sides wrote.
entries all_entries(MDB_txn* txn, MDB_dbi dbi) {
  MDB_cursor* raw = nullptr;
  check(mdb_cursor_open(txn, dbi, &raw), "mdb_cursor_open");
  const cursor_ptr cursor{raw};
  entries out;
  MDB_val key{};
  MDB_val value{};
  for (int rc = mdb_cursor_get(raw, &key, &value, MDB_FIRST); rc == MDB_SUCCESS;
       rc = mdb_cursor_get(raw, &key, &value, MDB_NEXT))
    out.emplace_back(as_view(key), as_view(value));
  return out;
}

/// The keys of pstate/layout.hpp, built by hand into one reused buffer: a map entry is
/// 01 <key>; a nested collection's meta is 01 <key> 00, its elements 01 <key> 01 <element key>.
class raw_keys {
 public:
  std::string_view entry(const std::string& key) { return start(key); }
  std::string_view meta(const std::string& key) { return tagged(key, meta_tag); }
  std::string_view element(const std::string& key, std::int64_t element_key) {
    tagged(key, element_tag);
    sluice::codec::encode_key_to(buffer_, element_key);
    return buffer_;
  }

 private:
  static constexpr char meta_tag = '\x00';
  static constexpr char element_tag = '\x01';

  std::string_view start(const std::string& key) {
    buffer_.assign(1, element_tag);
    sluice::codec::encode_key_to(buffer_, key);
    return buffer_;
  }
  std::string_view tagged(const std::string& key, char tag) {
    start(key);
    buffer_.push_back(tag);
    return buffer_;
  }

  std::string buffer_;
};

/// One LMDB environment and database, opened as sluice opens its own.
class raw_store {
 public:
  raw_store() : env_(open_env(dir_.path())), dbi_(create_database(env_.get())) {}

  raw_write_txn begin_write() { return raw_write_txn{env_.get(), dbi_}; }
  raw_read_txn begin_read() { return raw_read_txn{env_.get(), dbi_}; }

  entries dump() {
    auto txn = begin_read();
    return all_entries(txn.handle(), dbi_);
  }

 protected:
  /// Encodes `value` into the reused value buffer.
  template <class T>
  std::string_view encoded(const T& value) {
    value_buffer_.clear();
    sluice::codec::encode_value_to(value_buffer_, value);
    return value_buffer_;
  }

  raw_keys keys_;

 private:
  static std::unique_ptr<MDB_env, env_closer> open_env(const std::filesystem::path& dir) {
    MDB_env* raw = nullptr;
    check(mdb_env_create(&raw), "mdb_env_create");
    std::unique_ptr<MDB_env, env_closer> env{raw};
    check(mdb_env_set_mapsize(raw, env_options.map_size), "mdb_env_set_mapsize");
    check(mdb_env_set_maxdbs(raw, env_options.max_databases), "mdb_env_set_maxdbs");
    check(mdb_env_set_maxreaders(raw, env_options.max_readers), "mdb_env_set_maxreaders");
    check(mdb_env_open(raw, dir.c_str(), MDB_NOTLS | MDB_NOSYNC, 0644), "mdb_env_open");
    return env;
  }

  static MDB_dbi create_database(MDB_env* env) {
    raw_write_txn txn{env, 0};
    MDB_dbi dbi = 0;
    check(mdb_dbi_open(txn.handle(), std::string(database_name).c_str(), MDB_CREATE, &dbi), "mdb_dbi_open");
    txn.finish();
    return dbi;
  }

  temp_dir dir_;  // first, so it is removed after the environment has closed
  std::unique_ptr<MDB_env, env_closer> env_;
  MDB_dbi dbi_;
  std::string value_buffer_;
};

/// A list's meta, encoded as sluice encodes it: (head position, size).
using list_meta = std::pair<std::int64_t, std::uint64_t>;

class raw_feeds : public raw_store {
 public:
  void append(raw_write_txn& txn, const std::string& key, const std::string& value) {
    auto [head, size] = meta(txn, key);
    txn.put(keys_.element(key, head + static_cast<std::int64_t>(size)), encoded(value));
    txn.put(keys_.meta(key), encoded(list_meta{head, size + 1}));
  }
  std::string nth(raw_read_txn& txn, const std::string& key, std::uint64_t index) {
    const auto [head, size] = meta(txn, key);
    if (index >= size) throw std::out_of_range("raw nth: no such element");
    const auto bytes = txn.get(keys_.element(key, head + static_cast<std::int64_t>(index)));
    return sluice::codec::decode_value<std::string>(bytes.value());
  }
  std::uint64_t size(raw_read_txn& txn, const std::string& key) { return meta(txn, key).second; }

 private:
  template <class Txn>
  list_meta meta(Txn& txn, const std::string& key) {
    const auto bytes = txn.get(keys_.meta(key));
    return bytes ? sluice::codec::decode_value<list_meta>(*bytes) : list_meta{};
  }
};

class raw_series : public raw_store {
 public:
  void add(raw_write_txn& txn, const std::string& key, std::int64_t time, const std::string& value) {
    const std::string_view element = keys_.element(key, time);
    const bool is_new = !txn.get(element);
    txn.put(element, encoded(value));
    if (!is_new) return;
    const std::string_view meta = keys_.meta(key);
    const auto size = txn.get(meta);
    txn.put(meta, encoded(size ? sluice::codec::decode_value<std::uint64_t>(*size) + 1 : std::uint64_t{1}));
  }

  /// A seek to the first point at or after `from`, then the next ones while they belong to `key`.
  points range(raw_read_txn& txn, const std::string& key, std::int64_t from, std::size_t count) {
    const std::string_view seek = keys_.element(key, from);
    const std::string_view prefix = seek.substr(0, seek.size() - sizeof(std::int64_t));  // 8-byte int keys
    const auto cursor = txn.open_cursor();
    MDB_val at = as_val(seek);
    MDB_val value{};
    points out;
    out.reserve(count);
    int rc = mdb_cursor_get(cursor.get(), &at, &value, MDB_SET_RANGE);
    while (rc == MDB_SUCCESS && out.size() < count && as_view(at).starts_with(prefix)) {
      out.emplace_back(sluice::codec::decode_key<std::int64_t>(as_view(at).substr(prefix.size())),
                       sluice::codec::decode_value<std::string>(as_view(value)));
      if (out.size() < count) rc = mdb_cursor_get(cursor.get(), &at, &value, MDB_NEXT);
    }
    if (rc != MDB_NOTFOUND) check(rc, "mdb_cursor_get");
    return out;
  }
};

class raw_table : public raw_store {
 public:
  void put(raw_write_txn& txn, const std::string& key, const std::string& value) {
    txn.put(keys_.entry(key), encoded(value));
  }
  std::string get(raw_read_txn& txn, const std::string& key) {
    return sluice::codec::decode_value<std::string>(txn.get(keys_.entry(key)).value());
  }
};

// ---- sluice ----------------------------------------------------------------------------------

/// A PState partition in a fresh environment.
template <class Schema>
class sluice_store {
 public:
  sluice_store() : env_(sluice::storage::open_environment(dir_.path(), env_options)), pstate_(open_partition(*env_)) {}

  sluice::storage::write_txn begin_write() { return env_->begin_write(); }
  sluice::storage::read_txn begin_read() { return env_->begin_read(); }

  entries dump() {
    auto txn = begin_read();
    return all_entries(txn.native_handle(), pstate_.database().handle);
  }

 protected:
  const sluice::pstate_partition<Schema>& pstate() const { return pstate_; }

 private:
  static sluice::pstate_partition<Schema> open_partition(sluice::storage::environment& env) {
    auto txn = env.begin_write();
    auto partition = sluice::pstate_partition<Schema>::open(env, txn, database_name);
    txn.commit();
    return partition;
  }

  temp_dir dir_;  // first, so it is removed after the environment has closed
  std::shared_ptr<sluice::storage::environment> env_;
  sluice::pstate_partition<Schema> pstate_;
};

using feeds_schema = sluice::map_schema<std::string, sluice::list_schema<std::string, sluice::subindexed>>;
using series_schema =
    sluice::map_schema<std::string, sluice::map_schema<std::int64_t, std::string, sluice::subindexed>>;
using table_schema = sluice::map_schema<std::string, std::string>;

class sluice_feeds : public sluice_store<feeds_schema> {
 public:
  void append(sluice::storage::write_txn& txn, const std::string& key, const std::string& value) {
    pstate().transform(txn, path::key(key).after_elem().term_val(value));
  }
  std::string nth(sluice::storage::read_txn& txn, const std::string& key, std::uint64_t index) {
    return pstate().select_one(txn, path::key(key).nth(index));
  }
  std::uint64_t size(sluice::storage::read_txn& txn, const std::string& key) {
    return pstate().select_one(txn, path::key(key).view(sluice::size));
  }
};

class sluice_series : public sluice_store<series_schema> {
 public:
  void add(sluice::storage::write_txn& txn, const std::string& key, std::int64_t time, const std::string& value) {
    pstate().transform(txn, path::key(key).key(time).term_val(value));
  }
  points range(sluice::storage::read_txn& txn, const std::string& key, std::int64_t from, std::size_t count) {
    return pstate().select(txn, path::key(key).sorted_map_range_from(from, count).all());
  }
};

class sluice_table : public sluice_store<table_schema> {
 public:
  void put(sluice::storage::write_txn& txn, const std::string& key, const std::string& value) {
    pstate().transform(txn, path::key(key).term_val(value));
  }
  std::string get(sluice::storage::read_txn& txn, const std::string& key) {
    return pstate().select_one(txn, path::key(key));
  }
};

// ---- the benchmarks --------------------------------------------------------------------------

template <class Feeds>
void fill(Feeds& feeds, list_shape shape) {
  preload(feeds, shape.keys * shape.elements_per_key, [&](auto& txn, std::size_t i) {
    feeds.append(txn, key_name(i / shape.elements_per_key), value_text(i));
  });
}

template <class Series>
void fill(Series& series, series_shape shape) {
  preload(series, shape.keys * shape.points_per_key, [&](auto& txn, std::size_t i) {
    series.add(txn, key_name(i / shape.points_per_key), point_time(i % shape.points_per_key), value_text(i));
  });
}

template <class Table>
void fill(Table& table, table_shape shape) {
  preload(table, shape.keys, [&](auto& txn, std::size_t i) { table.put(txn, key_name(i), value_text(i)); });
}

std::size_t operations(const benchmark::State& state) { return static_cast<std::size_t>(state.max_iterations); }

template <class Feeds>
void list_append(benchmark::State& state) {
  Feeds feeds;
  fill(feeds, feeds_preload);
  const auto keys = random_picks(operations(state), feeds_preload.keys, 1);
  timed_writes(state, feeds, [&](auto& txn, std::size_t i) { feeds.append(txn, key_name(keys[i]), value_text(i)); });
}

template <class Feeds>
void list_nth(benchmark::State& state) {
  Feeds feeds;
  fill(feeds, feeds_preload);
  const auto keys = random_picks(operations(state), feeds_preload.keys, 2);
  const auto indexes = random_picks(operations(state), feeds_preload.elements_per_key, 3);
  timed_reads(state, feeds, [&](auto& txn, std::size_t i) {
    benchmark::DoNotOptimize(feeds.nth(txn, key_name(keys[i]), indexes[i]));
  });
}

template <class Feeds>
void list_size(benchmark::State& state) {
  Feeds feeds;
  fill(feeds, feeds_preload);
  const auto keys = random_picks(operations(state), feeds_preload.keys, 4);
  timed_reads(state, feeds,
              [&](auto& txn, std::size_t i) { benchmark::DoNotOptimize(feeds.size(txn, key_name(keys[i]))); });
}

template <class Series>
void sorted_range(benchmark::State& state) {
  Series series;
  fill(series, series_preload);
  const auto keys = random_picks(operations(state), series_preload.keys, 5);
  const auto starts = random_picks(operations(state), series_preload.points_per_key - range_length + 1, 6);
  timed_reads(state, series, [&](auto& txn, std::size_t i) {
    benchmark::DoNotOptimize(series.range(txn, key_name(keys[i]), point_time(starts[i]), range_length));
  });
}

template <class Table>
void map_put(benchmark::State& state) {
  Table table;
  fill(table, table_preload);
  const auto keys = random_picks(operations(state), table_preload.keys, 7);
  timed_writes(state, table, [&](auto& txn, std::size_t i) { table.put(txn, key_name(keys[i]), value_text(i)); });
}

template <class Table>
void map_get(benchmark::State& state) {
  Table table;
  fill(table, table_preload);
  const auto keys = random_picks(operations(state), table_preload.keys, 8);
  timed_reads(state, table,
              [&](auto& txn, std::size_t i) { benchmark::DoNotOptimize(table.get(txn, key_name(keys[i]))); });
}

// ---- both sides agree ------------------------------------------------------------------------

/// Fills a small data set both ways, then requires the same entries, and the same result of
/// read(store, txn) on each side: otherwise the timings would compare different work.
template <class Sluice, class Raw, class Shape, class Read>
void expect_agreement(const char* what, Shape shape, Read read) {
  Sluice ours;
  Raw raw;
  fill(ours, shape);
  fill(raw, shape);
  auto our_snapshot = ours.begin_read();
  auto raw_snapshot = raw.begin_read();
  if (ours.dump() != raw.dump() || read(ours, our_snapshot) != read(raw, raw_snapshot))
    throw std::logic_error(std::string("the raw LMDB code and sluice disagree on ") + what);
}

void check_sides_agree() {
  expect_agreement<sluice_feeds, raw_feeds>("lists", list_shape{50, 10}, [](auto& feeds, auto& txn) {
    return std::pair{feeds.nth(txn, key_name(7), 3), feeds.size(txn, key_name(7))};
  });
  expect_agreement<sluice_series, raw_series>("sorted maps", series_shape{50, 64}, [](auto& series, auto& txn) {
    auto middle = series.range(txn, key_name(7), point_time(5), range_length);
    auto end = series.range(txn, key_name(7), point_time(60), range_length);  // 4 points left
    return std::pair{std::move(middle), std::move(end)};
  });
  expect_agreement<sluice_table, raw_table>("maps", table_shape{50},
                                            [](auto& table, auto& txn) { return table.get(txn, key_name(7)); });
}

// ---- the ratio table -------------------------------------------------------------------------

constexpr std::string_view raw_side = "raw";
constexpr std::string_view sluice_side = "sluice";

std::string benchmark_name(std::string_view operation, std::string_view side) {
  return std::string(operation).append("/").append(side);
}

/// The usual console output; keeps each benchmark's median CPU time per operation for the table.
class ratio_reporter : public benchmark::ConsoleReporter {
 public:
  explicit ratio_reporter(std::vector<std::string> operations) : operations_(std::move(operations)) {}

  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const auto& run : runs)
      if (run.run_type == Run::RT_Aggregate && run.aggregate_name == "median")
        medians_[run.run_name.function_name] = run.GetAdjustedCPUTime();
  }

  /// A markdown table: each side's median, their ratio, and whether it meets the goal, for each
  /// operation that ran.
  void print_ratios(std::ostream& out) const {
    out << "\nsluice / raw LMDB, median CPU time per operation:\n\n"
        << "| operation | raw LMDB ns/op | sluice ns/op | sluice / raw | goal | met? |\n"
        << "| --- | ---: | ---: | ---: | ---: | --- |\n";
    char line[160];
    for (const auto& operation : operations_) {
      const auto raw = medians_.find(benchmark_name(operation, raw_side));
      const auto ours = medians_.find(benchmark_name(operation, sluice_side));
      if (raw == medians_.end() || ours == medians_.end()) continue;
      const double ratio = ours->second / raw->second;
      std::snprintf(line, sizeof line, "| %s | %.0f | %.0f | %.2fx | ≤ %.1fx | %s |\n", operation.c_str(), raw->second,
                    ours->second, ratio, goal_ratio, ratio <= goal_ratio ? "yes" : "no");
      out << line;
    }
  }

 private:
  std::vector<std::string> operations_;     // in the order of the table
  std::map<std::string, double> medians_;  // by benchmark name
};

// ---- registration ----------------------------------------------------------------------------

using benchmark_fn = void (*)(benchmark::State&);

struct comparison {
  const char* operation;
  benchmark_fn raw;
  benchmark_fn sluice;
  benchmark::IterationCount operations;
};

constexpr int repetitions = 5;  // the table takes the median

/// Registers "<operation>/raw" and "<operation>/sluice" for each operation; returns the operations.
std::vector<std::string> register_comparisons() {
  const comparison comparisons[] = {
      {"list append", list_append<raw_feeds>, list_append<sluice_feeds>, 200'000},
      {"list nth", list_nth<raw_feeds>, list_nth<sluice_feeds>, 500'000},
      {"list size", list_size<raw_feeds>, list_size<sluice_feeds>, 500'000},
      {"sorted map range of 20", sorted_range<raw_series>, sorted_range<sluice_series>, 200'000},
      {"map put", map_put<raw_table>, map_put<sluice_table>, 200'000},
      {"map get", map_get<raw_table>, map_get<sluice_table>, 500'000},
  };
  std::vector<std::string> operations;
  for (const auto& c : comparisons) {
    operations.emplace_back(c.operation);
    for (const auto& [side, fn] : {std::pair{raw_side, c.raw}, std::pair{sluice_side, c.sluice}}) {
      benchmark::RegisterBenchmark(benchmark_name(c.operation, side).c_str(), fn)
          ->Iterations(c.operations)
          ->Repetitions(repetitions)
          ->DisplayAggregatesOnly()
          ->Unit(benchmark::kNanosecond);
    }
  }
  return operations;
}

/// The command line, with the repetitions of all benchmarks interleaved in random order (unless
/// it says otherwise): background load then slows both sides alike rather than one of them.
std::vector<char*> with_interleaving(int argc, char** argv) {
  static char interleave[] = "--benchmark_enable_random_interleaving=true";
  std::vector<char*> args{argv, argv + argc};
  args.insert(args.begin() + 1, interleave);  // flags given after it override it
  args.push_back(nullptr);
  return args;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<char*> args = with_interleaving(argc, argv);
  int arg_count = static_cast<int>(args.size()) - 1;
  benchmark::Initialize(&arg_count, args.data());
  if (benchmark::ReportUnrecognizedArguments(arg_count, args.data())) return 1;
  check_sides_agree();
  ratio_reporter reporter{register_comparisons()};
  benchmark::RunSpecifiedBenchmarks(&reporter);
  reporter.print_ratios(std::cout);
  benchmark::Shutdown();
  return 0;
}

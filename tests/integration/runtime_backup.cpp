// cluster::backup: a copy taken while other threads append is a state the cluster was in between
// batches (every acked append in it, every hop's effect applied once after the copy is launched),
// opens only with its task count, and a backup that fails leaves the cluster running.

#include "runtime_fixture.hpp"

#include <timed_notifications/timed_notifications_module.hpp>

#include <sluice/sluice.hpp>

#include <boost/hana/define_struct.hpp>
#include <catch2/catch.hpp>

#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

using namespace sluice::literals;
using sluice::path;
namespace fs = std::filesystem;

namespace {

struct Line {
  BOOST_HANA_DEFINE_STRUCT(Line, (std::string, author), (std::string, text));
};

// Each line is kept under its author on the line's task, and each of its words hops to the task
// owning the word, which counts it.
struct WordsModule {
  static constexpr std::string_view name = "words";
  static constexpr auto lines = sluice::depot<"*lines", Line>(sluice::hash_by<&Line::author>);
  static constexpr auto by_author = sluice::pstate<"$$by-author",
      sluice::map_schema<std::string, sluice::list_schema<std::string, sluice::subindexed>>>;
  static constexpr auto word_counts = sluice::pstate<"$$word-counts", sluice::map_schema<std::string, std::int64_t>>;

  void define(sluice::setup& setup, sluice::topologies& topologies) const {
    setup.declare(lines);
    auto& core = topologies.stream("core");
    core.declare(by_author);
    core.declare(word_counts);
    auto words = [](sluice::emitter<std::string>& emit, const std::string& text) {
      for (const std::string& word : sluice_test::split_words(text)) emit(word);
    };
    core.add(sluice::source(lines).out("*line"_v)
        .each(sluice::get<"author">, "*line"_v).out("*author"_v)
        .each(sluice::get<"text">, "*line"_v).out("*text"_v)
        .local_transform(by_author, path::key("*author"_v).after_elem().term_val("*text"_v))
        .each(words, "*text"_v).out("*word"_v)
        .hash_partition("*word"_v)
        .local_transform(word_counts, path::key("*word"_v).null_to_val(0).term([](std::int64_t n) { return n + 1; })));
  }
};

constexpr sluice::launch_options four_tasks{.tasks = 4, .threads = 2};

// Line `n` of writer `writer`: authors spread over the tasks, words shared by many lines (so
// that hops land on tasks other lines also write to), and a word of its own, twice.
Line line_of(int writer, int n) {
  const std::string own = "line-" + std::to_string(writer) + "-" + std::to_string(n);
  return {"author-" + std::to_string(n % 8) + "-" + std::to_string(writer),
          own + " common word-" + std::to_string(n % 5) + " " + own};
}

// The lines whose appends have returned, in order; waitable.
class acked_lines {
 public:
  void add(Line line) {
    {
      std::lock_guard lock{mutex_};
      lines_.push_back(std::move(line));
    }
    grown_.notify_all();
  }

  void wait_for(std::size_t count) {
    std::unique_lock lock{mutex_};
    grown_.wait(lock, [&] { return lines_.size() >= count; });
  }

  std::vector<Line> snapshot() const {
    std::lock_guard lock{mutex_};
    return lines_;
  }

 private:
  mutable std::mutex mutex_;
  std::condition_variable grown_;
  std::vector<Line> lines_;
};

// Threads appending lines with acks until destroyed.
class writers {
 public:
  writers(const sluice::cluster& cluster, acked_lines& acked, int count) {
    for (int w = 0; w < count; ++w)
      threads_.emplace_back([this, &acked, w, depot = cluster.depot(WordsModule::lines)] {
        for (int n = 0; !stop_.load(); ++n) {
          depot.append(line_of(w, n));
          acked.add(line_of(w, n));
        }
      });
  }
  writers(const writers&) = delete;
  writers& operator=(const writers&) = delete;
  ~writers() {
    stop_.store(true);
    for (auto& t : threads_) t.join();
  }

 private:
  std::atomic<bool> stop_{false};
  std::vector<std::thread> threads_;
};

std::map<std::string, std::int64_t> word_occurrences(const std::vector<Line>& lines) {
  std::map<std::string, std::int64_t> counts;
  for (const Line& line : lines)
    for (const std::string& word : sluice_test::split_words(line.text)) ++counts[word];
  return counts;
}

std::set<std::string> texts_of(const std::vector<Line>& lines) {
  std::set<std::string> texts;
  for (const Line& line : lines) texts.insert(line.text);
  return texts;
}

// Every depot partition of the module in `cluster_dir`, read from disk with no cluster open.
std::vector<std::vector<Line>> stored_lines(const fs::path& cluster_dir, std::uint32_t tasks) {
  using namespace sluice::runtime::detail;
  std::vector<std::vector<Line>> partitions(tasks);
  for (std::uint32_t t = 0; t < tasks; ++t) {
    const auto env = sluice::storage::open_environment(task_directory(module_directory(cluster_dir, "words"), t),
                                                       {.map_size = std::size_t{64} << 20, .read_only = true});
    const auto depot = env->find_database(depot_database("*lines"));
    REQUIRE(depot);
    auto txn = env->begin_read();
    auto cursor = txn.open_cursor(*depot);
    for (auto entry = cursor.first(); entry; entry = cursor.next())
      partitions[t].push_back(sluice::codec::decode_value<Line>(entry->value));
  }
  return partitions;
}

// Appends one empty line to every task and waits for them. A launch queues the hop messages left
// in outboxes before any append, so once these return, every one of them has been applied.
void flush_outboxes(const sluice::cluster& cluster, std::uint32_t tasks) {
  const auto depot = cluster.depot(WordsModule::lines);
  std::set<std::uint32_t> flushed;
  for (int n = 0; flushed.size() < tasks; ++n) {
    const Line marker{"marker-" + std::to_string(n), ""};
    if (flushed.insert(depot.task_of(marker)).second) depot.append(marker);
  }
}

std::vector<Line> concatenated(const std::vector<std::vector<Line>>& partitions) {
  std::vector<Line> lines;
  for (const auto& partition : partitions) lines.insert(lines.end(), partition.begin(), partition.end());
  return lines;
}

// The PStates of `cluster` hold the effects of exactly `lines` (each author's in the order
// appended), each once: every author's lines, every word counted as often as the lines hold it;
// of the lines `absent`, nothing.
void check_effects(const sluice::cluster& cluster, const std::vector<Line>& lines, const std::vector<Line>& absent) {
  const auto by_author = cluster.pstate(WordsModule::by_author);
  const auto counts = cluster.pstate(WordsModule::word_counts);
  std::map<std::string, std::vector<std::string>> texts;
  for (const Line& line : lines) texts[line.author].push_back(line.text);
  for (const auto& [author, written] : texts) CHECK(by_author.select(path::key(author).all()) == written);
  for (const auto& [word, n] : word_occurrences(lines)) {
    INFO("word " << word);
    CHECK(counts.select(path::key(word)) == std::vector{n});
  }
  for (const Line& line : absent) {
    const std::string own = sluice_test::split_words(line.text).front();
    INFO("the word of a line that is not in the depots: " << own);
    CHECK(counts.select(path::key(own)).empty());
  }
}

// Writes to regular files of this process fail with EFBIG beyond `bytes`, as on a full disk,
// until destruction. Nothing else may write files meanwhile.
class file_size_limit {
 public:
  explicit file_size_limit(rlim_t bytes) : ignored_(std::signal(SIGXFSZ, SIG_IGN)) {
    REQUIRE(::getrlimit(RLIMIT_FSIZE, &saved_) == 0);
    rlimit limited = saved_;
    limited.rlim_cur = bytes;
    REQUIRE(::setrlimit(RLIMIT_FSIZE, &limited) == 0);
  }
  file_size_limit(const file_size_limit&) = delete;
  file_size_limit& operator=(const file_size_limit&) = delete;
  ~file_size_limit() {
    ::setrlimit(RLIMIT_FSIZE, &saved_);
    std::signal(SIGXFSZ, ignored_);
  }

 private:
  void (*ignored_)(int);
  rlimit saved_{};
};

std::vector<fs::path> entries(const fs::path& dir) {
  std::vector<fs::path> found;
  for (const auto& entry : fs::directory_iterator{dir}) found.push_back(entry.path().filename());
  return found;
}

}  // namespace

TEST_CASE("a backup taken under acked appends holds each acked append's effects exactly once", "[runtime][backup]") {
  sluice_test::temp_dir dir;
  const fs::path copy = dir / "copy";
  std::vector<Line> acked_before_backup;
  std::vector<Line> appended;
  {
    sluice::cluster cluster{dir / "data", sluice_test::runtime_options()};
    cluster.launch<WordsModule>(four_tasks);
    acked_lines acked;
    {
      writers busy{cluster, acked, 2};
      acked.wait_for(200);
      acked_before_backup = acked.snapshot();
      cluster.backup(copy);
      acked.wait_for(acked_before_backup.size() + 100);  // the cluster goes on taking appends
    }
    appended = acked.snapshot();
    check_effects(cluster, appended, {});
  }

  CHECK_FALSE(fs::exists(copy / "LOCK"));
  const std::vector<Line> copied = concatenated(stored_lines(copy, 4));
  std::multiset<std::string> copied_texts;
  for (const Line& line : copied) copied_texts.insert(line.text);
  for (const Line& line : acked_before_backup) CHECK(copied_texts.count(line.text) == 1);
  const auto appended_texts = texts_of(appended);
  for (const Line& line : copied) CHECK(appended_texts.contains(line.text));
  std::vector<Line> not_copied;
  for (const Line& line : appended)
    if (!copied_texts.contains(line.text)) not_copied.push_back(line);

  sluice::cluster restored{copy, sluice_test::runtime_options()};
  REQUIRE_THROWS_WITH(restored.launch<WordsModule>({.tasks = 3, .threads = 2}),
                      Catch::Contains("created with 4 tasks and cannot be launched with 3"));
  restored.launch<WordsModule>(four_tasks);
  flush_outboxes(restored, 4);
  check_effects(restored, copied, not_copied);
}

TEST_CASE("a backup refuses a target that is not an empty directory, and the cluster runs on", "[runtime][backup]") {
  sluice_test::temp_dir dir;
  sluice::cluster cluster{dir / "data", sluice_test::runtime_options()};
  cluster.launch<WordsModule>(four_tasks);
  const auto lines = cluster.depot(WordsModule::lines);
  lines.append({"ann", "before"});

  const fs::path full = dir / "full";
  fs::create_directories(full);
  std::ofstream{full / "keep"} << "not a backup";
  REQUIRE_THROWS_WITH(cluster.backup(full), Catch::Contains("to '" + full.string() + "'") &&
                                                Catch::Contains("must be missing or an empty directory"));
  CHECK(entries(full) == std::vector<fs::path>{"keep"});
  REQUIRE_THROWS_WITH(cluster.backup(full / "keep"), Catch::Contains("must be missing or an empty directory"));
  REQUIRE_THROWS_AS(cluster.backup(dir / "data"), sluice::cluster_error);

  lines.append({"ann", "after"});
  CHECK(cluster.pstate(WordsModule::by_author).select(path::key("ann").all()) == std::vector<std::string>{"before", "after"});
  const fs::path empty = dir / "empty";
  fs::create_directories(empty);
  cluster.backup(empty);
  CHECK(entries(empty) == std::vector<fs::path>{"words"});
}

TEST_CASE("a backup that fails to write removes what it wrote and leaves no worker paused", "[runtime][backup]") {
  sluice_test::temp_dir dir;
  sluice::cluster_options options = sluice_test::runtime_options();
  options.testing.prune_outbox = false;  // no commit after the ack, while files cannot grow
  sluice::cluster cluster{dir / "data", options};
  cluster.launch<WordsModule>(four_tasks);
  const auto lines = cluster.depot(WordsModule::lines);
  lines.append({"ann", "before"});

  const fs::path empty = dir / "empty";
  fs::create_directories(empty);
  {
    const file_size_limit disk_full{0};
    REQUIRE_THROWS_WITH(cluster.backup(empty), Catch::Contains("copy environment to '" + (empty / ".creating-words").string()));
    REQUIRE_THROWS_WITH(cluster.backup(dir / "missing"), Catch::Contains("copy environment"));
  }
  CHECK(entries(empty).empty());
  CHECK_FALSE(fs::exists(dir / "missing"));

  lines.append({"ann", "after"});  // would wait forever on a paused worker
  CHECK(cluster.pstate(WordsModule::by_author).select(path::key("ann").all()) == std::vector<std::string>{"before", "after"});
  cluster.backup(empty);
  CHECK(entries(empty) == std::vector<fs::path>{"words"});
}

TEST_CASE("a backup of the reference module restores its schedule", "[runtime][backup]") {
  sluice_test::temp_dir dir;
  const fs::path backup_dir = dir / "backup";
  sluice::cluster_options options = sluice_test::runtime_options();
  sluice::cluster cluster{dir / "data", options};
  cluster.launch<TimedNotificationsModule>({.tasks = 4, .threads = 2});
  const std::int64_t start = cluster.now_millis();
  cluster.depot(TimedNotificationsModule::scheduled_post_depot).append({"alice", "Post 1", start + 1500});

  options.simulated_start_millis = start;
  // snippet: backup
  cluster.backup(backup_dir);  // appends wait while the environments are copied; queries do not

  sluice::cluster restored{backup_dir, options};  // restoring is opening the copy
  restored.launch<TimedNotificationsModule>({.tasks = 4, .threads = 2});
  // end snippet: backup

  const auto feeds = restored.pstate(TimedNotificationsModule::feeds);
  restored.advance_time(std::chrono::milliseconds{1499});
  CHECK(feeds.select(path::key("alice").all()).empty());
  restored.advance_time(std::chrono::milliseconds{1});
  CHECK(feeds.select(path::key("alice").all()) == std::vector<std::string>{"Post 1"});
}

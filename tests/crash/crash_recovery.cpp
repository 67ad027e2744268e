// Crash recovery by real process death. sluice_crash_child (child.cpp) appends CrashModule records
// from several threads and reports every acknowledged append; these tests kill it with SIGKILL
// after a number of acks drawn from a fixed seed, start it again on the same directory, and so on.
// After the last kill the directory is recovered in this process, closed, and read straight from
// LMDB: every acknowledged record must be in the depot exactly once, and every record the
// directory knows of, acknowledged or not, must have had each of its effects applied exactly once
// (on its own task, after its hop, and on every task after the fan-out).

#include "child_process.hpp"
#include "crash_module.hpp"
#include "temp_dir.hpp"

#include <sluice/runtime/layout.hpp>
#include <sluice/runtime/outbox.hpp>
#include <sluice/storage.hpp>

#include <catch2/catch.hpp>

#include <sys/wait.h>

#include <array>
#include <charconv>
#include <csignal>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace {

namespace fs = std::filesystem;
using id_set = std::set<std::int64_t>;

using sluice_test::child_process;
using sluice_test::describe_wait_status;

// Reads the child's `acked <id>` lines.
class ack_reader {
 public:
  explicit ack_reader(int fd) noexcept : lines_(fd) {}

  // The next acknowledged id; nullopt once the child's stdout is closed.
  std::optional<std::int64_t> next() {
    const std::optional<std::string> line = lines_.next();
    if (line) return parse(*line);
    if (!lines_.unterminated().empty())
      throw std::runtime_error("the child's output ends in a partial line: " + lines_.unterminated());
    return std::nullopt;
  }

 private:
  static std::int64_t parse(std::string_view line) {
    constexpr std::string_view prefix = "acked ";
    std::int64_t id = 0;
    const char* const end = line.data() + line.size();
    if (line.starts_with(prefix)) {
      const auto [stop, error] = std::from_chars(line.data() + prefix.size(), end, id);
      if (error == std::errc{} && stop == end) return id;
    }
    throw std::runtime_error("unexpected line from the child: '" + std::string(line) + "'");
  }

  sluice_test::line_reader lines_;
};

// ---- crashing it, again and again -------------------------------------------------------------

// How the child runs, and where it is killed.
struct crash_shape {
  std::uint64_t seed;
  unsigned kills;
  std::uint32_t threads;   // worker threads
  unsigned appenders;      // threads appending at once
  std::size_t max_batch;   // most events per commit
};

// AddressSanitizer slows the child several times over: there it is killed after fewer acks, as
// often.
#if defined(__SANITIZE_ADDRESS__)
constexpr std::size_t sanitizer_slowdown = 4;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr std::size_t sanitizer_slowdown = 4;
#else
constexpr std::size_t sanitizer_slowdown = 1;
#endif
#else
constexpr std::size_t sanitizer_slowdown = 1;
#endif

// How many acks to read before each kill. A quarter of the kills come within 5 acks of a start,
// so that they land while the child launches and recovers; the rest after tens to hundreds.
// std::mt19937_64's sequence is fixed by the standard: a seed means the same plan everywhere.
std::vector<std::size_t> draw_kill_points(const crash_shape& shape) {
  std::mt19937_64 random{shape.seed};
  const auto between = [&](std::size_t low, std::size_t high) { return low + random() % (high - low + 1); };
  const auto scaled = [](std::size_t acks) { return acks / sanitizer_slowdown; };
  std::vector<std::size_t> points;
  for (unsigned kill = 0; kill < shape.kills; ++kill) {
    switch (random() % 4) {
      case 0: points.push_back(between(0, 5)); break;
      case 1: points.push_back(between(6, scaled(60))); break;
      case 2: points.push_back(between(scaled(60) + 1, scaled(250))); break;
      default: points.push_back(between(scaled(250) + 1, scaled(600))); break;
    }
  }
  return points;
}

std::vector<std::string> child_command(const crash_shape& shape, const fs::path& dir, std::int64_t run) {
  return {SLUICE_CRASH_CHILD,
          "--dir", dir.string(),
          "--run", std::to_string(run),
          "--threads", std::to_string(shape.threads),
          "--appenders", std::to_string(shape.appenders),
          "--max-batch", std::to_string(shape.max_batch)};
}

// Runs the child as run `run`, kills it once it has acknowledged `acks_before_kill` appends, and
// adds every id it acknowledged to `acked`: those read after the kill too, written before it.
void run_and_kill(const crash_shape& shape, const fs::path& dir, std::int64_t run, std::size_t acks_before_kill,
                  id_set& acked) {
  child_process child{child_command(shape, dir, run)};
  ack_reader acks{child.output()};
  for (std::size_t n = 0; n < acks_before_kill; ++n) {
    const std::optional<std::int64_t> id = acks.next();
    if (!id) FAIL("run " << run << ": the child " << describe_wait_status(child.kill_and_reap()) << " after " << n << " acks");
    acked.insert(*id);
  }
  const int status = child.kill_and_reap();
  INFO("run " << run << ": the child " << describe_wait_status(status) << " before the test killed it");
  REQUIRE((WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL));
  while (const std::optional<std::int64_t> id = acks.next()) acked.insert(*id);
}

// ---- recovering, then reading the directory ---------------------------------------------------

// Recovers the directory in this process: launches the module on it twice, as the child's next
// starts would, each time waiting for one acked append (whose id joins `acked`) before closing.
//
// A launch re-sends what the outboxes hold before it queues anything else, and the append reaches
// every task behind those messages (its hop one task, its fan-out the others), so once it is acked
// every re-sent message has been applied. Applying a re-sent first-hop message sends fan-out
// messages, which may still be pending when the cluster closes; fan-out messages send nothing.
// So after the second launch nothing is left unapplied, which read_directory checks.
void recover(const fs::path& dir, std::int64_t first_run, id_set& acked) {
  for (const std::int64_t run : {first_run, first_run + 1}) {
    sluice::cluster cluster{dir};
    cluster.launch<CrashModule>({.tasks = CrashModule::tasks, .threads = 2});
    const CrashRecord record = crash_record(run, 0);
    cluster.depot(CrashModule::records).append(record);
    acked.insert(record.id);
  }
}

// What the directory holds about one record id.
struct id_effects {
  unsigned stored = 0;         // copies of the record in the depot
  std::int64_t at_source = 0;  // counts, summed over the tasks
  std::int64_t after_hop = 0;
  std::array<std::int64_t, CrashModule::tasks> everywhere{};  // by task
};

struct directory_contents {
  std::map<std::int64_t, id_effects> ids;  // every id in the depot or in any PState
  std::size_t unapplied_hops = 0;          // outbox entries their target has not applied
};

// One task's environment, opened read-only with no cluster running.
class stored_task {
 public:
  stored_task(const fs::path& dir, std::uint32_t task)
      : env_(sluice::storage::open_environment(
            sluice::runtime::detail::task_directory(sluice::runtime::detail::module_directory(dir, CrashModule::name), task),
            {.read_only = true})) {}

  std::vector<CrashRecord> depot_records() {
    std::vector<CrashRecord> records;
    const sluice::storage::database db = find(sluice::runtime::detail::depot_database(CrashModule::records.name));
    auto txn = env_->begin_read();
    auto cursor = txn.open_cursor(db);
    for (auto entry = cursor.first(); entry; entry = cursor.next())
      records.push_back(sluice::codec::decode_value<CrashRecord>(entry->value));
    return records;
  }

  std::vector<std::pair<std::int64_t, std::int64_t>> counts(const sluice::pstate_descriptor<CrashModule::counts>& pstate) {
    const sluice::pstate_partition<CrashModule::counts> partition{find(sluice::runtime::detail::pstate_database(pstate.name))};
    auto txn = env_->begin_read();
    return partition.select(txn, sluice::path::all());
  }

  std::vector<sluice::runtime::detail::outbound_message> outbox() {
    const sluice::storage::database db = find(sluice::runtime::detail::outbox_database);
    auto txn = env_->begin_read();
    return sluice::runtime::detail::read_outbox(txn, db);
  }

  // The highest outbox sequence number of `source` applied here.
  std::uint64_t applied_from(std::uint32_t source) {
    using namespace sluice::runtime::detail;
    const sluice::storage::database db = find(applied_database);
    auto txn = env_->begin_read();
    return read_value<std::uint64_t>(txn, db, applied_key(source)).value_or(0);
  }

 private:
  // LMDB wants a database handle found before the transaction that uses it begins.
  sluice::storage::database find(std::string_view name) const {
    const auto db = env_->find_database(name);
    if (!db) throw std::runtime_error("task directory '" + env_->path().string() + "' has no database '" + std::string(name) + "'");
    return *db;
  }

  std::shared_ptr<sluice::storage::environment> env_;
};

directory_contents read_directory(const fs::path& dir) {
  std::vector<stored_task> tasks;
  for (std::uint32_t t = 0; t < CrashModule::tasks; ++t) tasks.emplace_back(dir, t);
  directory_contents contents;
  for (std::uint32_t t = 0; t < CrashModule::tasks; ++t) {
    stored_task& task = tasks[t];
    for (const CrashRecord& record : task.depot_records()) ++contents.ids[record.id].stored;
    for (const auto& [id, n] : task.counts(CrashModule::at_source)) contents.ids[id].at_source += n;
    for (const auto& [id, n] : task.counts(CrashModule::after_hop)) contents.ids[id].after_hop += n;
    for (const auto& [id, n] : task.counts(CrashModule::everywhere)) contents.ids[id].everywhere[t] += n;
    for (const auto& message : task.outbox())
      if (message.seq > tasks[message.target_task].applied_from(t)) ++contents.unapplied_hops;
  }
  return contents;
}

// ---- what must hold ---------------------------------------------------------------------------

// Every way the directory breaks exactly-once, one line each.
std::vector<std::string> violations(const directory_contents& contents, const id_set& acked) {
  std::vector<std::string> found;
  const auto expect_once = [&](std::int64_t id, std::int64_t n, const std::string& what) {
    if (n != 1) found.push_back("record " + std::to_string(id) + ": " + what + " " + std::to_string(n) + " times");
  };
  for (const std::int64_t id : acked)
    if (!contents.ids.contains(id)) found.push_back("record " + std::to_string(id) + ": acknowledged, but nowhere on disk");
  for (const auto& [id, effects] : contents.ids) {
    expect_once(id, effects.stored, "stored in the depot");
    expect_once(id, effects.at_source, "counted on its own task");
    expect_once(id, effects.after_hop, "counted after its hop");
    for (std::uint32_t t = 0; t < CrashModule::tasks; ++t)
      expect_once(id, effects.everywhere[t], "counted on task " + std::to_string(t) + " after the fan-out");
  }
  if (contents.unapplied_hops != 0)
    found.push_back(std::to_string(contents.unapplied_hops) + " hop messages still unapplied after recovery");
  return found;
}

std::string first_lines(const std::vector<std::string>& lines, std::size_t shown) {
  std::ostringstream out;
  out << lines.size() << " violations";
  for (std::size_t i = 0; i < lines.size() && i < shown; ++i) out << "\n  " << lines[i];
  return out.str();
}

// How many of the ids stored hop to another task than their own: the share of records whose
// processing crossed a commit boundary between tasks.
std::size_t hopping(const directory_contents& contents) {
  const auto task_of = [](const auto& key) { return sluice::codec::key_hash(key) % CrashModule::tasks; };
  std::size_t n = 0;
  for (const auto& [id, effects] : contents.ids) n += task_of(id) != task_of(CrashModule::hop_key(id)) ? 1 : 0;
  return n;
}

void crash_repeatedly(const crash_shape& shape) {
  sluice_test::temp_dir dir;
  id_set acked;
  const std::vector<std::size_t> kill_points = draw_kill_points(shape);
  std::int64_t run = 1;
  for (const std::size_t acks_before_kill : kill_points) run_and_kill(shape, dir.path(), run++, acks_before_kill, acked);
  recover(dir.path(), run, acked);

  const directory_contents contents = read_directory(dir.path());
  const std::size_t hopped = hopping(contents);
  INFO(acked.size() << " records acknowledged over " << kill_points.size() << " kills; " << contents.ids.size()
                    << " record ids on disk, " << hopped << " of them hopping to another task");
  const std::vector<std::string> found = violations(contents, acked);
  INFO(first_lines(found, 20));
  CHECK(found.empty());
  CHECK(hopped * 2 > contents.ids.size());  // most records cross a commit boundary between tasks
}

}  // namespace

TEST_CASE("exactly once across kill -9 at random points: one worker thread, large batches", "[crash]") {
  crash_repeatedly({.seed = 0x5eed'0001, .kills = 12, .threads = 1, .appenders = 4, .max_batch = 1000});
}

TEST_CASE("exactly once across kill -9 at random points: two worker threads, batches of at most three events", "[crash]") {
  crash_repeatedly({.seed = 0x5eed'0002, .kills = 12, .threads = 2, .appenders = 8, .max_batch = 3});
}

// Launching on a directory that already holds a module: it continues where it stopped, re-sends
// what outboxes hold without applying anything twice, and refuses directories that are not the
// module's, task counts that differ from the stored one, and directories another cluster holds.

#include "runtime_fixture.hpp"

#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

using sluice::path;
using sluice_test::sentence;

namespace {

constexpr sluice::launch_options four_tasks{.tasks = 4, .threads = 2};

const std::vector<std::string> texts{"the quick brown fox", "jumps over the lazy dog", "the dog sleeps",
                                     "a fox and a dog", "quick quick quick", "over and over"};

std::map<std::string, std::int64_t> word_model(std::size_t sentences) {
  std::map<std::string, std::int64_t> model;
  for (std::size_t i = 0; i < sentences; ++i)
    for (const auto& word : sluice_test::split_words(texts[i % texts.size()])) ++model[word];
  return model;
}

std::size_t total_words(std::size_t sentences) {
  std::size_t total = 0;
  for (const auto& [word, n] : word_model(sentences)) total += static_cast<std::size_t>(n);
  return total;
}

void append_sentences(sluice::cluster& cluster, std::size_t from, std::size_t to) {
  const auto sentences = cluster.depot(sluice_test::sentences);
  for (std::size_t i = from; i < to; ++i) sentences.append({"user-" + std::to_string(i), texts[i % texts.size()]});
}

void check_words(const sluice::cluster& cluster, const std::map<std::string, std::int64_t>& model) {
  const auto words = cluster.pstate(sluice_test::word_counts);
  for (const auto& [word, n] : model) {
    INFO(word);
    CHECK(words.select_one(path::key(word)) == n);
  }
}

// Every task has applied everything queued to it before this returns: the fan-out's messages
// reach each task behind whatever was queued there (re-sent outboxes included).
void flush(const sluice::cluster& cluster) { cluster.depot(sluice_test::announcements).append("flush"); }

std::size_t outbox_size(const sluice::cluster& cluster) {
  std::size_t total = 0;
  for (const auto& task : cluster.metrics().tasks) total += task.outbox_size;
  return total;
}

// Checks each task's depot partition holds offsets 0..n-1 and each subscription's stored offset
// is n; returns the records stored in all.
std::size_t check_depots_on_disk(const std::filesystem::path& dir) {
  std::size_t total = 0;
  for (std::uint32_t t = 0; t < 4; ++t) {
    const sluice_test::stored_task task{dir, "words", t};
    const auto offsets = task.depot_offsets("*sentences");
    for (std::size_t i = 0; i < offsets.size(); ++i) CHECK(offsets[i] == i);
    if (!offsets.empty()) CHECK(task.source_offset("core", "*sentences") == offsets.size());
    total += offsets.size();
  }
  return total;
}

}  // namespace

TEST_CASE("a relaunch continues where the last launch stopped", "[runtime][recovery]") {
  sluice_test::temp_dir dir;
  auto options = sluice_test::runtime_options();
  options.storage.durable = true;  // this one is about what is on disk
  {
    sluice::cluster cluster{dir.path(), options};
    cluster.launch(sluice_test::word_count_plan(), four_tasks);
    append_sentences(cluster, 0, 10);
  }
  CHECK(check_depots_on_disk(dir.path()) == 10);
  {
    sluice::cluster cluster{dir.path(), options};
    cluster.launch(sluice_test::word_count_plan(), {.tasks = 4, .threads = 3});  // threads may change
    check_words(cluster, word_model(10));
    append_sentences(cluster, 10, 20);
    check_words(cluster, word_model(20));
    CHECK(cluster.pstate(sluice_test::sentence_counts).select_one(path::key("user-3")) == 1);
  }
  CHECK(check_depots_on_disk(dir.path()) == 20);  // offsets went on from where they were
}

TEST_CASE("hop messages left in outboxes are delivered by the next launch", "[runtime][recovery]") {
  sluice_test::temp_dir dir;
  {
    auto options = sluice_test::runtime_options();
    options.testing.deliver_hops = false;  // as if the process died right after each commit
    sluice::cluster cluster{dir.path(), options};
    cluster.launch(sluice_test::word_count_plan(), four_tasks);
    append_sentences(cluster, 0, 12);
    const auto words = cluster.pstate(sluice_test::word_counts);
    for (const auto& [word, n] : word_model(12)) CHECK(words.select(path::key(word)).empty());
    CHECK(outbox_size(cluster) == total_words(12));
  }
  std::size_t on_disk = 0;
  for (std::uint32_t t = 0; t < 4; ++t) on_disk += sluice_test::stored_task{dir.path(), "words", t}.outbox_entries();
  CHECK(on_disk == total_words(12));

  sluice::cluster cluster{dir.path(), sluice_test::runtime_options()};
  cluster.launch(sluice_test::word_count_plan(), four_tasks);
  flush(cluster);
  check_words(cluster, word_model(12));
  flush(cluster);
  CHECK(outbox_size(cluster) <= 4);  // all pruned but, perhaps, the last flush's own messages
}

TEST_CASE("messages applied but never pruned are skipped when re-sent", "[runtime][recovery]") {
  sluice_test::temp_dir dir;
  {
    auto options = sluice_test::runtime_options();
    options.testing.prune_outbox = false;  // as if the process died between a target's commit and the prune
    sluice::cluster cluster{dir.path(), options};
    cluster.launch(sluice_test::word_count_plan(), four_tasks);
    append_sentences(cluster, 0, 12);
    check_words(cluster, word_model(12));
    CHECK(outbox_size(cluster) == total_words(12));
  }
  sluice::cluster cluster{dir.path(), sluice_test::runtime_options()};
  cluster.launch(sluice_test::word_count_plan(), four_tasks);
  flush(cluster);
  check_words(cluster, word_model(12));  // not twice
  append_sentences(cluster, 12, 14);
  check_words(cluster, word_model(14));
  flush(cluster);
  CHECK(outbox_size(cluster) <= 4);
}

TEST_CASE("a task count other than the stored one is refused, and the data kept", "[runtime][recovery]") {
  sluice_test::temp_dir dir;
  {
    sluice::cluster cluster{dir.path(), sluice_test::runtime_options()};
    cluster.launch(sluice_test::word_count_plan(), four_tasks);
    append_sentences(cluster, 0, 3);
  }
  {
    sluice::cluster cluster{dir.path(), sluice_test::runtime_options()};
    CHECK_THROWS_WITH(cluster.launch(sluice_test::word_count_plan(), {.tasks = 2, .threads = 1}),
                      Catch::Contains("created with 4 tasks and cannot be launched with 2"));
    CHECK_THROWS_WITH(cluster.launch(sluice_test::word_count_plan(), {.tasks = 8, .threads = 1}),
                      Catch::Contains("created with 4 tasks and cannot be launched with 8"));
  }
  sluice::cluster cluster{dir.path(), sluice_test::runtime_options()};
  cluster.launch(sluice_test::word_count_plan(), four_tasks);
  check_words(cluster, word_model(3));
}

TEST_CASE("a task environment that cannot be mapped is reported as such, not as a foreign directory",
          "[runtime][recovery]") {
  sluice_test::temp_dir dir;
  {
    sluice::cluster cluster{dir.path(), sluice_test::runtime_options()};
    cluster.launch(sluice_test::word_count_plan(), four_tasks);
    append_sentences(cluster, 0, 3);
  }
  {
    auto options = sluice_test::runtime_options();
    options.storage.map_size = std::size_t{1} << 62;
    sluice::cluster cluster{dir.path(), options};
    try {
      cluster.launch(sluice_test::word_count_plan(), four_tasks);
      FAIL("launching with a 4 EiB map succeeded");
    } catch (const sluice::cluster_error& error) {
      CHECK_THAT(error.what(), Catch::Contains("cannot open task 0 of the module 'words'") &&
                                   Catch::Contains("out of address space") && !Catch::Contains("is not task"));
    }
  }
  sluice::cluster cluster{dir.path(), sluice_test::runtime_options()};
  cluster.launch(sluice_test::word_count_plan(), four_tasks);
  check_words(cluster, word_model(3));
}

TEST_CASE("a directory that is not the module's is refused and left alone", "[runtime][recovery]") {
  sluice_test::temp_dir dir;
  const auto module_dir = dir.path() / "words";
  const auto task_0 = module_dir / "task-0";
  const auto refused = [&](const std::string& why) {
    sluice::cluster cluster{dir.path(), sluice_test::runtime_options()};
    CHECK_THROWS_WITH(cluster.launch(sluice_test::word_count_plan(), four_tasks), Catch::Contains(why));
  };

  SECTION("someone else's files") {
    std::filesystem::create_directories(module_dir);
    std::ofstream{module_dir / "notes.txt"} << "mine";
    refused("is not task 0 of a sluice module 'words'");
    CHECK(std::filesystem::exists(module_dir / "notes.txt"));
    CHECK_FALSE(std::filesystem::exists(task_0));
  }
  SECTION("a file where the module's directory would be") {
    std::ofstream{module_dir} << "mine";
    refused("is not a directory");
  }
  SECTION("a data file that is not LMDB's") {
    std::filesystem::create_directories(task_0);
    std::ofstream{task_0 / "data.mdb"} << std::string(8192, 'x');
    refused("is not task 0 of a sluice module 'words'");
    CHECK(std::filesystem::file_size(task_0 / "data.mdb") == 8192);
  }
  SECTION("an LMDB environment without sluice's meta") {
    sluice::storage::open_environment(task_0, {.map_size = std::size_t{64} << 20});
    refused("it has no 'sluice:meta' database");
  }
  SECTION("corrupt meta") {
    {
      auto env = sluice::storage::open_environment(task_0, {.map_size = std::size_t{64} << 20});
      auto txn = env->begin_write();
      const auto meta = env->open_database(txn, "sluice:meta");
      txn.put(meta, "format", "\xff\xff\xff\xff\xff\xff");
      txn.commit();
    }
    refused("its meta is corrupt");
  }
  SECTION("another module's directory") {
    {
      sluice::cluster cluster{dir.path(), sluice_test::runtime_options()};
      cluster.launch(sluice_test::word_count_plan("other"), four_tasks);
    }
    std::filesystem::rename(dir.path() / "other", module_dir);
    refused("its module name is 'other', expected 'words'");
  }
}

TEST_CASE("a module directory is created whole: a half-built one is discarded", "[runtime][recovery]") {
  sluice_test::temp_dir dir;
  const auto staging = dir.path() / ".creating-words";
  std::filesystem::create_directories(staging / "task-0");
  std::ofstream{staging / "task-0" / "data.mdb"} << "half-written";
  sluice::cluster cluster{dir.path(), sluice_test::runtime_options()};
  cluster.launch(sluice_test::word_count_plan(), four_tasks);
  append_sentences(cluster, 0, 1);
  CHECK_FALSE(std::filesystem::exists(staging));
  for (std::uint32_t t = 0; t < 4; ++t) CHECK(std::filesystem::exists(dir.path() / "words" / ("task-" + std::to_string(t)) / "data.mdb"));
}

TEST_CASE("a data directory is held by one cluster at a time", "[runtime][recovery][lock]") {
  sluice_test::temp_dir dir;
  const std::string pid = std::to_string(::getpid());
  {
    sluice::cluster first{dir.path(), sluice_test::runtime_options()};

    SECTION("a second cluster in this process") {
      try {
        sluice::cluster second{dir.path(), sluice_test::runtime_options()};
        FAIL("a second cluster opened a locked directory");
      } catch (const sluice::cluster_error& e) {
        CHECK_THAT(e.what(), Catch::Contains(dir.path().string()) && Catch::Contains("pid " + pid));
      }
    }
    SECTION("a cluster in another process") {
      // `first` has launched nothing, so this process has no other threads to trouble fork().
      const ::pid_t child = ::fork();
      REQUIRE(child >= 0);
      if (child == 0) {
        int status = 1;  // opened: wrong
        try {
          sluice::cluster second{dir.path(), sluice_test::runtime_options()};
        } catch (const sluice::cluster_error& e) {
          const std::string what = e.what();
          status = what.find("in use by process " + pid) != std::string::npos ? 0 : 2;
        } catch (...) {
          status = 3;
        }
        ::_exit(status);
      }
      int status = 0;
      REQUIRE(::waitpid(child, &status, 0) == child);
      REQUIRE(WIFEXITED(status));
      CHECK(WEXITSTATUS(status) == 0);
    }
  }
  CHECK_NOTHROW(sluice::cluster{dir.path(), sluice_test::runtime_options()});  // released with its holder
}

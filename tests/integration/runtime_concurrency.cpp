// Many client threads at once: appending with every ack level from shared and private clients,
// querying while workers commit, and reading metrics, on a module with more tasks than threads.

#include "runtime_fixture.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <cstdint>
#include <future>
#include <map>
#include <string>
#include <thread>
#include <vector>

using sluice::path;
using sluice_test::sentence;

namespace {

constexpr std::uint32_t task_count = 4;
const std::vector<std::string> vocabulary{"alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta"};

// Catch2 assertions belong to the main thread: other threads count what went wrong.
struct tally {
  std::atomic<int> failures{0};

  template <class Body>
  void run(Body body) {
    try {
      body();
    } catch (...) {
      ++failures;
    }
  }
};

std::string text_for(int writer, int i) {
  return vocabulary[static_cast<std::size_t>(writer + i) % vocabulary.size()] + " " +
         vocabulary[static_cast<std::size_t>(i) % vocabulary.size()];
}

// A key of the form `prefix-<n>` whose owner is `task`.
std::string key_on_task(const std::string& prefix, std::uint32_t task) {
  for (int n = 0;; ++n) {
    std::string key = prefix + "-" + std::to_string(n);
    if (sluice::codec::key_hash(key) % task_count == task) return key;
  }
}

// Returns once every event queued so far, and every hop it caused, has committed: an acked
// sentence from each task, with a word owned by each task, queued behind all of them.
void flush(const sluice::cluster& cluster) {
  std::string words;
  for (std::uint32_t t = 0; t < task_count; ++t) words += key_on_task("flush", t) + " ";
  const auto sentences = cluster.depot(sluice_test::sentences);
  for (std::uint32_t t = 0; t < task_count; ++t) sentences.append({key_on_task("flusher", t), words});
}

}  // namespace

TEST_CASE("client threads append and query at once", "[runtime][concurrency]") {
  constexpr int writers = 4;
  constexpr int appends_per_writer = 150;
  sluice_test::temp_dir dir;
  sluice::cluster cluster{dir.path(), sluice_test::runtime_options()};
  cluster.launch(sluice_test::word_count_plan(), {.tasks = task_count, .threads = 2});
  const auto shared_depot = cluster.depot(sluice_test::sentences);
  const auto words = cluster.pstate(sluice_test::word_counts);

  tally writes;
  tally reads;
  std::atomic<int> regressions{0};
  std::atomic<bool> writing{true};
  std::vector<std::thread> threads;
  for (int w = 0; w < writers; ++w) {
    threads.emplace_back([&, w] {
      writes.run([&] {
        const auto own_depot = cluster.depot(sluice_test::sentences);  // a client per thread, or one shared
        const auto& depot = w % 2 == 0 ? shared_depot : own_depot;
        std::vector<std::future<void>> pending;
        for (int i = 0; i < appends_per_writer; ++i) {
          const sentence s{"writer-" + std::to_string(w) + "-" + std::to_string(i % 10), text_for(w, i)};
          switch (i % 3) {
            case 0: depot.append(s); break;
            case 1: pending.push_back(depot.append_async(s, sluice::ack_level::append_ack)); break;
            default: depot.append(s, sluice::ack_level::none); break;
          }
        }
        for (auto& ack : pending) ack.get();
      });
    });
  }
  for (int r = 0; r < 2; ++r) {
    threads.emplace_back([&] {
      reads.run([&] {
        std::map<std::string, std::int64_t> last;
        while (writing.load()) {
          for (const auto& word : vocabulary) {
            const auto found = words.select(path::key(word));
            const std::int64_t now = found.empty() ? 0 : found.front();
            if (now < last[word]) ++regressions;  // each snapshot is at least as new as the one before
            last[word] = now;
          }
          static_cast<void>(cluster.metrics());
        }
      });
    });
  }
  for (int w = 0; w < writers; ++w) threads[static_cast<std::size_t>(w)].join();
  writing = false;
  for (std::size_t t = writers; t < threads.size(); ++t) threads[t].join();
  CHECK(writes.failures == 0);
  CHECK(reads.failures == 0);
  CHECK(regressions == 0);

  flush(cluster);
  std::map<std::string, std::int64_t> expected;
  for (int w = 0; w < writers; ++w)
    for (int i = 0; i < appends_per_writer; ++i)
      for (const auto& word : sluice_test::split_words(text_for(w, i))) ++expected[word];
  for (const auto& [word, n] : expected) {
    INFO(word);
    CHECK(words.select_one(path::key(word)) == n);
  }
  const auto ids = cluster.pstate(sluice_test::sentence_counts);
  for (int w = 0; w < writers; ++w)
    CHECK(ids.select_one(path::key("writer-" + std::to_string(w) + "-3")) == appends_per_writer / 10);

  std::uint64_t failed = 0;
  for (const auto& task : cluster.metrics().tasks) failed += task.failed_events;
  CHECK(failed == 0);
}

TEST_CASE("modules launch and stop while others run", "[runtime][concurrency]") {
  sluice_test::temp_dir dir;
  sluice::cluster cluster{dir.path(), sluice_test::runtime_options()};
  cluster.launch(sluice_test::word_count_plan("first"), {.tasks = 2, .threads = 2});
  const auto first = cluster.depot(sluice_test::sentences);
  std::atomic<bool> appending{true};
  tally appends;
  std::thread appender{[&] {
    appends.run([&] {
      for (int i = 0; appending.load(); ++i) first.append({"id-" + std::to_string(i), "word"}, sluice::ack_level::append_ack);
    });
  }};
  cluster.launch(sluice_test::word_count_plan("second"), {.tasks = 3, .threads = 2});
  static_cast<void>(cluster.metrics());
  appending = false;
  appender.join();
  CHECK(appends.failures == 0);
  CHECK(cluster.metrics().tasks.size() == 5);
}

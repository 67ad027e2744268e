// Threads over one environment: a writer committing while readers take snapshots, and
// open_environment called concurrently.

#include "temp_dir.hpp"

#include <sluice/storage.hpp>

#include <catch2/catch.hpp>

#include <atomic>
#include <cstdint>
#include <latch>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace storage = sluice::storage;

namespace {

// Small enough for ThreadSanitizer, which cannot shadow the default terabyte of address space.
constexpr storage::environment_options test_options{.map_size = std::size_t{64} << 20, .durable = false};

// Catch2 assertions belong to the main thread: other threads count what went wrong, exceptions
// included, and the main thread checks the counts.
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

std::uint64_t as_number(std::optional<std::string_view> value) {
  return value ? std::stoull(std::string(*value)) : 0;
}

// Keys "a" and "b" of `db`, always written together with the same, increasing number.
struct pair_store {
  std::shared_ptr<storage::environment> env;
  storage::database db;

  void write(std::uint64_t number) const {
    auto txn = env->begin_write();
    txn.put(db, "a", std::to_string(number));
    txn.put(db, "b", std::to_string(number));
    txn.commit();
  }

  // Reads the pair in one snapshot, "a" by lookup and "b" through a cursor; nullopt if torn.
  std::optional<std::uint64_t> read() const {
    auto txn = env->begin_read();
    const auto a = as_number(txn.get(db, "a"));
    auto cursor = txn.open_cursor(db);
    const auto b = cursor.seek_exact("b");
    if (a != as_number(b ? std::optional{b->value} : std::nullopt)) return std::nullopt;
    return a;
  }
};

}  // namespace

TEST_CASE("readers see consistent snapshots while a writer commits") {
  constexpr int reader_count = 4;
  constexpr std::uint64_t commits = 2000;
  sluice_test::temp_dir tmp;
  pair_store store{storage::open_environment(tmp.path(), test_options), {}};
  {
    auto txn = store.env->begin_write();
    store.db = store.env->open_database(txn, "pair");  // before other threads run, as LMDB requires
    txn.commit();
  }

  tally bad;  // torn or backward reads, and exceptions
  std::atomic<bool> writer_done{false};
  std::atomic<std::uint64_t> snapshots{0};
  std::latch readers_started{reader_count};

  std::vector<std::thread> readers;
  for (int r = 0; r < reader_count; ++r) {
    readers.emplace_back([&] {
      readers_started.count_down();
      bad.run([&] {
        std::uint64_t last_seen = 0;
        for (bool final_round = false; !final_round;) {
          final_round = writer_done.load();  // one more snapshot once the writer has finished
          const auto seen = store.read();
          if (!seen || *seen < last_seen || (final_round && *seen != commits)) ++bad.failures;
          last_seen = seen.value_or(last_seen);
          ++snapshots;
        }
      });
    });
  }
  std::thread writer{[&] {
    readers_started.wait();
    bad.run([&] {
      for (std::uint64_t i = 1; i <= commits; ++i) store.write(i);
    });
    writer_done = true;
  }};

  writer.join();
  for (auto& reader : readers) reader.join();
  CHECK(bad.failures == 0);
  CHECK(snapshots >= reader_count);
}

TEST_CASE("open_environment from many threads yields one instance per directory") {
  constexpr int thread_count = 8;
  constexpr int rounds = 50;
  sluice_test::temp_dir tmp;
  tally bad;
  std::latch start{thread_count};

  std::vector<std::thread> threads;
  for (int t = 0; t < thread_count; ++t) {
    threads.emplace_back([&] {
      start.arrive_and_wait();
      bad.run([&] {
        // Opened and dropped over and over: each open either shares the live instance or waits
        // for its last owner to finish closing it, then opens it afresh.
        for (int round = 0; round < rounds; ++round) {
          auto env = storage::open_environment(tmp.path(), test_options);
          if (storage::open_environment(tmp / ".", test_options) != env) ++bad.failures;
          auto txn = env->begin_read();
          if (txn.native_handle() == nullptr) ++bad.failures;
        }
      });
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(bad.failures == 0);
}

// A full LMDB map: storage_full, a dead transaction that aborts cleanly, and an environment that
// keeps everything committed before and goes on working.

#include "temp_dir.hpp"

#include <sluice/storage.hpp>

#include <catch2/catch.hpp>

#include <memory>
#include <optional>
#include <string>

namespace storage = sluice::storage;
using Catch::Matchers::Contains;

namespace {

constexpr std::size_t one_mib = std::size_t{1} << 20;
constexpr int batch_size = 50;

std::string key_of(int batch, int i) { return "batch-" + std::to_string(batch) + "-" + std::to_string(i); }
std::string value_of(int batch, int i) { return std::string(1000, static_cast<char>('a' + (batch + i) % 26)); }

// An environment with a 1 MiB map, an empty database "things" and 100 KB in "scratch".
struct fixture {
  sluice_test::temp_dir tmp;
  std::shared_ptr<storage::environment> env =
      storage::open_environment(tmp.path(), {.map_size = one_mib, .durable = false});
  storage::database db = create("things");
  storage::database scratch = create("scratch");

  storage::database create(std::string_view name) {
    auto txn = env->begin_write();
    const auto created = env->open_database(txn, name);
    if (name == "scratch")
      for (int i = 0; i < 100; ++i) txn.put(created, std::to_string(i), std::string(1000, 's'));
    txn.commit();
    return created;
  }

  void write_batch(storage::write_txn& txn, int batch) const {
    for (int i = 0; i < batch_size; ++i) txn.put(db, key_of(batch, i), value_of(batch, i));
  }

  void require_batches_intact(int batches) const {
    auto txn = env->begin_read();
    REQUIRE(txn.entries(db) == static_cast<std::size_t>(batches * batch_size));
    for (int batch = 0; batch < batches; ++batch)
      for (int i = 0; i < batch_size; ++i) REQUIRE(txn.get(db, key_of(batch, i)) == value_of(batch, i));
  }
};

void check_is_map_full(const sluice::storage_full& full) {
  CHECK(full.code() == MDB_MAP_FULL);
  CHECK_THAT(full.what(), Contains("raise environment_options::map_size"));
  CHECK_THAT(full.what(), Contains("MDB_MAP_FULL"));
}

}  // namespace

TEST_CASE_METHOD(fixture, "filling the map throws storage_full and the environment survives it") {
  int committed = 0;
  std::optional<storage::write_txn> failed;
  for (;; ++committed) {
    REQUIRE(committed < 100);  // 1 MiB cannot hold 100 batches of 50 KB
    auto txn = env->begin_write();
    try {
      write_batch(txn, committed);
      txn.commit();
    } catch (const sluice::storage_full& full) {
      check_is_map_full(full);
      CHECK((full.operation() == "put" || full.operation() == "commit"));
      failed.emplace(std::move(txn));
      break;
    }
  }
  REQUIRE(committed >= 5);

  // The transaction that hit the limit is dead: every use is a plain, clear storage_error.
  try {
    failed->put(db, "one more", "x");
    FAIL("a failed transaction accepted a put");
  } catch (const sluice::storage_full&) {
    FAIL("a dead transaction reported storage_full again");
  } catch (const sluice::storage_error& error) {
    CHECK(error.code() == 0);
    CHECK_THAT(error.what(), Contains("can only be aborted") || Contains("already ended"));
  }
  CHECK_THROWS_AS(failed->commit(), sluice::storage_error);
  failed->abort();

  require_batches_intact(committed);

  // Once the map is full even small writes can fail: LMDB needs free pages to copy on write.
  // Dropping a database's pages needs none, and makes room for new writes again.
  {
    auto txn = env->begin_write();
    txn.clear(scratch);
    txn.commit();
  }
  {
    auto txn = env->begin_write();
    txn.put(db, "small", "write");
    txn.commit();
  }
  {
    auto txn = env->begin_write();
    REQUIRE(txn.erase(db, "small"));
    write_batch(txn, committed);
    txn.commit();
  }
  require_batches_intact(committed + 1);
}

TEST_CASE_METHOD(fixture, "a single value larger than the map throws storage_full") {
  {
    auto txn = env->begin_write();
    txn.put(db, "before", "kept");
    txn.commit();
  }
  auto txn = env->begin_write();
  txn.put(db, "in the same transaction", "lost with it");
  try {
    txn.put(db, "huge", std::string(2 * one_mib, 'h'));
    FAIL("a value twice the map's size was stored");
  } catch (const sluice::storage_full& full) {
    check_is_map_full(full);
    CHECK(full.operation() == "put");
  }
  CHECK_THROWS_WITH(txn.get(db, "before"), Contains("the transaction failed in 'put' and can only be aborted"));
  txn.abort();

  auto reader = env->begin_read();
  CHECK(reader.get(db, "before") == "kept");
  CHECK(reader.get(db, "in the same transaction") == std::nullopt);
  CHECK(reader.get(db, "huge") == std::nullopt);

  auto next = env->begin_write();
  next.put(db, "after", "fine");
  next.commit();
  CHECK(env->begin_read().get(db, "after") == "fine");
}

TEST_CASE_METHOD(fixture, "a nested transaction that fills the map aborts without harming its parent") {
  auto parent = env->begin_write();
  parent.put(db, "parent", "kept");
  {
    auto child = parent.begin_nested();
    CHECK_THROWS_AS(child.put(db, "huge", std::string(2 * one_mib, 'h')), sluice::storage_full);
    CHECK_THROWS_WITH(child.commit(), Contains("can only be aborted"));
    child.abort();
  }
  CHECK(parent.get(db, "parent") == "kept");
  parent.put(db, "parent too", "kept");
  parent.commit();

  auto reader = env->begin_read();
  CHECK(reader.get(db, "parent") == "kept");
  CHECK(reader.get(db, "parent too") == "kept");
  CHECK(reader.get(db, "huge") == std::nullopt);
}

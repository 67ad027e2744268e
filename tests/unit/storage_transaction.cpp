// sluice::storage::read_txn and write_txn: reads and writes, commit and abort, nesting, snapshots,
// threads, and the errors of misuse.

#include "temp_dir.hpp"

#include <sluice/storage.hpp>

#include <catch2/catch.hpp>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <type_traits>

namespace storage = sluice::storage;
using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;

namespace {

template <class Txn>
concept can_write = requires(Txn& txn, storage::database db) {
  txn.put(db, std::string_view{}, std::string_view{});
  txn.commit();
};

static_assert(!can_write<storage::read_txn>, "a read transaction has no member that writes");
static_assert(can_write<storage::write_txn>);
static_assert(!std::is_same_v<storage::read_txn, storage::write_txn>);
static_assert(!std::is_convertible_v<storage::write_txn&, storage::read_txn&>);
static_assert(!std::is_convertible_v<storage::read_txn&, storage::write_txn&>);
static_assert(!std::is_copy_constructible_v<storage::read_txn>);
static_assert(!std::is_copy_constructible_v<storage::write_txn>);
static_assert(std::is_nothrow_move_constructible_v<storage::read_txn>);
static_assert(std::is_nothrow_move_assignable_v<storage::write_txn>);

// An environment with one database, "things".
struct fixture {
  sluice_test::temp_dir tmp;
  std::shared_ptr<storage::environment> env = storage::open_environment(tmp.path(), {.durable = false});
  storage::database db = create("things");

  storage::database create(std::string_view name) {
    auto txn = env->begin_write();
    const auto created = env->open_database(txn, name);
    txn.commit();
    return created;
  }

  std::optional<std::string> committed(std::string_view key) const {
    auto txn = env->begin_read();
    const auto value = txn.get(db, key);
    return value ? std::optional<std::string>{*value} : std::nullopt;
  }
};

}  // namespace

TEST_CASE_METHOD(fixture, "put, get, insert, erase, clear and entries") {
  auto txn = env->begin_write();
  CHECK(txn.get(db, "a") == std::nullopt);
  txn.put(db, "a", "1");
  CHECK(txn.get(db, "a") == "1");
  txn.put(db, "a", "2");
  CHECK(txn.get(db, "a") == "2");

  CHECK(txn.insert(db, "b", "1"));
  CHECK_FALSE(txn.insert(db, "b", "2"));
  CHECK(txn.get(db, "b") == "1");

  txn.put(db, "empty value", "");
  CHECK(txn.get(db, "empty value") == "");
  txn.put(db, std::string_view{"bin\0ary", 7}, std::string_view{"\0\1\2", 3});
  CHECK(txn.get(db, std::string_view{"bin\0ary", 7}) == std::string_view{"\0\1\2", 3});
  CHECK(txn.entries(db) == 4);

  CHECK(txn.erase(db, "a"));
  CHECK_FALSE(txn.erase(db, "a"));
  CHECK(txn.get(db, "a") == std::nullopt);
  CHECK(txn.entries(db) == 3);

  txn.clear(db);
  CHECK(txn.entries(db) == 0);
  txn.put(db, "after clear", "x");
  txn.commit();

  CHECK(committed("after clear") == "x");
  CHECK(committed("b") == std::nullopt);
}

TEST_CASE_METHOD(fixture, "databases are separate key spaces") {
  const auto other = create("other");
  auto txn = env->begin_write();
  txn.put(db, "key", "in things");
  txn.put(other, "key", "in other");
  CHECK(txn.get(db, "key") == "in things");
  CHECK(txn.get(other, "key") == "in other");
}

TEST_CASE_METHOD(fixture, "commit publishes while abort and destruction discard") {
  {
    auto txn = env->begin_write();
    txn.put(db, "committed", "1");
    txn.commit();
    txn.abort();  // a no-op once ended
  }
  {
    auto txn = env->begin_write();
    txn.put(db, "aborted", "1");
    txn.abort();
    CHECK_THROWS_WITH(txn.put(db, "after abort", "1"), Contains("the transaction has already ended"));
  }
  {
    auto txn = env->begin_write();
    txn.put(db, "destroyed", "1");
  }
  CHECK(committed("committed") == "1");
  CHECK(committed("aborted") == std::nullopt);
  CHECK(committed("destroyed") == std::nullopt);
}

TEST_CASE_METHOD(fixture, "a moved transaction carries on and the moved-from one has ended") {
  auto first = env->begin_write();
  first.put(db, "key", "1");
  storage::write_txn second = std::move(first);
  CHECK(second.get(db, "key") == "1");
  CHECK(first.native_handle() == nullptr);  // NOLINT(bugprone-use-after-move): checking the moved-from state
  CHECK_THROWS_WITH(first.get(db, "key"), Contains("already ended"));
  second.commit();
  CHECK(committed("key") == "1");

  auto reader = env->begin_read();
  auto other_reader = env->begin_read();
  reader = std::move(other_reader);  // ends the snapshot reader held
  CHECK(reader.get(db, "key") == "1");
}

TEST_CASE_METHOD(fixture, "a nested transaction merges on commit and vanishes on abort") {
  auto parent = env->begin_write();
  parent.put(db, "parent", "1");
  {
    auto child = parent.begin_nested();
    CHECK(child.get(db, "parent") == "1");
    child.put(db, "merged", "1");
    child.put(db, "parent", "changed by child");
    child.commit();
  }
  CHECK(parent.get(db, "merged") == "1");
  CHECK(parent.get(db, "parent") == "changed by child");
  {
    auto child = parent.begin_nested();
    child.put(db, "discarded", "1");
    CHECK(child.erase(db, "merged"));
    child.abort();
  }
  {
    auto child = parent.begin_nested();
    child.put(db, "destroyed", "1");
  }
  CHECK(parent.get(db, "discarded") == std::nullopt);
  CHECK(parent.get(db, "destroyed") == std::nullopt);
  CHECK(parent.get(db, "merged") == "1");
  {
    auto child = parent.begin_nested();
    auto grandchild = child.begin_nested();
    grandchild.put(db, "deep", "1");
    grandchild.commit();
    child.commit();
  }
  parent.commit();

  CHECK(committed("parent") == "changed by child");
  CHECK(committed("merged") == "1");
  CHECK(committed("deep") == "1");
  CHECK(committed("discarded") == std::nullopt);
}

TEST_CASE_METHOD(fixture, "a parent used while its nested transaction is open throws") {
  auto parent = env->begin_write();
  auto parent_cursor = parent.open_cursor(db);
  parent.put(db, "key", "1");
  auto child = parent.begin_nested();

  const auto in_use = Contains("a nested transaction is open");
  CHECK_THROWS_WITH(parent.get(db, "key"), in_use);
  CHECK_THROWS_WITH(parent.put(db, "key", "2"), in_use);
  CHECK_THROWS_WITH(parent.insert(db, "other", "2"), in_use);
  CHECK_THROWS_WITH(parent.erase(db, "key"), in_use);
  CHECK_THROWS_WITH(parent.clear(db), in_use);
  CHECK_THROWS_WITH(parent.entries(db), in_use);
  CHECK_THROWS_WITH(parent.open_cursor(db), in_use);
  CHECK_THROWS_WITH(parent.begin_nested(), in_use);
  CHECK_THROWS_WITH(parent.commit(), in_use);
  CHECK_THROWS_WITH(env->open_database(parent, "another"), in_use);
  CHECK_THROWS_WITH(parent_cursor.first(), in_use);

  child.put(db, "key", "from child");
  child.commit();
  CHECK(parent.get(db, "key") == "from child");
  CHECK(parent_cursor.first() == storage::entry{"key", "from child"});
  parent.commit();
  CHECK(committed("key") == "from child");
}

TEST_CASE_METHOD(fixture, "aborting a parent ends its open nested transaction too") {
  auto parent = env->begin_write();
  parent.put(db, "key", "1");
  auto child = parent.begin_nested();
  child.put(db, "child", "1");
  auto child_cursor = child.open_cursor(db);

  parent.abort();
  CHECK_THROWS_WITH(child.get(db, "key"), Contains("already ended"));
  CHECK_THROWS_WITH(child_cursor.first(), Contains("cursor: used after its transaction ended"));
  CHECK(committed("key") == std::nullopt);

  auto next = env->begin_write();  // the writer lock was released
  next.put(db, "key", "2");
  next.commit();
  CHECK(committed("key") == "2");
}

TEST_CASE_METHOD(fixture, "moving a parent or its child keeps them linked") {
  auto parent = env->begin_write();
  auto child = parent.begin_nested();
  storage::write_txn moved_parent = std::move(parent);
  storage::write_txn moved_child = std::move(child);
  CHECK_THROWS_WITH(moved_parent.get(db, "key"), Contains("a nested transaction is open"));
  moved_child.put(db, "key", "1");
  moved_child.commit();
  CHECK(moved_parent.get(db, "key") == "1");
  moved_parent.commit();
  CHECK(committed("key") == "1");
}

TEST_CASE_METHOD(fixture, "a read transaction is a snapshot") {
  {
    auto txn = env->begin_write();
    txn.put(db, "key", "old");
    txn.commit();
  }
  auto snapshot = env->begin_read();
  {
    auto txn = env->begin_write();
    txn.put(db, "key", "new");
    txn.put(db, "added", "1");
    txn.commit();
  }
  CHECK(snapshot.get(db, "key") == "old");
  CHECK(snapshot.get(db, "added") == std::nullopt);
  CHECK(snapshot.entries(db) == 1);
  CHECK(env->begin_read().get(db, "key") == "new");
}

TEST_CASE_METHOD(fixture, "a read transaction begun on one thread is used and ended on another") {
  {
    auto txn = env->begin_write();
    txn.put(db, "key", "before");
    txn.commit();
  }
  auto snapshot = env->begin_read();
  {
    auto txn = env->begin_write();
    txn.put(db, "key", "after");
    txn.commit();
  }
  std::optional<std::string> seen;
  std::thread other{[&seen, txn = std::move(snapshot), this]() mutable {
    const auto value = txn.get(db, "key");
    seen = value ? std::optional<std::string>{*value} : std::nullopt;
    txn.abort();
  }};
  other.join();
  CHECK(seen == "before");
}

TEST_CASE_METHOD(fixture, "errors name the operation that failed") {
  auto txn = env->begin_write();
  try {
    txn.put(db, "", "empty keys are not allowed");
    FAIL("put with an empty key succeeded");
  } catch (const sluice::storage_error& error) {
    CHECK(error.operation() == "put");
    CHECK(error.code() == MDB_BAD_VALSIZE);
    CHECK_THAT(error.what(), Contains("sluice storage: put: MDB_BAD_VALSIZE"));
  }
  txn.put(db, "key", "the transaction is still usable after a rejected argument");

  try {
    txn.put(db, std::string(1000, 'k'), "keys are limited to 511 bytes");
    FAIL("put with an oversized key succeeded");
  } catch (const sluice::storage_error& error) {
    CHECK(error.operation() == "put");
  }
  txn.commit();

  try {
    txn.commit();
    FAIL("a second commit succeeded");
  } catch (const sluice::storage_error& error) {
    CHECK(error.operation() == "commit");
    CHECK(error.code() == 0);
    CHECK(std::string_view{error.what()} == "sluice storage: commit: the transaction has already ended");
  }
  CHECK_THROWS_WITH(txn.entries(db), StartsWith("sluice storage: entries:"));
  CHECK(committed("key").has_value());
}

TEST_CASE_METHOD(fixture, "a database opened in an aborted transaction is gone with it") {
  {
    auto txn = env->begin_write();
    const auto created = env->open_database(txn, "short-lived");
    txn.put(created, "key", "value");
  }
  CHECK(env->find_database("short-lived") == std::nullopt);
  CHECK(env->find_database("things") == db);
}

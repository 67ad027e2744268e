// sluice::storage::read_cursor and write_cursor: ordered positioning, erasing while iterating, and
// cursors that outlive their transaction.

#include "temp_dir.hpp"

#include <sluice/storage.hpp>

#include <catch2/catch.hpp>

#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

namespace storage = sluice::storage;
using Catch::Matchers::Contains;

static_assert(!std::is_copy_constructible_v<storage::read_cursor>);
static_assert(!std::is_copy_assignable_v<storage::write_cursor>);
static_assert(std::is_nothrow_move_constructible_v<storage::read_cursor>);
static_assert(std::is_nothrow_move_assignable_v<storage::write_cursor>);

namespace {

constexpr const char* ended_message = "sluice storage: cursor: used after its transaction ended";

std::string key_of(int i) {
  std::string key = std::to_string(i);
  return std::string(3 - key.size(), '0') + key;  // "000" .. "999": bytewise order is numeric order
}

// An environment whose database "things" holds the keys 000, 002, ..., 198, each with value "v<key>".
struct fixture {
  sluice_test::temp_dir tmp;
  std::shared_ptr<storage::environment> env = storage::open_environment(tmp.path(), {.durable = false});
  storage::database db = fill();

  storage::database fill() {
    auto txn = env->begin_write();
    const auto things = env->open_database(txn, "things");
    for (int i = 0; i < 200; i += 2) txn.put(things, key_of(i), "v" + key_of(i));
    txn.commit();
    return things;
  }

  template <class Cursor>
  static std::vector<std::string> keys_forward(Cursor& cursor) {
    std::vector<std::string> keys;
    for (auto entry = cursor.first(); entry; entry = cursor.next()) keys.emplace_back(entry->key);
    return keys;
  }

  std::vector<std::string> expected_keys(int step) const {
    std::vector<std::string> keys;
    for (int i = 0; i < 200; i += step) keys.push_back(key_of(i));
    return keys;
  }
};

}  // namespace

TEST_CASE_METHOD(fixture, "a cursor iterates in key order, both ways") {
  auto txn = env->begin_read();
  auto cursor = txn.open_cursor(db);
  CHECK(keys_forward(cursor) == expected_keys(2));
  CHECK(cursor.next() == std::nullopt);

  std::vector<std::string> backward;
  for (auto entry = cursor.last(); entry; entry = cursor.prev()) {
    CHECK(entry->value == "v" + std::string(entry->key));
    backward.emplace_back(entry->key);
  }
  auto forward = expected_keys(2);
  CHECK(std::vector<std::string>(forward.rbegin(), forward.rend()) == backward);
}

TEST_CASE_METHOD(fixture, "an unpositioned cursor starts at either end") {
  auto txn = env->begin_read();
  auto forward = txn.open_cursor(db);
  auto backward = txn.open_cursor(db);
  CHECK(forward.current() == std::nullopt);
  CHECK(forward.next() == storage::entry{"000", "v000"});
  CHECK(forward.current() == storage::entry{"000", "v000"});
  CHECK(backward.prev() == storage::entry{"198", "v198"});
}

TEST_CASE_METHOD(fixture, "seek finds the first key not less and seek_exact only the key") {
  auto txn = env->begin_read();
  auto cursor = txn.open_cursor(db);
  CHECK(cursor.seek("010") == storage::entry{"010", "v010"});
  CHECK(cursor.seek("011") == storage::entry{"012", "v012"});
  CHECK(cursor.current() == storage::entry{"012", "v012"});
  CHECK(cursor.prev() == storage::entry{"010", "v010"});
  CHECK(cursor.seek("01") == storage::entry{"010", "v010"});
  CHECK(cursor.seek("") == storage::entry{"000", "v000"});
  CHECK(cursor.seek("199") == std::nullopt);
  CHECK(cursor.seek("z") == std::nullopt);

  CHECK(cursor.seek_exact("100") == storage::entry{"100", "v100"});
  CHECK(cursor.next() == storage::entry{"102", "v102"});
  CHECK(cursor.seek_exact("101") == std::nullopt);
  CHECK(cursor.last() == storage::entry{"198", "v198"});
  CHECK(cursor.first() == storage::entry{"000", "v000"});
  CHECK(cursor.prev() == std::nullopt);
}

TEST_CASE_METHOD(fixture, "an empty database has no entries to land on") {
  auto txn = env->begin_write();
  const auto empty = env->open_database(txn, "empty");
  auto cursor = txn.open_cursor(empty);
  CHECK(cursor.first() == std::nullopt);
  CHECK(cursor.last() == std::nullopt);
  CHECK(cursor.seek("a") == std::nullopt);
  CHECK(cursor.current() == std::nullopt);
}

TEST_CASE_METHOD(fixture, "erase_current while iterating visits every entry once") {
  auto txn = env->begin_write();
  auto cursor = txn.open_cursor(db);

  SECTION("erasing every other entry") {
    std::vector<std::string> visited;
    for (auto entry = cursor.first(); entry; entry = cursor.next()) {
      visited.emplace_back(entry->key);
      if (visited.size() % 2 == 1) cursor.erase_current();
    }
    CHECK(visited == expected_keys(2));
    CHECK(txn.entries(db) == 50);
    std::vector<std::string> kept;
    for (int i = 2; i < 200; i += 4) kept.push_back(key_of(i));
    CHECK(keys_forward(cursor) == kept);
  }
  SECTION("erasing all of them") {
    std::size_t visited = 0;
    for (auto entry = cursor.first(); entry; entry = cursor.next()) {
      ++visited;
      cursor.erase_current();
    }
    CHECK(visited == 100);
    CHECK(txn.entries(db) == 0);
  }
  txn.commit();
}

TEST_CASE_METHOD(fixture, "a write cursor puts and lands on what it put") {
  auto txn = env->begin_write();
  auto cursor = txn.open_cursor(db);
  cursor.put("001", "v001");
  CHECK(cursor.current() == storage::entry{"001", "v001"});
  CHECK(cursor.next() == storage::entry{"002", "v002"});
  CHECK(txn.get(db, "001") == "v001");
  CHECK_THROWS_AS(cursor.put("", "empty key"), sluice::storage_error);
}

TEST_CASE_METHOD(fixture, "a cursor used after its transaction ended throws") {
  SECTION("read transaction aborted") {
    auto txn = env->begin_read();
    auto cursor = txn.open_cursor(db);
    txn.abort();
    CHECK_THROWS_WITH(cursor.first(), ended_message);
    CHECK_THROWS_WITH(cursor.current(), ended_message);
  }
  SECTION("read transaction destroyed") {
    std::optional<storage::read_cursor> cursor;
    {
      auto txn = env->begin_read();
      cursor.emplace(txn.open_cursor(db));
      CHECK(cursor->first().has_value());
    }
    CHECK_THROWS_WITH(cursor->next(), ended_message);
  }
  SECTION("read transaction replaced by move assignment") {
    auto txn = env->begin_read();
    auto cursor = txn.open_cursor(db);
    txn = env->begin_read();
    CHECK_THROWS_WITH(cursor.seek("0"), ended_message);
  }
  SECTION("write transaction committed") {
    auto txn = env->begin_write();
    auto cursor = txn.open_cursor(db);
    CHECK(cursor.first().has_value());
    txn.commit();
    CHECK_THROWS_WITH(cursor.next(), ended_message);
    CHECK_THROWS_WITH(cursor.put("k", "v"), ended_message);
    CHECK_THROWS_WITH(cursor.erase_current(), ended_message);
  }
  SECTION("write transaction aborted") {
    auto txn = env->begin_write();
    auto cursor = txn.open_cursor(db);
    txn.abort();
    CHECK_THROWS_WITH(cursor.last(), ended_message);
  }
  SECTION("write transaction destroyed") {
    std::optional<storage::write_cursor> cursor;
    {
      auto txn = env->begin_write();
      cursor.emplace(txn.open_cursor(db));
    }
    CHECK_THROWS_WITH(cursor->seek_exact("000"), ended_message);
  }
  SECTION("nested transaction committed, parent going on") {
    auto parent = env->begin_write();
    std::optional<storage::write_cursor> cursor;
    {
      auto child = parent.begin_nested();
      cursor.emplace(child.open_cursor(db));
      cursor->put("001", "from child");
      child.commit();
    }
    CHECK_THROWS_WITH(cursor->first(), ended_message);
    CHECK(parent.get(db, "001") == "from child");
  }
  SECTION("moved-from cursor") {
    auto txn = env->begin_read();
    auto cursor = txn.open_cursor(db);
    auto moved = std::move(cursor);
    CHECK_THROWS_WITH(cursor.first(), ended_message);  // NOLINT(bugprone-use-after-move)
    CHECK(moved.first().has_value());
  }
}

TEST_CASE_METHOD(fixture, "many cursors in one transaction, moved and closed in any order") {
  auto txn = env->begin_write();
  std::vector<storage::write_cursor> cursors;
  for (int i = 0; i < 64; ++i) {
    cursors.push_back(txn.open_cursor(db));  // reallocation moves the earlier cursors
    CHECK(cursors.back().seek(key_of(2 * i)) == storage::entry{key_of(2 * i), "v" + key_of(2 * i)});
  }
  for (int i = 0; i < 64; ++i) CHECK(cursors[i].current()->key == key_of(2 * i));

  cursors.erase(cursors.begin() + 10, cursors.begin() + 20);  // closes some, moves the rest
  cursors[0] = std::move(cursors[1]);                          // closes the old cursors[0]
  cursors.erase(cursors.begin() + 1);
  CHECK(cursors[0].current()->key == key_of(2));
  CHECK(cursors[9].current()->key == key_of(40));

  // Moving the transaction re-points every cursor at it.
  storage::write_txn moved = std::move(txn);
  CHECK(cursors[20].current()->key == key_of(2 * 31));
  cursors[20].put("zzz", "last");
  CHECK(cursors[5].last() == storage::entry{"zzz", "last"});
  CHECK(moved.get(db, "zzz") == "last");
  moved.commit();

  for (auto& cursor : cursors) CHECK_THROWS_WITH(cursor.current(), ended_message);
}

TEST_CASE_METHOD(fixture, "cursors may end before, with or after their transaction") {
  auto parent = env->begin_write();
  auto kept = parent.open_cursor(db);
  {
    auto closed_early = parent.open_cursor(db);
    CHECK(closed_early.first().has_value());
  }
  {
    auto dropped_while_child_open = std::make_unique<storage::write_cursor>(parent.open_cursor(db));
    CHECK(dropped_while_child_open->last().has_value());
    auto child = parent.begin_nested();
    dropped_while_child_open.reset();
    auto child_cursor = child.open_cursor(db);
    child_cursor.put("001", "child");
    child.commit();
  }
  CHECK(kept.seek_exact("001") == storage::entry{"001", "child"});

  auto reader = env->begin_read();
  auto read_cursor = reader.open_cursor(db);
  CHECK(read_cursor.first().has_value());
  reader.abort();
  parent.abort();
}

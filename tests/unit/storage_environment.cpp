// sluice::storage::environment: opening, one instance per directory, reopening, foreign
// directories, backups, read-only access.

#include "temp_dir.hpp"

#include <sluice/storage/environment.hpp>

#include <catch2/catch.hpp>

#include <cerrno>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <type_traits>

namespace storage = sluice::storage;
using Catch::Matchers::Contains;

static_assert(!std::is_copy_constructible_v<storage::environment>);
static_assert(!std::is_move_constructible_v<storage::environment>);
static_assert(!std::is_move_assignable_v<storage::environment>);
static_assert(std::is_trivially_copyable_v<storage::database>);

namespace {

void write_one(storage::environment& env, std::string_view db_name, std::string_view key, std::string_view value) {
  auto txn = env.begin_write();
  const auto db = env.open_database(txn, db_name);
  txn.put(db, key, value);
  txn.commit();
}

std::optional<std::string> read_one(storage::environment& env, std::string_view db_name, std::string_view key) {
  const auto db = env.find_database(db_name);
  if (!db) return std::nullopt;
  auto txn = env.begin_read();
  const auto value = txn.get(*db, key);
  return value ? std::optional<std::string>{*value} : std::nullopt;
}

void write_file(const std::filesystem::path& file, const std::string& bytes) {
  std::ofstream out{file, std::ios::binary};
  out << bytes;
}

}  // namespace

TEST_CASE("open_environment creates the directory and an empty environment") {
  sluice_test::temp_dir tmp;
  const auto dir = tmp / "nested" / "task-0";
  auto env = storage::open_environment(dir);
  CHECK(std::filesystem::is_directory(dir));
  CHECK(std::filesystem::exists(dir / "data.mdb"));
  CHECK(env->path() == std::filesystem::canonical(dir));
  CHECK(env->options() == storage::environment_options{});
  CHECK(env->native_handle() != nullptr);

  const auto before = env->info();
  CHECK(before.map_size == storage::environment_options{}.map_size);
  CHECK(before.max_readers >= 1024);
  CHECK(before.page_size > 0);

  write_one(*env, "things", "key", std::string(100'000, 'x'));
  const auto after = env->info();
  CHECK(after.used_bytes > before.used_bytes + 90'000);
  CHECK(after.last_transaction == before.last_transaction + 1);
  CHECK(read_one(*env, "things", "key") == std::string(100'000, 'x'));
}

TEST_CASE("the same directory opened twice, however spelled, is the same instance") {
  sluice_test::temp_dir tmp;
  const auto dir = tmp / "env";
  auto env = storage::open_environment(dir);
  std::filesystem::create_directory(dir / "sub");
  std::filesystem::create_directory_symlink(dir, tmp / "link");

  CHECK(storage::open_environment(dir) == env);
  CHECK(storage::open_environment(dir / ".") == env);
  CHECK(storage::open_environment(dir.string() + "/") == env);
  CHECK(storage::open_environment(dir / "sub" / "..") == env);
  CHECK(storage::open_environment(tmp / "." / "env") == env);
  CHECK(storage::open_environment(tmp / "link") == env);
  CHECK(storage::open_environment(tmp / "other") != env);
}

TEST_CASE("reopening the same directory with other options is an error") {
  sluice_test::temp_dir tmp;
  auto env = storage::open_environment(tmp.path());
  CHECK_THROWS_WITH(storage::open_environment(tmp.path(), {.durable = false}),
                    Contains("already open in this process with different environment_options"));
  CHECK(storage::open_environment(tmp.path()) == env);
}

TEST_CASE("an environment reopened after closing sees what was committed") {
  sluice_test::temp_dir tmp;
  {
    auto env = storage::open_environment(tmp.path());
    write_one(*env, "things", "committed", "yes");
    auto txn = env->begin_write();
    txn.put(env->open_database(txn, "things"), "aborted", "no");
  }
  auto env = storage::open_environment(tmp.path());
  CHECK(read_one(*env, "things", "committed") == "yes");
  CHECK(read_one(*env, "things", "aborted") == std::nullopt);
  CHECK(env->find_database("never created") == std::nullopt);
}

TEST_CASE("transactions keep their environment open") {
  sluice_test::temp_dir tmp;
  write_one(*storage::open_environment(tmp.path()), "things", "key", "value");

  auto env = storage::open_environment(tmp.path());
  const auto db = env->find_database("things");
  REQUIRE(db);
  auto txn = env->begin_read();
  const std::weak_ptr<storage::environment> watch = env;
  env.reset();  // the transaction is the only owner now

  CHECK_FALSE(watch.expired());
  CHECK(txn.get(*db, "key") == "value");
  CHECK(storage::open_environment(tmp.path()) == watch.lock());
  txn.abort();
  CHECK(watch.expired());
}

TEST_CASE("a directory that is not an LMDB environment is a clear error") {
  sluice_test::temp_dir tmp;
  const auto dir = tmp / "foreign";
  std::filesystem::create_directory(dir);

  SECTION("a short garbage data.mdb") { write_file(dir / "data.mdb", "this is not a database\n"); }
  SECTION("a page-sized garbage data.mdb") { write_file(dir / "data.mdb", std::string(64 * 1024, '\x5a')); }

  try {
    storage::open_environment(dir);
    FAIL("opening a foreign directory succeeded");
  } catch (const sluice::storage_error& error) {
    CHECK_THAT(error.what(), Contains(std::filesystem::canonical(dir).string()));
    CHECK_THAT(error.what(), Contains("not a valid sluice/LMDB data directory"));
    CHECK(error.code() == MDB_INVALID);
  }
  // The failed open left no trace in the process: a fresh directory opens normally.
  CHECK(storage::open_environment(tmp / "fine") != nullptr);
}

TEST_CASE("a map larger than the address space is a clear error") {
  sluice_test::temp_dir tmp;
  try {
    storage::open_environment(tmp.path(), {.map_size = std::size_t{1} << 62});
    FAIL("mapping 4 EiB succeeded");
  } catch (const sluice::storage_error& error) {
    CHECK_THAT(error.what(), Contains("out of address space; lower environment_options::map_size"));
    CHECK(error.code() == ENOMEM);
  }
  CHECK(storage::open_environment(tmp.path(), {.map_size = std::size_t{64} << 20}) != nullptr);
}

TEST_CASE("a path that cannot be a directory is a clear error") {
  sluice_test::temp_dir tmp;
  write_file(tmp / "file", "plain file");
  CHECK_THROWS_AS(storage::open_environment(tmp / "file"), sluice::storage_error);
  CHECK_THROWS_WITH(storage::open_environment(tmp / "file" / "below"), Contains("cannot create the directory"));
}

TEST_CASE("database names must be non-empty") {
  sluice_test::temp_dir tmp;
  auto env = storage::open_environment(tmp.path());
  auto txn = env->begin_write();
  CHECK_THROWS_WITH(env->open_database(txn, ""), Contains("a database needs a non-empty name"));
  CHECK(env->open_database(txn, "x") == env->open_database(txn, "x"));
  CHECK(env->open_database(txn, "x") != env->open_database(txn, "y"));
}

TEST_CASE("copy_to writes a compacted backup that opens and holds the data") {
  sluice_test::temp_dir tmp;
  auto env = storage::open_environment(tmp / "live");
  for (int i = 0; i < 100; ++i) write_one(*env, "things", "key-" + std::to_string(i), std::string(1000, 'v'));
  {
    auto txn = env->begin_write();  // leave free pages behind for the compaction to drop
    txn.clear(env->open_database(txn, "things"));
    txn.put(env->open_database(txn, "things"), "kept", "after clear");
    txn.commit();
  }
  auto reader = env->begin_read();  // a backup is taken while the environment is in use

  env->copy_to(tmp / "backup");
  auto backup = storage::open_environment(tmp / "backup");
  CHECK(backup != env);
  CHECK(read_one(*backup, "things", "kept") == "after clear");
  CHECK(read_one(*backup, "things", "key-7") == std::nullopt);
  CHECK(backup->info().used_bytes < env->info().used_bytes);

  CHECK_THROWS_WITH(env->copy_to(tmp / "backup"), Contains("the target directory is not empty"));
}

TEST_CASE("a read-only environment reads and refuses to write") {
  sluice_test::temp_dir tmp;
  write_one(*storage::open_environment(tmp.path()), "things", "key", "value");

  auto env = storage::open_environment(tmp.path(), {.read_only = true});
  CHECK(env->options().read_only);
  CHECK(read_one(*env, "things", "key") == "value");
  CHECK(env->find_database("missing") == std::nullopt);
  CHECK_THROWS_WITH(env->begin_write(), Contains("read-only"));
  env->sync();  // nothing to flush, and no error either

  CHECK_THROWS_AS(storage::open_environment(tmp / "missing", {.read_only = true}), sluice::storage_error);
  CHECK_FALSE(std::filesystem::exists(tmp / "missing"));
}

TEST_CASE("a non-durable environment flushes on sync") {
  sluice_test::temp_dir tmp;
  auto env = storage::open_environment(tmp.path(), {.durable = false});
  write_one(*env, "things", "key", "value");
  env->sync();
  CHECK(read_one(*env, "things", "key") == "value");
}

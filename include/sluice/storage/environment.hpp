#pragma once
// An LMDB environment: one data directory, its map, and the named databases inside it.
//
// LMDB forbids opening the same environment twice in one process (closing either copy drops the
// POSIX locks of both), so open_environment hands out one shared instance per directory.

#include <sluice/storage/database.hpp>
#include <sluice/storage/storage_error.hpp>
#include <sluice/storage/transaction.hpp>

#include <fcntl.h>
#include <lmdb.h>
#include <unistd.h>

#include <cerrno>
#include <condition_variable>
#include <cstddef>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

namespace sluice::storage {

struct environment_options {
  std::size_t map_size = std::size_t{1} << 40;  // reserved address space; sparse on disk
  unsigned max_databases = 128;
  unsigned max_readers = 1024;  // read transactions open at once, across the process
  bool durable = true;          // fsync at commit; false = MDB_NOSYNC, for benchmarks
  bool read_only = false;

  friend bool operator==(const environment_options&, const environment_options&) = default;
};

struct environment_info {
  std::size_t map_size;          // bytes reserved
  std::size_t used_bytes;        // bytes of the map up to its last used page
  std::size_t page_size;
  std::size_t last_transaction;  // id of the last committed write transaction
  unsigned max_readers;
  unsigned readers_in_use;
};

class environment;

// The environment in `dir`, created (directory included) if missing unless options.read_only.
// Opening a directory already open in this process returns the live instance, whatever spelling
// of its path was used; the options must then match. Throws storage_error if `dir` holds something
// that is not an LMDB environment.
inline std::shared_ptr<environment> open_environment(const std::filesystem::path& dir,
                                                     const environment_options& options = {});

// Not copyable, not movable: transactions keep it alive through shared_from_this.
//
// Database handles are LMDB's environment-wide table, which LMDB does not synchronise with the
// transactions of other threads: open or find databases before sharing the environment.
class environment : public std::enable_shared_from_this<environment> {
 public:
  environment(const environment&) = delete;
  environment& operator=(const environment&) = delete;
  ~environment();

  [[nodiscard]] read_txn begin_read() const { return read_txn{begin(MDB_RDONLY, "begin read transaction")}; }

  [[nodiscard]] write_txn begin_write() {
    if (options_.read_only)
      throw storage_error("begin write transaction", "the environment at '" + path_.string() + "' is read-only");
    return write_txn{begin(0, "begin write transaction")};
  }

  // The database called `name`, created in `txn` if missing. If `txn` aborts, a database it
  // created is gone and the handle with it.
  database open_database(write_txn& txn, std::string_view name) {
    const std::string operation = "open database '" + std::string(name) + "'";
    MDB_txn* const handle = txn.core_.usable(operation);
    database db{};
    std::lock_guard lock{databases_mutex_};
    txn.core_.check(open_dbi(handle, name, MDB_CREATE, db.handle, operation), operation);
    return db;
  }

  // The existing database called `name`, for transactions begun after this returns; works on a
  // read-only environment too.
  [[nodiscard]] std::optional<database> find_database(std::string_view name) const;

  // An online, compacted backup into `dir` (created if missing, must be empty), itself an
  // environment that open_environment accepts, synced to disk before this returns.
  void copy_to(const std::filesystem::path& dir) const;

  // Flushes commits made with environment_options::durable false.
  void sync() {
    if (options_.read_only) return;
    detail::check(mdb_env_sync(handle_.get(), 1), "sync");
  }

  // The canonical path of the directory.
  [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }
  [[nodiscard]] const environment_options& options() const noexcept { return options_; }
  [[nodiscard]] environment_info info() const;
  [[nodiscard]] MDB_env* native_handle() const noexcept { return handle_.get(); }

 private:
  struct env_closer {
    void operator()(MDB_env* env) const noexcept { mdb_env_close(env); }
  };
  using env_handle = std::unique_ptr<MDB_env, env_closer>;

  friend std::shared_ptr<environment> open_environment(const std::filesystem::path&, const environment_options&);

  environment(std::filesystem::path dir, const environment_options& options)
      : path_(std::move(dir)), options_(options), handle_(open_lmdb(path_, options_)) {}

  static env_handle open_lmdb(const std::filesystem::path& dir, const environment_options& options);

  detail::txn_core begin(unsigned flags, std::string_view operation) const {
    auto keep_alive = shared_from_this();
    MDB_txn* txn = nullptr;
    detail::check(mdb_txn_begin(handle_.get(), nullptr, flags, &txn), operation);
    return detail::txn_core{std::move(keep_alive), txn, nullptr};
  }

  // mdb_dbi_open for one of this environment's transactions. The caller holds databases_mutex_:
  // LMDB forbids two at once.
  int open_dbi(MDB_txn* txn, std::string_view name, unsigned flags, MDB_dbi& dbi, std::string_view operation) const;

  std::filesystem::path path_;
  environment_options options_;
  env_handle handle_;
  mutable std::mutex databases_mutex_;  // serialises opening database handles
};

}  // namespace sluice::storage

namespace sluice::storage::detail {

inline std::string open_operation(const std::filesystem::path& dir) {
  return "open environment '" + dir.string() + "'";
}

// fsync of a file, or of a directory's entries; the errno it failed with, if it did.
inline std::error_code sync_path(const std::filesystem::path& path) noexcept {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  const int rc = fd < 0 ? -1 : ::fsync(fd);
  const int error = errno;
  if (fd >= 0) ::close(fd);
  return rc == 0 ? std::error_code{} : std::error_code(error, std::generic_category());
}

// Creates `dir` and its parents if missing.
inline void ensure_directory(const std::filesystem::path& dir, const std::string& operation) {
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) throw storage_error(operation, "cannot create the directory: " + error.message());
}

// The process-wide table of open environments, keyed by canonical path. It holds weak_ptrs: an
// environment closes when its last user lets go, and a reopen of that path waits for the close.
class environment_registry {
 public:
  template <class Open>
  std::shared_ptr<environment> find_or_open(const std::filesystem::path& dir, Open open) {
    std::shared_ptr<environment> found;  // declared first so it is never released under the lock
    std::unique_lock lock{mutex_};
    for (;;) {
      const auto [slot, inserted] = entries_.try_emplace(dir);
      if (inserted) {
        try {
          found = open();
        } catch (...) {
          entries_.erase(slot);
          throw;
        }
        slot->second = found;
        return found;
      }
      if ((found = slot->second.lock())) return found;
      closed_.wait(lock);  // its last owner is closing it right now
    }
  }

  // Runs `close` for the environment at `dir` and forgets it, with no open of `dir` under way.
  template <class Close>
  void release(const std::filesystem::path& dir, Close close) noexcept {
    {
      std::lock_guard lock{mutex_};
      close();
      entries_.erase(dir);
    }
    closed_.notify_all();
  }

 private:
  std::mutex mutex_;
  std::condition_variable closed_;
  std::map<std::filesystem::path, std::weak_ptr<environment>> entries_;
};

// Never destroyed: an environment kept by some other static may close after this function's
// statics would have been.
inline environment_registry& registry() {
  static environment_registry& instance = *new environment_registry;
  return instance;
}

}  // namespace sluice::storage::detail

namespace sluice::storage {

inline std::shared_ptr<environment> open_environment(const std::filesystem::path& dir,
                                                     const environment_options& options) {
  const std::string operation = detail::open_operation(dir);
  if (!options.read_only) detail::ensure_directory(dir, operation);
  std::error_code error;
  const std::filesystem::path canonical = std::filesystem::canonical(dir, error);
  if (error) throw storage_error(operation, error.message());

  auto env = detail::registry().find_or_open(
      canonical, [&] { return std::shared_ptr<environment>(new environment(canonical, options)); });
  if (env->options() != options)
    throw storage_error(operation, "already open in this process with different environment_options");
  return env;
}

inline environment::~environment() {
  detail::registry().release(path_, [this]() noexcept { handle_.reset(); });
}

inline environment::env_handle environment::open_lmdb(const std::filesystem::path& dir,
                                                       const environment_options& options) {
  const std::string operation = detail::open_operation(dir);
  MDB_env* raw = nullptr;
  detail::check(mdb_env_create(&raw), operation);
  env_handle env{raw};
  detail::check(mdb_env_set_mapsize(raw, options.map_size), operation);
  detail::check(mdb_env_set_maxdbs(raw, options.max_databases), operation);
  detail::check(mdb_env_set_maxreaders(raw, options.max_readers), operation);

  unsigned flags = MDB_NOTLS;  // read transactions belong to no thread
  if (!options.durable) flags |= MDB_NOSYNC;
  if (options.read_only) flags |= MDB_RDONLY;
  const int rc = mdb_env_open(raw, dir.c_str(), flags, 0644);
  if (rc == MDB_INVALID || rc == MDB_VERSION_MISMATCH)
    throw storage_error(operation, rc, "not a valid sluice/LMDB data directory");
  if (rc == ENOMEM)  // mmap could not reserve map_size bytes of address space
    throw storage_error(operation, rc,
                        "cannot map " + std::to_string(options.map_size) +
                            " bytes: the process is out of address space; lower environment_options::map_size");
  detail::check(rc, operation);
  return env;
}

inline int environment::open_dbi(MDB_txn* txn, std::string_view name, unsigned flags, MDB_dbi& dbi,
                                 std::string_view operation) const {
  if (name.empty()) throw storage_error(std::string(operation), "a database needs a non-empty name");
  if (mdb_txn_env(txn) != handle_.get())
    throw storage_error(std::string(operation), "the transaction belongs to another environment");
  const std::string c_name{name};
  return mdb_dbi_open(txn, c_name.c_str(), flags, &dbi);
}

inline std::optional<database> environment::find_database(std::string_view name) const {
  const std::string operation = "find database '" + std::string(name) + "'";
  // A handle opened by a read transaction outlives it only if that transaction commits, so this
  // one is private and committed rather than the caller's.
  detail::txn_core txn = begin(MDB_RDONLY, operation);
  database db{};
  std::lock_guard lock{databases_mutex_};  // until the commit has published the handle
  const int rc = open_dbi(txn.usable(operation), name, 0, db.handle, operation);
  if (rc == MDB_NOTFOUND) return std::nullopt;
  txn.check(rc, operation);
  txn.commit();
  return db;
}

inline void environment::copy_to(const std::filesystem::path& dir) const {
  const std::string operation = "copy environment to '" + dir.string() + "'";
  detail::ensure_directory(dir, operation);
  std::error_code error;
  if (!std::filesystem::is_empty(dir, error) && !error)
    throw storage_error(operation, "the target directory is not empty");
  if (error) throw storage_error(operation, error.message());
  detail::check(mdb_env_copy2(handle_.get(), dir.c_str(), MDB_CP_COMPACT), operation);
  for (const auto& written : {dir / "data.mdb", dir}) {  // LMDB's copy does not fsync
    if (const std::error_code sync_error = detail::sync_path(written))
      throw storage_error(operation, "cannot sync '" + written.string() + "': " + sync_error.message());
  }
}

inline environment_info environment::info() const {
  constexpr std::string_view operation = "environment info";
  MDB_envinfo lmdb_info{};
  MDB_stat stat{};
  detail::check(mdb_env_info(handle_.get(), &lmdb_info), operation);
  detail::check(mdb_env_stat(handle_.get(), &stat), operation);
  return environment_info{
      .map_size = lmdb_info.me_mapsize,
      .used_bytes = (lmdb_info.me_last_pgno + 1) * stat.ms_psize,
      .page_size = stat.ms_psize,
      .last_transaction = lmdb_info.me_last_txnid,
      .max_readers = lmdb_info.me_maxreaders,
      .readers_in_use = lmdb_info.me_numreaders,
  };
}

}  // namespace sluice::storage

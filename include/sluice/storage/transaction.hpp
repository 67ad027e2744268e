#pragma once
// Read and write transactions: distinct, move-only types over detail::txn_core. A read_txn has no
// member that writes. Both share their reads through detail::transaction_base.

#include <sluice/storage/cursor.hpp>
#include <sluice/storage/database.hpp>
#include <sluice/storage/storage_error.hpp>

#include <lmdb.h>

#include <cstddef>
#include <optional>
#include <string_view>
#include <utility>

namespace sluice::storage {

class environment;

}  // namespace sluice::storage

namespace sluice::storage::detail {

// The reads of both transaction types; Cursor is the cursor type each one opens. Values returned
// view the map: valid until the transaction ends or writes again.
template <class Cursor>
class transaction_base {
 public:
  [[nodiscard]] std::optional<std::string_view> get(database db, std::string_view key) const {
    constexpr std::string_view operation = "get";
    MDB_val key_val = to_val(key);
    MDB_val value{};
    const int rc = mdb_get(core_.usable(operation), db.handle, &key_val, &value);
    if (rc == MDB_NOTFOUND) return std::nullopt;
    core_.check(rc, operation);
    return to_view(value);
  }

  // The number of entries in `db`, as this transaction sees it.
  [[nodiscard]] std::size_t entries(database db) const {
    constexpr std::string_view operation = "entries";
    MDB_stat stat{};
    core_.check(mdb_stat(core_.usable(operation), db.handle, &stat), operation);
    return stat.ms_entries;
  }

  [[nodiscard]] Cursor open_cursor(database db) { return Cursor(core_, db); }

  // Null once the transaction has ended.
  [[nodiscard]] MDB_txn* native_handle() const noexcept { return core_.native_handle(); }

  // Ends the transaction now, discarding its writes; a no-op once it has ended. This also ends a
  // nested child still open: LMDB cannot keep a child whose parent is gone.
  void abort() noexcept { core_.abort(); }

 protected:
  explicit transaction_base(txn_core core) noexcept : core_(std::move(core)) {}

  txn_core core_;
};

}  // namespace sluice::storage::detail

namespace sluice::storage {

// A consistent snapshot of the environment as of its beginning: later commits stay invisible to
// it. Begun by environment::begin_read, ended at destruction (or abort()). Not tied to a thread
// (MDB_NOTLS): it may be moved to and ended on another thread, but is used by one at a time.
class read_txn : private detail::transaction_base<read_cursor> {
  using base = detail::transaction_base<read_cursor>;

 public:
  read_txn(read_txn&&) noexcept = default;
  read_txn& operator=(read_txn&&) noexcept = default;
  ~read_txn() = default;

  using base::abort;
  using base::entries;
  using base::get;
  using base::native_handle;
  using base::open_cursor;

 private:
  friend class environment;
  explicit read_txn(detail::txn_core core) noexcept : base(std::move(core)) {}
};

// The environment's single writer, begun by environment::begin_write: its writes become visible to
// transactions begun after commit(); destruction without commit() aborts them. LMDB ties a write
// transaction to the thread that began it, and allows one per thread.
//
// begin_nested() opens a child whose writes merge into this transaction when it commits and vanish
// when it aborts. While the child is open this transaction, and its cursors, throw storage_error
// on use; abort() and destruction remain available and end the child too.
class write_txn : private detail::transaction_base<write_cursor> {
  using base = detail::transaction_base<write_cursor>;

 public:
  write_txn(write_txn&&) noexcept = default;
  write_txn& operator=(write_txn&&) noexcept = default;
  ~write_txn() = default;

  using base::abort;
  using base::entries;
  using base::get;
  using base::native_handle;
  using base::open_cursor;

  // Stores `value` under `key`, replacing any value there.
  void put(database db, std::string_view key, std::string_view value) {
    constexpr std::string_view operation = "put";
    core_.check(store(db, key, value, 0, operation), operation);
  }

  // Stores `value` under `key` unless the key is present; false if it was.
  bool insert(database db, std::string_view key, std::string_view value) {
    constexpr std::string_view operation = "insert";
    const int rc = store(db, key, value, MDB_NOOVERWRITE, operation);
    if (rc == MDB_KEYEXIST) return false;
    core_.check(rc, operation);
    return true;
  }

  // Erases `key`; false if it was absent.
  bool erase(database db, std::string_view key) {
    constexpr std::string_view operation = "erase";
    MDB_val key_val = detail::to_val(key);
    const int rc = mdb_del(core_.usable(operation), db.handle, &key_val, nullptr);
    if (rc == MDB_NOTFOUND) return false;
    core_.check(rc, operation);
    return true;
  }

  // Erases every entry of `db`; the database itself remains.
  void clear(database db) {
    constexpr std::string_view operation = "clear";
    core_.check(mdb_drop(core_.usable(operation), db.handle, 0), operation);
  }

  [[nodiscard]] write_txn begin_nested() { return write_txn{core_.begin_child()}; }

  // Makes the writes durable (with environment_options::durable) and visible, or, for a nested
  // transaction, merges them into its parent. The transaction has ended afterwards, even if this
  // throws: storage_full here means nothing of it was committed.
  void commit() { core_.commit(); }

 private:
  friend class environment;
  explicit write_txn(detail::txn_core core) noexcept : base(std::move(core)) {}

  int store(database db, std::string_view key, std::string_view value, unsigned flags,
            std::string_view operation) {
    MDB_val key_val = detail::to_val(key);
    MDB_val value_val = detail::to_val(value);
    return mdb_put(core_.usable(operation), db.handle, &key_val, &value_val, flags);
  }
};

}  // namespace sluice::storage

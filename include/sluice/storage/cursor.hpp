#pragma once
// Cursors, and the transaction state they are tied to.
//
// A cursor cannot outlive its transaction. Each transaction keeps its open cursors in an intrusive
// list (no allocation per cursor) and closes them before it ends; a cursor whose transaction has
// ended knows it and throws instead of touching freed LMDB memory. detail::txn_core is that
// transaction state; transaction.hpp builds read_txn and write_txn on it.

#include <sluice/storage/database.hpp>
#include <sluice/storage/storage_error.hpp>

#include <lmdb.h>

#include <cerrno>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace sluice::storage {

class environment;

// One key and its value, viewing memory of the transaction that produced them: valid until that
// transaction ends or writes again.
struct entry {
  std::string_view key;
  std::string_view value;

  friend bool operator==(const entry&, const entry&) = default;
};

}  // namespace sluice::storage

namespace sluice::storage::detail {

class cursor_base;
template <class Cursor>
class transaction_base;

// LMDB reports these before it changes anything; after any other failure the transaction is
// unusable and can only be aborted.
inline bool leaves_transaction_usable(int rc) noexcept {
  return rc == MDB_NOTFOUND || rc == MDB_KEYEXIST || rc == MDB_BAD_VALSIZE || rc == MDB_BAD_DBI ||
         rc == MDB_DBS_FULL || rc == EINVAL;
}

// One LMDB transaction: owns the MDB_txn (aborting it unless committed), closes its cursors before
// it ends, keeps the environment open while it lasts, and refuses to be used while a nested child
// is open or after a failure LMDB does not recover from. Moving it re-points its cursors and its
// nested parent or child at the new address. Used by one thread at a time.
class txn_core {
 public:
  txn_core() noexcept = default;
  txn_core(std::shared_ptr<const environment> environment, MDB_txn* handle, txn_core* parent) noexcept
      : environment_(std::move(environment)), handle_(handle), parent_(parent) {
    if (parent_ != nullptr) parent_->child_ = this;
  }
  txn_core(txn_core&& other) noexcept { take(other); }
  txn_core& operator=(txn_core&& other) noexcept {
    if (this != &other) {
      abort();
      take(other);
    }
    return *this;
  }
  txn_core(const txn_core&) = delete;
  txn_core& operator=(const txn_core&) = delete;
  ~txn_core() { abort(); }

  [[nodiscard]] MDB_txn* native_handle() const noexcept { return handle_; }

  // The handle, or a storage_error naming `operation` if the transaction cannot be used now.
  [[nodiscard]] MDB_txn* usable(std::string_view operation) const {
    if (handle_ == nullptr || child_ != nullptr || !failure_.empty()) [[unlikely]]
      throw_unusable(operation);
    return handle_;
  }

  // Throws for a failed LMDB call, first marking the transaction failed if LMDB left it so.
  void check(int rc, std::string_view operation) const {
    if (rc == MDB_SUCCESS) [[likely]]
      return;
    if (!leaves_transaction_usable(rc)) failure_ = operation;
    throw_storage_error(rc, operation);
  }

  [[nodiscard]] txn_core begin_child() {
    constexpr std::string_view operation = "begin nested transaction";
    MDB_txn* const parent = usable(operation);
    MDB_txn* child = nullptr;
    check(mdb_txn_begin(mdb_txn_env(parent), parent, 0, &child), operation);
    return txn_core{environment_, child, this};
  }

  void commit() {
    MDB_txn* const handle = usable("commit");
    close_cursors();
    handle_ = nullptr;
    const int rc = mdb_txn_commit(handle);  // failed or not, LMDB has ended the transaction
    release();
    detail::check(rc, "commit");
  }

  // Ends the transaction, and first its nested child if one is open; a no-op once it has ended.
  void abort() noexcept {
    if (handle_ == nullptr) return;
    if (child_ != nullptr) child_->abort();
    close_cursors();
    mdb_txn_abort(std::exchange(handle_, nullptr));
    release();
  }

 private:
  friend class cursor_base;

  [[noreturn]] void throw_unusable(std::string_view operation) const {
    std::string what{operation};
    if (handle_ == nullptr) throw storage_error(std::move(what), "the transaction has already ended");
    if (child_ != nullptr)
      throw storage_error(std::move(what), "a nested transaction is open; commit or abort it first");
    throw storage_error(std::move(what), "the transaction failed in '" + failure_ + "' and can only be aborted");
  }

  void take(txn_core& other) noexcept;
  void close_cursors() noexcept;

  // After the MDB_txn is gone: forget the parent and the failure, let the environment go.
  void release() noexcept {
    if (parent_ != nullptr) parent_->child_ = nullptr;
    parent_ = nullptr;
    failure_.clear();
    environment_.reset();
  }

  std::shared_ptr<const environment> environment_;
  MDB_txn* handle_ = nullptr;
  txn_core* parent_ = nullptr;
  txn_core* child_ = nullptr;
  cursor_base* cursors_ = nullptr;  // the open cursors, linked through cursor_base::next_
  mutable std::string failure_;     // the operation that left the transaction unusable
};

// What read_cursor and write_cursor share: the positioning operations and the tie to the
// transaction. A positioning operation returns the entry it lands on, or nullopt if there is none.
class cursor_base {
 public:
  cursor_base(const cursor_base&) = delete;
  cursor_base& operator=(const cursor_base&) = delete;

  std::optional<entry> first() { return position(MDB_FIRST, "cursor first"); }
  std::optional<entry> last() { return position(MDB_LAST, "cursor last"); }
  // From an unpositioned cursor, next() is first() and prev() is last().
  std::optional<entry> next() { return position(MDB_NEXT, "cursor next"); }
  std::optional<entry> prev() { return position(MDB_PREV, "cursor prev"); }

  // The first entry whose key is >= `key`.
  std::optional<entry> seek(std::string_view key) {
    if (key.empty()) return first();  // every key is >= the empty one, which LMDB cannot look up
    return position(MDB_SET_RANGE, "cursor seek", to_val(key));
  }
  std::optional<entry> seek_exact(std::string_view key) {
    return position(MDB_SET_KEY, "cursor seek_exact", to_val(key));
  }
  // The entry at the cursor; nullopt if the cursor has not been positioned yet.
  [[nodiscard]] std::optional<entry> current() { return position(MDB_GET_CURRENT, "cursor current"); }

  [[nodiscard]] MDB_cursor* native_handle() const noexcept { return handle_; }

 protected:
  cursor_base(txn_core& owner, database db) {
    constexpr std::string_view operation = "open cursor";
    owner.check(mdb_cursor_open(owner.usable(operation), db.handle, &handle_), operation);
    link_into(owner);
  }
  cursor_base(cursor_base&& other) noexcept { take(other); }
  cursor_base& operator=(cursor_base&& other) noexcept {
    if (this != &other) {
      close();
      take(other);
    }
    return *this;
  }
  ~cursor_base() { close(); }

  // The LMDB cursor, or a storage_error if it cannot be used now.
  [[nodiscard]] MDB_cursor* usable(std::string_view operation) const {
    if (owner_ == nullptr) [[unlikely]]
      throw storage_error("cursor", "used after its transaction ended");
    static_cast<void>(owner_->usable(operation));
    return handle_;
  }
  void check(int rc, std::string_view operation) const { owner_->check(rc, operation); }

 private:
  friend class txn_core;

  // LMDB's way of saying there is no entry there: MDB_NOTFOUND, or EINVAL for the current entry
  // of a cursor never positioned.
  static bool is_absent(int rc, MDB_cursor_op op) noexcept {
    return rc == MDB_NOTFOUND || (op == MDB_GET_CURRENT && rc == EINVAL);
  }

  std::optional<entry> position(MDB_cursor_op op, std::string_view operation, MDB_val key = {}) {
    MDB_cursor* const cursor = usable(operation);
    MDB_val value{};
    const int rc = mdb_cursor_get(cursor, &key, &value, op);
    if (is_absent(rc, op)) return std::nullopt;
    check(rc, operation);
    return entry{to_view(key), to_view(value)};
  }

  void link_into(txn_core& owner) noexcept {
    owner_ = &owner;
    next_ = owner.cursors_;
    if (next_ != nullptr) next_->prev_ = this;
    owner.cursors_ = this;
  }

  // Takes `other`'s place in its transaction's list.
  void take(cursor_base& other) noexcept {
    owner_ = std::exchange(other.owner_, nullptr);
    handle_ = std::exchange(other.handle_, nullptr);
    prev_ = std::exchange(other.prev_, nullptr);
    next_ = std::exchange(other.next_, nullptr);
    if (owner_ == nullptr) return;
    (prev_ != nullptr ? prev_->next_ : owner_->cursors_) = this;
    if (next_ != nullptr) next_->prev_ = this;
  }

  // Closes the LMDB cursor and leaves the transaction's list; a no-op once the transaction ended.
  // LMDB allows closing a write transaction's cursor before the transaction ends, and requires it
  // for a read transaction's.
  void close() noexcept {
    if (owner_ == nullptr) return;
    mdb_cursor_close(handle_);
    (prev_ != nullptr ? prev_->next_ : owner_->cursors_) = next_;
    if (next_ != nullptr) next_->prev_ = prev_;
    owner_ = nullptr;
    handle_ = nullptr;
    prev_ = next_ = nullptr;
  }

  txn_core* owner_ = nullptr;  // null once the transaction has ended
  MDB_cursor* handle_ = nullptr;
  cursor_base* prev_ = nullptr;
  cursor_base* next_ = nullptr;
};

inline void txn_core::take(txn_core& other) noexcept {
  environment_ = std::move(other.environment_);
  handle_ = std::exchange(other.handle_, nullptr);
  parent_ = std::exchange(other.parent_, nullptr);
  child_ = std::exchange(other.child_, nullptr);
  cursors_ = std::exchange(other.cursors_, nullptr);
  failure_ = std::exchange(other.failure_, std::string{});
  for (cursor_base* cursor = cursors_; cursor != nullptr; cursor = cursor->next_) cursor->owner_ = this;
  if (parent_ != nullptr) parent_->child_ = this;
  if (child_ != nullptr) child_->parent_ = this;
}

inline void txn_core::close_cursors() noexcept {
  while (cursors_ != nullptr) cursors_->close();
}

}  // namespace sluice::storage::detail

namespace sluice::storage {

// A cursor of a read_txn, opened with read_txn::open_cursor. Move-only; closed when destroyed or
// when its transaction ends, after which using it throws storage_error.
class read_cursor : private detail::cursor_base {
 public:
  read_cursor(read_cursor&&) noexcept = default;
  read_cursor& operator=(read_cursor&&) noexcept = default;
  ~read_cursor() = default;

  using cursor_base::current;
  using cursor_base::first;
  using cursor_base::last;
  using cursor_base::native_handle;
  using cursor_base::next;
  using cursor_base::prev;
  using cursor_base::seek;
  using cursor_base::seek_exact;

 private:
  template <class Cursor>
  friend class detail::transaction_base;
  read_cursor(detail::txn_core& owner, database db) : cursor_base(owner, db) {}
};

// A cursor of a write_txn: the reads of read_cursor, plus writing at the cursor.
class write_cursor : private detail::cursor_base {
 public:
  write_cursor(write_cursor&&) noexcept = default;
  write_cursor& operator=(write_cursor&&) noexcept = default;
  ~write_cursor() = default;

  using cursor_base::current;
  using cursor_base::first;
  using cursor_base::last;
  using cursor_base::native_handle;
  using cursor_base::next;
  using cursor_base::prev;
  using cursor_base::seek;
  using cursor_base::seek_exact;

  // Stores `value` under `key` and positions the cursor on it.
  void put(std::string_view key, std::string_view value) {
    constexpr std::string_view operation = "cursor put";
    MDB_val key_val = detail::to_val(key);
    MDB_val value_val = detail::to_val(value);
    check(mdb_cursor_put(usable(operation), &key_val, &value_val, 0), operation);
  }

  // Erases the entry at the cursor. The cursor then stands before the entry that followed, so
  // next() returns that entry: erasing while iterating with next() visits every entry once.
  void erase_current() {
    constexpr std::string_view operation = "cursor erase_current";
    check(mdb_cursor_del(usable(operation), 0), operation);
  }

 private:
  template <class Cursor>
  friend class detail::transaction_base;
  write_cursor(detail::txn_core& owner, database db) : cursor_base(owner, db) {}
};

}  // namespace sluice::storage

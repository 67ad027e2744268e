#pragma once
// The few helpers the benchmarks' hand-written LMDB peers share: error checks, MDB_val
// conversions, RAII handles, environments opened as sluice opens a task's, the queue of a
// group-committing writer thread, and the keys of a list nested in a map as sluice lays them out.
// Deliberately thin: the peers call <lmdb.h> themselves.

#include <sluice/codec/key_codec.hpp>
#include <sluice/codec/value_codec.hpp>
#include <sluice/storage/environment.hpp>

#include <lmdb.h>

#include <algorithm>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <iterator>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace raw_lmdb {

inline void check(int rc, const char* call) {
  if (rc != MDB_SUCCESS) [[unlikely]]
    throw std::runtime_error(std::string(call) + ": " + mdb_strerror(rc));
}

inline MDB_val as_val(std::string_view bytes) { return MDB_val{bytes.size(), const_cast<char*>(bytes.data())}; }
inline std::string_view as_view(const MDB_val& val) { return {static_cast<const char*>(val.mv_data), val.mv_size}; }

struct env_closer {
  void operator()(MDB_env* env) const noexcept { mdb_env_close(env); }
};
struct txn_aborter {
  void operator()(MDB_txn* txn) const noexcept { mdb_txn_abort(txn); }
};
struct cursor_closer {
  void operator()(MDB_cursor* cursor) const noexcept { mdb_cursor_close(cursor); }
};
using env_ptr = std::unique_ptr<MDB_env, env_closer>;
using txn_ptr = std::unique_ptr<MDB_txn, txn_aborter>;
using cursor_ptr = std::unique_ptr<MDB_cursor, cursor_closer>;

/// An environment opened as sluice opens a task's: the same map size and limits, MDB_NOTLS,
/// fsync at commit unless `flags` says otherwise.
inline env_ptr open_env(const std::filesystem::path& dir, unsigned flags = 0) {
  const sluice::storage::environment_options options{};
  MDB_env* raw = nullptr;
  check(mdb_env_create(&raw), "mdb_env_create");
  env_ptr env{raw};
  check(mdb_env_set_mapsize(raw, options.map_size), "mdb_env_set_mapsize");
  check(mdb_env_set_maxdbs(raw, options.max_databases), "mdb_env_set_maxdbs");
  check(mdb_env_set_maxreaders(raw, options.max_readers), "mdb_env_set_maxreaders");
  check(mdb_env_open(raw, dir.c_str(), MDB_NOTLS | flags, 0644), "mdb_env_open");
  return env;
}

inline txn_ptr begin_txn(MDB_env* env, unsigned flags) {
  MDB_txn* txn = nullptr;
  check(mdb_txn_begin(env, nullptr, flags, &txn), "mdb_txn_begin");
  return txn_ptr{txn};
}

inline void commit_txn(txn_ptr txn) { check(mdb_txn_commit(txn.release()), "mdb_txn_commit"); }

inline MDB_dbi open_dbi(MDB_txn* txn, const std::string& name, unsigned flags) {
  MDB_dbi dbi = 0;
  check(mdb_dbi_open(txn, name.c_str(), flags, &dbi), "mdb_dbi_open");
  return dbi;
}

inline cursor_ptr open_cursor(MDB_txn* txn, MDB_dbi dbi) {
  MDB_cursor* cursor = nullptr;
  check(mdb_cursor_open(txn, dbi, &cursor), "mdb_cursor_open");
  return cursor_ptr{cursor};
}

inline void put_entry(MDB_txn* txn, MDB_dbi dbi, std::string_view key, std::string_view value) {
  MDB_val key_val = as_val(key);
  MDB_val value_val = as_val(value);
  check(mdb_put(txn, dbi, &key_val, &value_val, 0), "mdb_put");
}

/// A writer thread's queue: producers push, the writer takes batches, oldest first.
template <class Request>
class request_queue {
 public:
  void push(Request request) {
    {
      std::lock_guard lock{mutex_};
      requests_.push_back(std::move(request));
    }
    ready_.notify_one();
  }

  // Waits for requests and moves up to `max` to `out`; false once closed.
  bool pop_batch(std::size_t max, std::vector<Request>& out) {
    std::unique_lock lock{mutex_};
    ready_.wait(lock, [&] { return closed_ || !requests_.empty(); });
    if (closed_) return false;
    const auto count = static_cast<std::ptrdiff_t>(std::min(max, requests_.size()));
    out.assign(std::make_move_iterator(requests_.begin()), std::make_move_iterator(requests_.begin() + count));
    requests_.erase(requests_.begin(), requests_.begin() + count);
    return true;
  }

  void close() {
    {
      std::lock_guard lock{mutex_};
      closed_ = true;
    }
    ready_.notify_all();
  }

 private:
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<Request> requests_;
  bool closed_ = false;
};

/// A subindexed list under a key of a top-level map, laid out as pstate/layout.hpp lays it out:
/// its meta (head position, size) at 01 <key> 00, its elements at 01 <key> 01 <position>. Keys
/// are built in one reused buffer.
class nested_list {
 public:
  using meta = std::pair<std::int64_t, std::uint64_t>;

  /// Appends the value-encoded `value` to the list under `key`: get the meta, put the element
  /// at head + size, put the meta back.
  void append(MDB_txn* txn, MDB_dbi dbi, std::string_view key, std::string_view value) {
    auto [head, size] = read_meta(txn, dbi, key);
    put_entry(txn, dbi, element_key(key, head + static_cast<std::int64_t>(size)), value);
    buffer_.clear();
    sluice::codec::encode_value_to(buffer_, meta{head, size + 1});
    put_entry(txn, dbi, meta_key(key), buffer_);
  }

  /// The list's meta; (0, 0) if there is no list under `key`.
  meta read_meta(MDB_txn* txn, MDB_dbi dbi, std::string_view key) {
    MDB_val key_val = as_val(meta_key(key));
    MDB_val value{};
    const int rc = mdb_get(txn, dbi, &key_val, &value);
    if (rc == MDB_NOTFOUND) return {};
    check(rc, "mdb_get");
    return sluice::codec::decode_value<meta>(as_view(value));
  }

  std::string_view meta_key(std::string_view key) { return tagged(key, '\x00'); }
  std::string_view element_key(std::string_view key, std::int64_t position) {
    tagged(key, '\x01');
    sluice::codec::encode_key_to(key_, position);
    return key_;
  }

 private:
  std::string_view tagged(std::string_view key, char tag) {
    key_.assign(1, '\x01');
    sluice::codec::encode_key_to(key_, key);
    key_.push_back(tag);
    return key_;
  }

  std::string key_;     // reused buffers
  std::string buffer_;
};

}  // namespace raw_lmdb

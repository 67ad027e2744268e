#pragma once
// The few helpers the benchmarks' hand-written LMDB peers share: error checks, MDB_val
// conversions and RAII handles. Deliberately thin: the peers call <lmdb.h> themselves.

#include <lmdb.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

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

}  // namespace raw_lmdb

#pragma once
// A handle to one named LMDB database, and the one place where bytes cross between
// std::string_view and LMDB's MDB_val.

#include <lmdb.h>

#include <compare>
#include <string_view>

namespace sluice::storage {

// A named database of an environment, as returned by environment::open_database. It stays valid
// for the life of the environment once the transaction that opened it has committed; like every
// LMDB handle, it is usable in transactions that begin after that commit.
struct database {
  MDB_dbi handle;

  friend auto operator<=>(const database&, const database&) = default;
};

}  // namespace sluice::storage

namespace sluice::storage::detail {

// LMDB never writes through the input MDB_val it is given, so dropping const here is sound.
inline MDB_val to_val(std::string_view bytes) noexcept {
  return MDB_val{bytes.size(), const_cast<char*>(bytes.data())};
}

inline std::string_view to_view(const MDB_val& val) noexcept {
  return {static_cast<const char*>(val.mv_data), val.mv_size};
}

}  // namespace sluice::storage::detail

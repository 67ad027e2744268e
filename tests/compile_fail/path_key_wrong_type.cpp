// expect: sluice path: the key given to key()/must() does not convert to the map's key type
#include <sluice/pstate.hpp>
#include <sluice/storage.hpp>

#include <cstdint>
#include <string>

using sluice::path;
using schema = sluice::map_schema<std::int64_t, std::string>;

void misuse(sluice::storage::write_txn& txn, const sluice::pstate_partition<schema>& ps) {
#ifdef SLUICE_COMPILE_FAIL
  ps.transform(txn, path::key("not a number").term_val("x"));
#else
  ps.transform(txn, path::key(42).term_val("x"));
#endif
}

// expect: sluice path: sorted_map_range*() need a map_schema
#include <sluice/pstate.hpp>
#include <sluice/storage.hpp>

#include <cstdint>
#include <string>

using sluice::path;
using schema = sluice::map_schema<std::string, sluice::list_schema<std::string, sluice::subindexed>>;

void misuse(sluice::storage::write_txn& txn, const sluice::pstate_partition<schema>& ps) {
#ifdef SLUICE_COMPILE_FAIL
  (void)ps.select(txn, path::key("k").sorted_map_range_from(0, 10));
#else
  (void)ps.select(txn, path::key("k").nth(0));
#endif
}

// expect: sluice path: nth() navigates into a list, but the schema here is not a list_schema
#include <sluice/pstate.hpp>
#include <sluice/storage.hpp>

#include <cstdint>
#include <string>

using sluice::path;
using schema = sluice::map_schema<std::string, sluice::map_schema<std::string, int, sluice::subindexed>>;

void misuse(sluice::storage::write_txn& txn, const sluice::pstate_partition<schema>& ps) {
#ifdef SLUICE_COMPILE_FAIL
  (void)ps.select(txn, path::key("k").nth(0));
#else
  (void)ps.select(txn, path::key("k").key("j"));
#endif
}

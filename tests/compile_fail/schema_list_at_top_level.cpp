// expect: sluice schema: a PState's top level is a map_schema or a plain value, not a list or set
#include <sluice/pstate.hpp>
#include <sluice/storage.hpp>

#include <cstdint>
#include <string>

using sluice::path;
#ifdef SLUICE_COMPILE_FAIL
using schema = sluice::list_schema<std::string>;
#else
using schema = sluice::map_schema<std::int64_t, std::string>;
#endif

void misuse(sluice::storage::write_txn& txn, const sluice::pstate_partition<schema>& ps) {
#ifdef SLUICE_COMPILE_FAIL
  (void)ps.select(txn, path::all());
#else
  (void)ps.select(txn, path::all());
#endif
}

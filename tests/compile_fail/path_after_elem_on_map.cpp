// expect: sluice path: after_elem()/before_elem() add to a list, but the schema here is not a list_schema
#include <sluice/pstate.hpp>
#include <sluice/storage.hpp>

#include <cstdint>
#include <string>

using sluice::path;
using schema = sluice::map_schema<std::string, std::string>;

void misuse(sluice::storage::write_txn& txn, const sluice::pstate_partition<schema>& ps) {
#ifdef SLUICE_COMPILE_FAIL
  ps.transform(txn, path::after_elem().term_val("x"));
#else
  ps.transform(txn, path::key("k").term_val("x"));
#endif
}

// expect: sluice path: the value given to term_val() does not convert to the value type here
#include <sluice/pstate.hpp>
#include <sluice/storage.hpp>

#include <cstdint>
#include <string>

using sluice::path;
using schema = sluice::map_schema<std::string, sluice::list_schema<std::string, sluice::subindexed>>;

void misuse(sluice::storage::write_txn& txn, const sluice::pstate_partition<schema>& ps) {
#ifdef SLUICE_COMPILE_FAIL
  ps.transform(txn, path::key("k").after_elem().term_val(42));
#else
  ps.transform(txn, path::key("k").after_elem().term_val("42"));
#endif
}

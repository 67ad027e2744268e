// expect: sluice path: a select path cannot end in term_val()/term()/term_void(); those are for transform
#include <sluice/pstate.hpp>
#include <sluice/storage.hpp>

#include <cstdint>
#include <string>

using sluice::path;
using schema = sluice::map_schema<std::string, std::string>;

void misuse(sluice::storage::write_txn& txn, const sluice::pstate_partition<schema>& ps) {
#ifdef SLUICE_COMPILE_FAIL
  (void)ps.select(txn, path::key("k").term_val("v"));
#else
  (void)ps.select(txn, path::key("k"));
#endif
}

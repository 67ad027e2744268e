// expect: sluice path: a transform path must end in term_val(), term() or term_void()
#include <sluice/pstate.hpp>
#include <sluice/storage.hpp>

#include <cstdint>
#include <string>

using sluice::path;
using schema = sluice::map_schema<std::string, std::string>;

void misuse(sluice::storage::write_txn& txn, const sluice::pstate_partition<schema>& ps) {
#ifdef SLUICE_COMPILE_FAIL
  ps.transform(txn, path::key("k"));
#else
  ps.transform(txn, path::key("k").term_void());
#endif
}

// expect: sluice path: view() is for select; to change a value use term(fn)
#include <sluice/pstate.hpp>
#include <sluice/storage.hpp>

#include <cstdint>
#include <string>

using sluice::path;
using schema = sluice::map_schema<std::string, std::int64_t>;

void misuse(sluice::storage::write_txn& txn, const sluice::pstate_partition<schema>& ps) {
#ifdef SLUICE_COMPILE_FAIL
  ps.transform(txn, path::key("k").view([](std::int64_t n) { return n; }).term_val(1));
#else
  ps.transform(txn, path::key("k").term([](std::int64_t n) { return n + 1; }));
#endif
}

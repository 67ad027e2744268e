// expect: sluice: select(path) routes by the path's first key
#include <sluice/sluice.hpp>

#include <cstdint>
#include <string>

using sluice::path;

inline constexpr auto counts = sluice::pstate<"$$counts", sluice::map_schema<std::string, std::int64_t>>;

auto query(const sluice::cluster& cluster) {
  auto client = cluster.pstate(counts);
#ifdef SLUICE_COMPILE_FAIL
  return client.select(path::map_keys());  // no first key to route by
#else
  return client.select(0, path::map_keys());
#endif
}

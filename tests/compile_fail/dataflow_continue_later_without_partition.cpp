// expect: sluice dataflow: continue_later() resumes right after the last partitioner, and there is none before it
#include <sluice/dataflow.hpp>

#include <cstdint>

using namespace sluice::literals;

inline constexpr auto numbers = sluice::depot<"*numbers", std::int64_t>(sluice::random_partition);

void define(sluice::stream_topology& core) {
#ifdef SLUICE_COMPILE_FAIL
  core.add(sluice::source(numbers).out("*n"_v).continue_later());
#else
  core.add(sluice::source(numbers).out("*n"_v).all_partition().continue_later());
#endif
}

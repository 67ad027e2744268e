// expect: sluice dataflow: each(fn, args...) cannot call fn with arguments of these types
#include "dataflow_fixture.hpp"

void define(sluice::stream_topology& core) {
#ifdef SLUICE_COMPILE_FAIL
  core.add(chain.each([](const std::string& a, const std::string& b) { return a + b; }, "*id"_v).out("*both"_v));
#else
  core.add(chain.each([](const std::string& a, const std::string& b) { return a + b; }, "*id"_v, "*id"_v).out("*both"_v));
#endif
}

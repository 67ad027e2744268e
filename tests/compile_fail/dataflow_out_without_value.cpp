// expect: sluice dataflow: .out() follows an op that emits nothing to bind
#include "dataflow_fixture.hpp"

void define(sluice::stream_topology& core) {
#ifdef SLUICE_COMPILE_FAIL
  core.add(chain.each([](const std::string&) {}, "*id"_v).out("*nothing"_v));
#else
  core.add(chain.each([](const std::string&) { return 1; }, "*id"_v).out("*one"_v));
#endif
}

// expect: sluice dataflow: .out() binds a variable that is already bound
#include "dataflow_fixture.hpp"

void define(sluice::stream_topology& core) {
#ifdef SLUICE_COMPILE_FAIL
  core.add(chain.each(sluice::get<"text">, "*post"_v).out("*id"_v));
#else
  core.add(chain.each(sluice::get<"text">, "*post"_v).out("*text"_v));
#endif
}

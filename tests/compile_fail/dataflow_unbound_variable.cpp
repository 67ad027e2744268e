// expect: sluice dataflow: a variable is used before any op binds it
#include "dataflow_fixture.hpp"

void define(sluice::stream_topology& core) {
#ifdef SLUICE_COMPILE_FAIL
  core.add(chain.each(sluice::get<"text">, "*nope"_v).out("*text"_v));
#else
  core.add(chain.each(sluice::get<"text">, "*post"_v).out("*text"_v));
#endif
}

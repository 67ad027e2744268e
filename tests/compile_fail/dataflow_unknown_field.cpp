// expect: sluice dataflow: sluice::get<\"field\">: the struct has no field of that name
#include "dataflow_fixture.hpp"

void define(sluice::stream_topology& core) {
#ifdef SLUICE_COMPILE_FAIL
  core.add(chain.each(sluice::get<"txet">, "*post"_v).out("*text"_v));
#else
  core.add(chain.each(sluice::get<"text">, "*post"_v).out("*text"_v));
#endif
}

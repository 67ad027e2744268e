// expect: sluice dataflow: partitioners cannot stand inside if_true() branches
#include "dataflow_fixture.hpp"

void define(sluice::stream_topology& core) {
#ifdef SLUICE_COMPILE_FAIL
  core.add(chain.each([] { return true; }).out("*yes"_v).if_true("*yes"_v, sluice::block().hash_partition("*id"_v)));
#else
  core.add(chain.each([] { return true; }).out("*yes"_v).hash_partition("*id"_v).if_true("*yes"_v, sluice::block().each([] {})));
#endif
}

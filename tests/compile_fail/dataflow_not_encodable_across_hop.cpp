// expect: sluice dataflow: a variable bound before this partitioner cannot be encoded
#include "dataflow_fixture.hpp"

void define(sluice::stream_topology& core) {
#ifdef SLUICE_COMPILE_FAIL
  core.add(chain.each([] { return opaque{}; }).out("*opaque"_v).hash_partition("*id"_v));
#else
  core.add(chain.each([] { return 7; }).out("*seven"_v).hash_partition("*id"_v));
#endif
}

// expect: sluice dataflow: add() takes a chain that starts with sluice::source(depot)
#include "dataflow_fixture.hpp"

void define(sluice::stream_topology& core) {
#ifdef SLUICE_COMPILE_FAIL
  core.add(sluice::block().each([] {}));
#else
  core.add(chain);
#endif
}

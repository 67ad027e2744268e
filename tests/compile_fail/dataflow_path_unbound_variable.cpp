// expect: sluice dataflow: a variable is used before any op binds it
#include "dataflow_fixture.hpp"

void define(sluice::stream_topology& core) {
#ifdef SLUICE_COMPILE_FAIL
  core.add(chain.local_transform(feeds, path::key("*who"_v).after_elem().term_val("*id"_v)));
#else
  core.add(chain.local_transform(feeds, path::key("*id"_v).after_elem().term_val("*id"_v)));
#endif
}

// expect: sluice path: the value given to term_val() does not convert to the value type here
#include "dataflow_fixture.hpp"

void define(sluice::stream_topology& core) {
#ifdef SLUICE_COMPILE_FAIL
  core.add(chain.local_transform(feeds, path::key("*id"_v).after_elem().term_val("*post"_v)));
#else
  core.add(chain.local_transform(feeds, path::key("*id"_v).after_elem().term_val("*id"_v)));
#endif
}

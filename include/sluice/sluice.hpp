#pragma once
// sluice: event-sourced backends as typed dataflow over LMDB. This header is the public surface:
// declarations and dataflow, PStates and paths, the cluster and its clients. Helpers such as
// <sluice/helpers/topology_scheduler.hpp> are included on their own.

#include <sluice/client.hpp>
#include <sluice/dataflow.hpp>
#include <sluice/pstate.hpp>
#include <sluice/runtime.hpp>

#pragma once
// sluice's clients: appending to depots and querying PStates of a cluster's modules.

#include <sluice/client/depot_client.hpp>
#include <sluice/client/pstate_client.hpp>
#include <sluice/runtime.hpp>

#pragma once
// sluice's runtime: clusters, module launch, tasks and workers, group commit, hops with
// exactly-once effects, ticks, clocks and metrics.

#include <sluice/runtime/ack.hpp>
#include <sluice/runtime/cluster.hpp>
#include <sluice/runtime/cluster_error.hpp>
#include <sluice/runtime/metrics.hpp>
#include <sluice/runtime/options.hpp>

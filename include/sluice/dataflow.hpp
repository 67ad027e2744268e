#pragma once
// The dataflow layer: variables, declarations, chains and blocks, and module definitions.

#include <sluice/dataflow/current_time.hpp>
#include <sluice/dataflow/declarations.hpp>
#include <sluice/dataflow/emitter.hpp>
#include <sluice/dataflow/flow.hpp>
#include <sluice/dataflow/get.hpp>
#include <sluice/dataflow/module.hpp>
#include <sluice/dataflow/topology.hpp>
#include <sluice/dataflow/var.hpp>

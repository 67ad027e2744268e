#pragma once
// The pstate layer: schemas, paths and one task's partition of a PState.

#include <sluice/pstate/navigators.hpp>
#include <sluice/pstate/partition.hpp>
#include <sluice/pstate/path.hpp>
#include <sluice/pstate/schema.hpp>

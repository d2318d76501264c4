#pragma once
// Where a job may run, on the built inventory: pools named by a spec, the largest of
// them, and whether a job's placement constraints can be met in any (sim/job_sources.h).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "scheduler/inventory.h"
#include "scheduler/job.h"
#include "sim/field_error.h"

namespace podsim::sim {

// The pools `names` name, in order; an unknown name is a problem at "FIELD[i]".
std::vector<uint32_t> named_pools(const std::vector<std::string>& names, const scheduler::Inventory& inv,
                                  const std::string& field, FieldProblems& problems);

// Devices of the largest pool among `allowed` (empty: every pool).
uint32_t biggest_pool(const scheduler::Inventory& inv, const std::vector<uint32_t>& allowed);

// Why a job with placement constraints can run in no pool it may use, or nullopt.
std::optional<std::string> never_placed(const scheduler::Inventory& inv, const scheduler::JobRequest& r);

}  // namespace podsim::sim

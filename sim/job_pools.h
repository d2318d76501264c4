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

// Devices a job may use in the largest pool among `allowed` (empty: every pool): its
// devices less the `spares` held back in each pool (failures.spares_per_pool).
uint32_t biggest_pool(const scheduler::Inventory& inv, const std::vector<uint32_t>& allowed, uint32_t spares);

// What a refusal says the largest pool holds: "72", or with spares "63 (72 less 9 hot
// spares, failures.spares_per_pool)".
std::string pool_room(uint32_t usable, uint32_t spares);
// The part in parentheses alone ("72 less 9 hot spares, ..."), empty without spares.
std::string spares_note(uint32_t usable, uint32_t spares);

// Why a job with placement constraints can run in no pool it may use, or nullopt.
std::optional<std::string> never_placed(const scheduler::Inventory& inv, const scheduler::JobRequest& r);

}  // namespace podsim::sim

#pragma once
// What the run loop checks before the first event: where each job may run and that it
// can ever run there. A job is refused (UserError naming it) for 0 devices, work that is
// not a positive finite number of steps, a pool index the cluster does not have,
// placement constraints no pool it may use can meet, or more devices than any such pool
// has once its spares are held back.
#include <cstdint>
#include <vector>

#include "scheduler/device_books.h"
#include "scheduler/inventory.h"
#include "scheduler/job.h"

namespace podsim::scheduler {

// The pools each job may use: those it names (every pool if none) whose shape can meet
// its placement constraints (possibly none). Throws UserError for a pool index the
// cluster does not have.
std::vector<std::vector<uint32_t>> allowed_pools(const Inventory& inv, const std::vector<JobRequest>& jobs);

// Throws UserError for the first job that can never run. `allowed` from allowed_pools;
// `books` with its spares held.
void check_jobs(const Inventory& inv, const std::vector<JobRequest>& jobs,
                const std::vector<std::vector<uint32_t>>& allowed, const DeviceBooks& books);

}  // namespace podsim::scheduler

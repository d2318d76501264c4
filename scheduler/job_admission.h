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

// The pools each job may use, `allowed[j]`: those it names (every pool if none) whose
// shape can meet its placement constraints (possibly none). A function of (devices,
// constraints, pools named), so each distinct list is held once and jobs point at it:
// 200,000 jobs on 2,000 pools once held a copy of every pool's index each (1.6 GB).
class AllowedPools {
 public:
  const std::vector<uint32_t>& operator[](size_t job) const { return lists_[list_of_[job]]; }
  size_t size() const { return list_of_.size(); }
  size_t distinct() const { return lists_.size(); }

 private:
  friend AllowedPools allowed_pools(const Inventory& inv, const std::vector<JobRequest>& jobs);
  std::vector<std::vector<uint32_t>> lists_;
  std::vector<uint32_t> list_of_;  // by job
};

// Throws UserError for a pool index the cluster does not have.
AllowedPools allowed_pools(const Inventory& inv, const std::vector<JobRequest>& jobs);

// Throws UserError for the first job that can never run. `allowed` from allowed_pools;
// `books` with its spares held.
void check_jobs(const Inventory& inv, const std::vector<JobRequest>& jobs, const AllowedPools& allowed,
                const DeviceBooks& books);

}  // namespace podsim::scheduler

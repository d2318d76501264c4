#include "scheduler/job_admission.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <tuple>

#include "engine/printable.h"
#include "engine/error.h"
#include "scheduler/placement.h"

namespace podsim::scheduler {

AllowedPools allowed_pools(const Inventory& inv, const std::vector<JobRequest>& jobs) {
  AllowedPools out;
  out.list_of_.resize(jobs.size());
  // Keyed as the queue's classes are (scheduler/queue_index.cc); the key refers to the
  // job's own list, not a copy.
  std::map<std::tuple<uint32_t, PlacementConstraints, const std::vector<uint32_t>&>, uint32_t> ids;
  for (size_t j = 0; j < jobs.size(); ++j) {
    const JobRequest& job = jobs[j];
    for (uint32_t p : job.pools)
      if (p >= inv.pools().size())
        throw UserError(fmt::format("job '{}': pool index {} does not exist (the cluster has {} pools)", printable(job.name), p,
                                    inv.pools().size()));
    const auto [it, fresh] = ids.try_emplace({job.devices, job.placement, job.pools}, uint32_t(out.lists_.size()));
    out.list_of_[j] = it->second;
    if (!fresh) continue;
    std::vector<uint32_t> allowed = job.pools;
    if (allowed.empty())
      for (uint32_t p = 0; p < inv.pools().size(); ++p) allowed.push_back(p);
    // A pool whose shape can never meet the job's constraints is not one it may use.
    if (job.placement.any())
      std::erase_if(allowed, [&](uint32_t p) { return constraint_problem(inv, p, job.devices, job.placement).has_value(); });
    out.lists_.push_back(std::move(allowed));
  }
  return out;
}

void check_jobs(const Inventory& inv, const std::vector<JobRequest>& jobs, const AllowedPools& allowed,
                const DeviceBooks& books) {
  std::vector<uint32_t> usable(inv.pools().size());
  for (uint32_t p = 0; p < usable.size(); ++p) usable[p] = inv.pool_size(p) - books.spares_in_pool(p);
  for (size_t j = 0; j < jobs.size(); ++j) {
    const JobRequest& job = jobs[j];
    if (job.devices == 0) throw UserError(fmt::format("job '{}': needs 0 devices (expected at least 1)", printable(job.name)));
    if (!(job.steps > 0) || !std::isfinite(job.steps))
      throw UserError(fmt::format("job '{}': work must be a positive number of steps, got {}", printable(job.name), job.steps));
    if (allowed[j].empty()) {  // allowed_pools() dropped every pool whose shape cannot meet the constraints
      std::string why;
      std::vector<uint32_t> named = job.pools;
      if (named.empty())  // none named: every pool
        for (uint32_t p = 0; p < inv.pools().size(); ++p) named.push_back(p);
      for (uint32_t p : named)
        why += (why.empty() ? "" : "; ") + constraint_problem(inv, p, job.devices, job.placement).value_or("");
      throw UserError(fmt::format("job '{}': its placement constraints cannot be met: {}", printable(job.name), why));
    }
    uint32_t biggest = 0;
    for (uint32_t p : allowed[j]) biggest = std::max(biggest, usable[p]);
    if (job.devices > biggest) {
      std::string pools;
      for (uint32_t p : allowed[j])
        pools += fmt::format("{}{} ({} usable)", pools.empty() ? "" : ", ", inv.pools()[p].name, usable[p]);
      throw UserError(fmt::format("job '{}': needs {} devices, more than any pool it may use has: {}", printable(job.name),
                                  job.devices, pools));
    }
  }
}

}  // namespace podsim::scheduler

#include "sim/class_work.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "engine/printable.h"
#include "engine/check.h"
#include "scheduler/free_map.h"
#include "scheduler/placement.h"

namespace podsim::sim {

scheduler::PlacementShape reference_shape(const scheduler::Inventory& inv, const scheduler::JobRequest& job,
                                          uint32_t pool) {
  const scheduler::FreeMap empty(inv);
  const auto packed = scheduler::make_placement(scheduler::PlacementKind::kTopologyAware);
  std::optional<scheduler::PlacementChoice> c;
  if (!scheduler::constraint_problem(inv, pool, job.devices, job.placement))
    c = packed->place_within(empty, pool, job.devices, job.placement);
  if (!c) c = packed->place(empty, pool, job.devices);
  PODSIM_CHECK(c.has_value(), "reference placement: the job does not fit its empty reference pool");
  return c->shape;
}

void class_jobs_to_steps(const topologies::Cluster& cluster, const scheduler::Inventory& inv, const PoolPlans& plans,
                         SchedulerJobs& jobs) {
  if (jobs.class_work.empty()) return;
  ModelStepOracle oracle(inv, cluster, jobs.models, plans, nullptr);
  std::map<std::pair<uint32_t, uint32_t>, double> reference_step;  // (workload, pool)
  std::vector<bool> drop(jobs.jobs.size(), false);
  std::map<std::pair<size_t, std::vector<uint32_t>>, std::vector<uint32_t>> fits_by_class;  // (workload, pools named)
  for (const ClassWork& w : jobs.class_work) {
    scheduler::JobRequest& job = jobs.jobs[w.job];
    const size_t k = job.workload - 1;
    const workloads::TrainingJob& model = jobs.models.at(k);
    auto skip = [&](const std::string& reason) {
      drop[w.job] = true;
      ++jobs.skipped_rows;
      ++jobs.skipped_by_reason[reason];
    };
    const uint32_t ref = w.reference_pool;
    if (!plans.at(k).at(ref) || job.devices > inv.pool_size(ref)) {
      skip(fmt::format("class '{}': no plan for {} GPUs on the reference pool '{}'", printable(model.name), job.devices,
                       printable(inv.pools()[ref].name)));
      continue;
    }
    // The pools it may use that have a plan, as one list per (workload, pools named):
    // a copy per job once held every pool's index (100,000 trace jobs on 1,000 pools:
    // 400 MB, none of it in the run-size estimate). When every pool it may use has a
    // plan, its own list (empty: any) already says so and is kept; a copy is left only
    // where a pool has no plan (counted by the run-size estimate, scenario/run_size.cc).
    auto [fit, new_fit] = fits_by_class.try_emplace({k, job.pools});
    if (new_fit) {
      for (uint32_t p = 0; p < inv.pools().size(); ++p)
        if (plans[k][p] && (job.pools.empty() || std::find(job.pools.begin(), job.pools.end(), p) != job.pools.end()))
          fit->second.push_back(p);
    }
    const std::vector<uint32_t>& fits = fit->second;
    if (fits.empty()) {
      skip(fmt::format("class '{}': no plan for {} GPUs on a pool it may use", printable(model.name), job.devices));
      continue;
    }
    // (Order too: the list is the order pools are tried in.)
    const bool any_pool = job.pools.empty() && fits.size() == inv.pools().size();
    if (!any_pool && job.pools != fits) job.pools = fits;
    auto [it, fresh] = reference_step.try_emplace({job.workload, ref}, 0.0);
    if (fresh) it->second = oracle.estimate(job, reference_shape(inv, job, ref)).step_seconds;
    job.steps = std::max(w.duration_s, 1.0) / it->second;  // a 0 s job still starts and ends
  }
  // Drop the skipped jobs, keeping the others' order; class_work follows the new indices.
  std::vector<size_t> index(jobs.jobs.size());
  size_t kept = 0;
  for (size_t j = 0; j < jobs.jobs.size(); ++j) {
    index[j] = kept;
    if (drop[j]) continue;
    if (kept != j) jobs.jobs[kept] = std::move(jobs.jobs[j]);
    ++kept;
  }
  jobs.jobs.resize(kept);
  std::erase_if(jobs.class_work, [&](const ClassWork& w) { return drop[w.job]; });
  for (ClassWork& w : jobs.class_work) w.job = index[w.job];
}

}  // namespace podsim::sim

#include "sim/cluster_run.h"

#include "sim/duration_reference.h"
#include "sim/finite_results.h"

namespace podsim::sim {

ClusterRunOutput run_cluster(const topologies::Cluster& cluster, const scheduler::Inventory& inv,
                             const SchedulerJobs& jobs, PoolPlans plans, const scheduler::ClusterRunOptions& options,
                             StepRecorder* recorder) {
  ModelStepOracle oracle(inv, cluster, jobs.models, std::move(plans), recorder);
  std::string reference = duration_reference(inv, jobs.jobs);
  if (const std::string classes = class_reference(inv, jobs.class_work); !classes.empty())
    reference += (reference.empty() ? "" : "; ") + classes;
  ClusterRunOutput out{.result = scheduler::run_cluster(inv, jobs.jobs, oracle, options),
                       .skipped_rows = jobs.skipped_rows,
                       .skipped_oversized = jobs.skipped_oversized,
                       .duration_reference = std::move(reference),
                       .skipped_by_reason = jobs.skipped_by_reason};
  check_finite(out.result);
  return out;
}

}  // namespace podsim::sim

#include "sim/cluster_run.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <iterator>

#include "sim/class_work.h"
#include "sim/duration_reference.h"
#include "sim/field_error.h"
#include "sim/finite_results.h"
#include "sim/inventory_from_cluster.h"
#include "sim/job_sources.h"
#include "sim/pool_plans.h"
#include "topologies/build.h"
#include "topologies/engine_fabric.h"

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

ClusterRunOutput run_cluster(const ClusterRunSpec& spec, const ClusterRunHooks& hooks) {
  auto since = [lap = std::chrono::steady_clock::now()]() mutable {
    const auto now = std::chrono::steady_clock::now();
    const double s = std::chrono::duration<double>(now - lap).count();
    lap = now;
    return s;
  };
  topologies::ClusterParams params = spec.cluster;
  params.detailed_view = false;  // the run routes on the collapsed view only
  const topologies::Cluster cluster = topologies::build_cluster(params);
  const scheduler::Inventory inv = inventory_from_cluster(cluster, params);
  const double build_s = since();
  SchedulerJobs jobs = scheduler_jobs(spec, inv);
  // Plans of every model: the explicit jobs', then each trace class's at each GPU count
  // (a request of that size that names no pool: pool_plans finds where it fits). The
  // explicit jobs are lent to it (moved, not copied: each may list every pool) and come
  // back with the pools they fit in.
  const auto explicit_end = jobs.jobs.begin() + static_cast<std::ptrdiff_t>(jobs.explicit_jobs);
  std::vector<scheduler::JobRequest> requests(std::make_move_iterator(jobs.jobs.begin()),
                                              std::make_move_iterator(explicit_end));
  for (size_t k = jobs.explicit_jobs; k < jobs.models.size(); ++k)
    requests.push_back({.devices = static_cast<uint32_t>(jobs.models[k].devices)});
  PoolPlanResult plans = pool_plans(cluster, topologies::EngineFabric(cluster), inv, jobs.models, jobs.auto_plan, requests);
  std::move(requests.begin(), requests.begin() + static_cast<std::ptrdiff_t>(jobs.explicit_jobs), jobs.jobs.begin());
  FieldProblems problems;
  for (const PlanProblem& p : plans.problems)
    if (p.job < jobs.explicit_jobs) problems.add(fmt::format("jobs[{}].plan", p.job), p.message);
  problems.throw_if_any();
  class_jobs_to_steps(cluster, inv, plans.plans, jobs);  // class rows' run times become steps
  const double plan_s = since();

  if (hooks.before_run) hooks.before_run(cluster, inv, jobs, spec.options);
  ClusterRunOutput out = run_cluster(cluster, inv, jobs, std::move(plans.plans), spec.options, hooks.steps);
  out.stats = {.pools = inv.pools().size(),
               .scale_up_domains = inv.devices().empty() ? 0 : inv.devices().back().domain + 1u,
               .nodes = inv.node_count(),
               .leaves = inv.leaves().size(),
               .build_s = build_s,
               .plan_s = plan_s,
               .simulate_s = since()};
  return out;
}

}  // namespace podsim::sim

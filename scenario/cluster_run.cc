#include "scenario/cluster_run.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <functional>
#include <optional>
#include <span>

#include "engine/error.h"
#include "scenario/cluster_from_proto.h"
#include "scenario/jobs_from_proto.h"
#include "scenario/run_size.h"
#include "scenario/scenario_check.h"
#include "scheduler/cluster_run.h"
#include "sim/class_work.h"
#include "sim/inventory_from_cluster.h"
#include "sim/pool_plans.h"
#include "topologies/build.h"
#include "topologies/engine_fabric.h"

namespace podsim::scenario {
namespace {

scheduler::PlacementKind placement(v1::Scheduler::Placement p) {
  switch (p) {
    case v1::Scheduler::FIRST_FIT: return scheduler::PlacementKind::kFirstFit;
    case v1::Scheduler::BEST_FIT: return scheduler::PlacementKind::kBestFit;
    case v1::Scheduler::FRAGMENTATION_AWARE: return scheduler::PlacementKind::kFragmentationAware;
    default: return scheduler::PlacementKind::kTopologyAware;
  }
}

scheduler::PolicyKind policy(v1::Scheduler::Policy p) {
  switch (p) {
    case v1::Scheduler::SJF: return scheduler::PolicyKind::kSjf;
    case v1::Scheduler::SRTF: return scheduler::PolicyKind::kSrtf;
    case v1::Scheduler::EASY_BACKFILL: return scheduler::PolicyKind::kEasyBackfill;
    case v1::Scheduler::LAS: return scheduler::PolicyKind::kLas;
    case v1::Scheduler::FAIR_SHARE: return scheduler::PolicyKind::kFairShare;
    case v1::Scheduler::PRIORITY: return scheduler::PolicyKind::kPriority;
    default: return scheduler::PolicyKind::kFifo;
  }
}

}  // namespace

bool has_cluster_run(const ScenarioFile& file) {
  const v1::Scenario& s = file.scenario();
  return (s.cluster().pools_size() > 0 || s.cluster().node_lists_size() > 0) && (s.jobs_size() > 0 || s.sources_size() > 0);
}

sim::ClusterRunOutput run_cluster(const ScenarioFile& file, scheduler::RunObserver* observer, sim::StepRecorder* steps,
                                  scheduler::RunProgress progress) {
  const auto wall0 = std::chrono::steady_clock::now();
  auto since = [lap = wall0]() mutable {
    const auto now = std::chrono::steady_clock::now();
    const double s = std::chrono::duration<double>(now - lap).count();
    lap = now;
    return s;
  };
  const v1::Scenario& s = file.scenario();
  check_run_size_before_build(file);  // before ten million jobs are generated
  SkippedMachines skipped_machines;
  topologies::ClusterParams params = cluster_params(file, &skipped_machines);
  params.detailed_view = false;  // the run routes on the collapsed view only
  const topologies::Cluster cluster = topologies::build_cluster(params);
  const scheduler::Inventory inv = sim::inventory_from_cluster(cluster, params);
  const double build_s = since();
  sim::SchedulerJobs jobs = scheduler_jobs(file, inv);
  // Plans of every model: the explicit jobs', then each trace class's at each GPU count
  // (a request of that size that names no pool: pool_plans finds where it fits).
  std::vector<bool> auto_plan;
  std::vector<scheduler::JobRequest> requests(jobs.jobs.begin(), jobs.jobs.begin() + jobs.explicit_jobs);
  for (size_t k = 0; k < jobs.explicit_jobs; ++k) auto_plan.push_back(s.jobs(static_cast<int>(k)).plan().auto_plan());
  for (size_t k = jobs.explicit_jobs; k < jobs.models.size(); ++k) {
    auto_plan.push_back(jobs.class_auto_plan[k - jobs.explicit_jobs]);
    requests.push_back({.devices = static_cast<uint32_t>(jobs.models[k].devices)});
  }
  sim::PoolPlanResult plans =
      sim::pool_plans(cluster, topologies::EngineFabric(cluster), inv, jobs.models, auto_plan, requests);
  for (size_t k = 0; k < jobs.explicit_jobs; ++k) jobs.jobs[k].pools = requests[k].pools;
  Problems problems(file);
  for (const sim::PlanProblem& p : plans.problems)
    if (p.job < jobs.explicit_jobs) problems.add(fmt::format("jobs[{}].plan", p.job), p.message);
  problems.throw_if_any();
  sim::class_jobs_to_steps(cluster, inv, plans.plans, jobs);  // class rows' run times become steps
  const double plan_s = since();

  scheduler::ClusterRunOptions o{.seed = s.seed(),
                                 .policy = {.kind = policy(s.scheduler().policy())},
                                 .placement = placement(s.scheduler().placement()),
                                 .failures = failure_options(file),
                                 .observer = observer,
                                 .progress = std::move(progress)};
  for (double h : s.scheduler().las_thresholds_device_hours()) o.policy.las_thresholds.push_back(h * 3600);
  if (s.horizon_s() > 0) o.horizon = engine::SimTime::seconds(s.horizon_s());
  if (s.scheduler().timeline_samples() > 0) o.timeline_samples = s.scheduler().timeline_samples();

  check_run_size(file, cluster, inv, jobs, o);  // before the first event
  sim::ClusterRunOutput out = sim::run_cluster(cluster, inv, jobs, std::move(plans.plans), o, steps);
  out.skipped_machines = std::move(skipped_machines);
  out.stats = {.pools = inv.pools().size(), .scale_up_domains = inv.devices().empty() ? 0 : inv.devices().back().domain + 1u, .nodes = inv.node_count(),
               .leaves = inv.leaves().size(), .build_s = build_s, .plan_s = plan_s, .simulate_s = since()};
  out.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
  return out;
}

}  // namespace podsim::scenario

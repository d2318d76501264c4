#include "scenario/cluster_run.h"

#include <fmt/format.h>

#include <chrono>

#include "engine/error.h"
#include "scenario/cluster_from_proto.h"
#include "scenario/jobs_from_proto.h"
#include "scenario/run_size.h"
#include "scenario/scenario_check.h"
#include "sim/field_error.h"

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

sim::ClusterRunSpec cluster_run_spec(const ScenarioFile& file, SkippedMachines* skipped_machines) {
  const v1::Scenario& s = file.scenario();
  sim::ClusterRunSpec spec{.cluster = cluster_params(file, skipped_machines)};
  job_sources(file, spec);
  spec.options = {.seed = s.seed(),
                  .policy = {.kind = policy(s.scheduler().policy())},
                  .placement = placement(s.scheduler().placement()),
                  .failures = failure_options(file)};
  for (double h : s.scheduler().las_thresholds_device_hours()) spec.options.policy.las_thresholds.push_back(h * 3600);
  if (s.horizon_s() > 0) spec.options.horizon = engine::SimTime::seconds(s.horizon_s());
  if (s.scheduler().timeline_samples() > 0) spec.options.timeline_samples = s.scheduler().timeline_samples();
  return spec;
}

sim::ClusterRunOutput run_cluster(const ScenarioFile& file, scheduler::RunObserver* observer, sim::StepRecorder* steps,
                                  scheduler::RunProgress progress) {
  const auto wall0 = std::chrono::steady_clock::now();
  check_run_size_before_build(file);  // before ten million jobs are generated
  SkippedMachines skipped_machines;
  sim::ClusterRunSpec spec = cluster_run_spec(file, &skipped_machines);
  spec.options.observer = observer;
  spec.options.progress = std::move(progress);
  const sim::ClusterRunHooks hooks{
      .steps = steps,
      .before_run = [&file](const topologies::Cluster& cluster, const scheduler::Inventory& inv,
                            const sim::SchedulerJobs& jobs, const scheduler::ClusterRunOptions& o) {
        check_run_size(file, cluster, inv, jobs, o);  // before the first event
      }};
  sim::ClusterRunOutput out;
  try {
    out = sim::run_cluster(spec, hooks);
  } catch (const sim::FieldErrors& e) {  // what needed the built cluster, placed in the file
    Problems problems(file);
    for (const sim::FieldError& f : e.errors()) problems.add(f.path(), f.message());
    problems.throw_if_any();
    throw;
  } catch (const sim::RowError& e) {
    throw UserError(fmt::format("{} ({}: {})", e.row(), file.where(e.path()), e.hint()));
  }
  out.skipped_machines = std::move(skipped_machines);
  out.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
  return out;
}

}  // namespace podsim::scenario

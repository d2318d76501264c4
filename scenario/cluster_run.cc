#include "scenario/cluster_run.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>

#include "engine/error.h"
#include "engine/printable.h"
#include "engine/sim_time.h"
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

// A run without a horizon ends when its last job does. One that reached the end of
// simulated time (SimTime::end_of_time(), 2^62 ns, 146 years) with jobs unfinished was cut
// there, not finished: its makespan, JCTs and utilization would describe an arbitrary
// instant (`steps: 1e12` of a 0.4 s step printed "0 finished of 3, makespan 1281023 h",
// exit 0). Refused at the first unfinished job's budget (or at horizon_s for trace and
// synthetic jobs, whose work is bounded but whose queue may not be).
void refuse_if_cut_at_end_of_time(const ScenarioFile& file, const sim::ClusterRunSpec& spec,
                                  const scheduler::ClusterRunResult& result) {
  if (spec.options.horizon || result.summary.finished >= result.summary.jobs || result.jobs.empty()) return;
  double first_arrival = result.jobs.front().arrival_s;
  for (const scheduler::JobResult& j : result.jobs) first_arrival = std::min(first_arrival, j.arrival_s);
  const double end = first_arrival + result.summary.makespan_s;
  const double end_of_time = engine::SimTime::end_of_time().to_seconds();
  if (end < end_of_time * (1 - 1e-9)) return;  // ended early: jobs that could never start
  const auto unfinished =
      std::find_if(result.jobs.begin(), result.jobs.end(), [](const scheduler::JobResult& j) { return !j.end_s; });
  std::string field = "horizon_s";
  const v1::Scenario& s = file.scenario();
  for (int i = 0; i < s.jobs_size(); ++i) {
    if (s.jobs(i).name() != unfinished->name) continue;
    const char* budget = s.jobs(i).has_tokens() ? "tokens" : s.jobs(i).has_samples() ? "samples" : "steps";
    field = fmt::format("jobs[{}].{}", i, budget);
    break;
  }
  Problems problems(file);
  problems.add(field, fmt::format("job '{}' would still be running at the end of simulated time ({:.4g} s, 146 "
                                  "years; {} of {} jobs unfinished): more work and queueing than podsim simulates "
                                  "(expected a smaller budget, or horizon_s to stop the run earlier and report the "
                                  "unfinished jobs)",
                                  printable(unfinished->name), end_of_time, result.summary.jobs - result.summary.finished,
                                  result.summary.jobs));
  problems.throw_if_any();
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

sim::ClusterRunSpec checked_cluster_run_spec(const ScenarioFile& file, SkippedMachines* skipped_machines) {
  // Before ten million jobs are generated.
  check_run_size_before_build(file, policy(file.scenario().scheduler().policy()));
  return cluster_run_spec(file, skipped_machines);
}

sim::ClusterRunOutput run_cluster(const ScenarioFile& file, scheduler::RunObserver* observer, sim::StepRecorder* steps,
                                  scheduler::RunProgress progress) {
  const auto wall0 = std::chrono::steady_clock::now();
  SkippedMachines skipped_machines;
  sim::ClusterRunSpec spec = checked_cluster_run_spec(file, &skipped_machines);
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
  refuse_if_cut_at_end_of_time(file, spec, out.result);
  out.skipped_machines = std::move(skipped_machines);
  out.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
  return out;
}

}  // namespace podsim::scenario

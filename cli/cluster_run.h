#pragma once
// `podsim run` on a scenario with a cluster: build the cluster, gather the jobs
// (explicit, traces, synthetic), run the scheduler, and write the results.
//
//   ClusterRunOutput r = run_cluster(file);           // after check_scenario(file)
//   scheduler::write_summary_table(r.result, out);
//   if (!dir.empty()) write_cluster_outputs(r.result, dir);
#include <filesystem>
#include <ostream>
#include <string>

#include "cli/scenario_file.h"
#include "cli/step_trace.h"
#include "scheduler/result.h"
#include "scheduler/run_observer.h"

namespace podsim::cli {

struct ClusterRunOutput {
  scheduler::ClusterRunResult result;
  size_t skipped_rows = 0, skipped_oversized = 0;
  double wall_seconds = 0;
};

// True iff the scenario has a cluster and something to schedule on it.
bool has_cluster_run(const ScenarioFile& file);

// Throws UserError for bad input (every problem found, with its place). `observer`
// (not owned, may be null) is told every event of the run (scheduler/run_observer.h);
// `steps` (may be null) receives the step model's traced steps (cli/step_trace.h).
ClusterRunOutput run_cluster(const ScenarioFile& file, scheduler::RunObserver* observer = nullptr,
                             RecordedSteps* steps = nullptr);

// The table `podsim run` prints.
void print_cluster_run(const ClusterRunOutput& r, std::ostream& out);

// summary.csv, jobs.csv, timeline.csv and results.json in `dir` (created if missing),
// each written to a temporary name and renamed, so a file is whole or absent.
// Throws UserError if the directory cannot be written.
void write_cluster_outputs(const scheduler::ClusterRunResult& r, const std::filesystem::path& dir);

}  // namespace podsim::cli

#pragma once
// The scenario's jobs as a cluster-run spec's (sim/cluster_run_spec.h): explicit `jobs`
// (with `job_settings`), trace replays (their files read) and synthetic mixes
// (`sources`, scheduling.proto), plus the failure and checkpoint settings. Every problem
// the file alone shows is reported with its field's place; trace rows with FILE:LINE.
// What needs the built cluster (pool names, pool sizes, placement constraints) sim/
// checks when it makes the jobs (sim/job_sources.h), at the same field paths.
#include "scenario/scenario_file.h"
#include "scheduler/failures.h"
#include "sim/cluster_run_spec.h"

namespace podsim::scenario {

// Fills spec.jobs and spec.sources. Throws UserError with every problem found. The
// classes' workloads refer to `file` (scenario/trace_classes.h): it must outlive `spec`.
void job_sources(const ScenarioFile& file, sim::ClusterRunSpec& spec);

// The `failures` section. Throws UserError.
scheduler::FailureOptions failure_options(const ScenarioFile& file);

}  // namespace podsim::scenario

#pragma once
// The scenario's jobs for the scheduler: explicit `jobs` (with `job_settings`), trace
// replays and synthetic mixes (`sources`, scheduling.proto), as scheduler::JobRequests,
// plus the failure and checkpoint settings. Every problem is reported with its field's
// place in the file; trace rows with FILE:LINE.
//
// Work: a trace or synthetic job is reference seconds (workload 0: one-second steps at
// the slowest pool's speed); explicit job k is workload k + 1, stepped by the model in
// `models[k]`.
#include <vector>

#include "scenario/scenario_file.h"
#include "scheduler/failures.h"
#include "scheduler/inventory.h"
#include "scheduler/job.h"
#include "sim/cluster_run.h"
#include "workloads/job.h"

namespace podsim::scenario {

// Throws UserError with every problem found.
sim::SchedulerJobs scheduler_jobs(const ScenarioFile& file, const scheduler::Inventory& inventory);

// The `failures` section. Throws UserError.
scheduler::FailureOptions failure_options(const ScenarioFile& file);

}  // namespace podsim::scenario

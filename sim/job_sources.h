#pragma once
// The jobs of a ClusterRunSpec (sim/cluster_run_spec.h) made on the built inventory:
// pools named become pool indices, every job is checked against the pools it may use,
// synthetic mixes are drawn, trace rows become run-time jobs or jobs of their class
// (sim/trace_jobs.h). Work: a trace or synthetic job is reference seconds (workload 0);
// explicit job k is workload k + 1, stepped by spec.jobs[k].model; a class job is a
// workload above them (sim/cluster_run.h SchedulerJobs).
#include "scheduler/inventory.h"
#include "sim/cluster_run.h"
#include "sim/cluster_run_spec.h"

namespace podsim::sim {

// Throws FieldErrors with every problem of the jobs and synthetic sources (then of the
// trace sources, each as its rows are read), RowError for a trace row that cannot run
// (unless skip_oversized), UserError with a class's `why` for a class that matched rows
// but could cut none of their GPU counts.
SchedulerJobs scheduler_jobs(const ClusterRunSpec& spec, const scheduler::Inventory& inv);

}  // namespace podsim::sim

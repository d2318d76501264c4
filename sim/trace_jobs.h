#pragma once
// A trace's rows as jobs (sim/job_sources.h). A row without a class is its run time at
// reference speed (workload 0, sim/duration_reference.h); a row of a class is a job of
// the class's workload at the row's GPU count, its run time converted to steps once plans
// are known (sim/class_work.h). A declared GPU type narrows the pools to those of that
// name or GPU type; rows that cannot be used are skipped and counted by reason.
#include <cstddef>

#include "scheduler/inventory.h"
#include "sim/cluster_run.h"
#include "sim/cluster_run_spec.h"
#include "sim/field_error.h"

namespace podsim::sim {

// Source `index` of a spec ("sources[index]"). Records problems of its pools and
// reference pool (and then makes no jobs); throws RowError for a row that cannot run
// (unless skip_oversized) and UserError with the class's `why` for a class that matched
// rows but could cut none of their GPU counts. `spares`: devices held back in each pool
// (failures.spares_per_pool), which no row may use.
void add_trace_jobs(const TraceJobs& t, size_t index, const scheduler::Inventory& inv, uint32_t spares,
                    SchedulerJobs& out, FieldProblems& problems);

}  // namespace podsim::sim

#pragma once
// A scenario with a cluster, run: its proto converted to a plain spec (cluster, jobs,
// traces read, synthetic mixes, scheduler options; sim/cluster_run_spec.h), which
// sim::run_cluster builds, plans and runs (sim/cluster_run.h). Problems sim/ finds on the
// built cluster are placed in the file here, as the file's own are.
//
//   sim::ClusterRunOutput r = run_cluster(file);      // after check_scenario(file)
//   io::print_cluster_run(r, out);
//   if (!dir.empty()) io::write_cluster_outputs(r.result, dir);
#include <filesystem>
#include <ostream>
#include <string>

#include "scenario/cluster_from_proto.h"
#include "scenario/scenario_file.h"
#include "scheduler/cluster_run.h"
#include "scheduler/run_observer.h"
#include "sim/cluster_run.h"
#include "sim/cluster_run_spec.h"
#include "sim/step_oracle.h"

namespace podsim::scenario {

// True iff the scenario has a cluster and something to schedule on it.
bool has_cluster_run(const ScenarioFile& file);

// The scenario's cluster run as a spec (after check_scenario(file)). Throws UserError
// with every problem the file alone shows. Its trace classes refer to `file`, which must
// outlive it. `skipped_machines` (may be null): node-list machines no pool holds.
sim::ClusterRunSpec cluster_run_spec(const ScenarioFile& file, SkippedMachines* skipped_machines = nullptr);

// What run_cluster does before it builds anything: the run-size estimate from the
// fields (before ten million synthetic jobs are drawn), then cluster_run_spec. `podsim
// topo` calls it to refuse what run would. Throws UserError.
sim::ClusterRunSpec checked_cluster_run_spec(const ScenarioFile& file, SkippedMachines* skipped_machines = nullptr);

// Throws UserError for bad input (every problem found, with its place). `observer`
// (not owned, may be null) is told every event of the run (scheduler/run_observer.h);
// `steps` (may be null) records the step model's simulated steps (io/step_trace.h).
// `progress` (may be empty) is told where the run is (scheduler/cluster_run.h).
// wall_seconds counts from the start of this call; stats are filled in.
sim::ClusterRunOutput run_cluster(const ScenarioFile& file, scheduler::RunObserver* observer = nullptr,
                                  sim::StepRecorder* steps = nullptr, scheduler::RunProgress progress = {});

}  // namespace podsim::scenario

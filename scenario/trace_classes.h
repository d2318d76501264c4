#pragma once
// A trace source's job classes (scheduling.proto JobClass, TraceReference) and the
// placement constraints of classes and explicit jobs (PlacementConstraints), checked
// with each field's place in the file, as sim:: specs (sim/cluster_run_spec.h). A
// class's workload is a Job message as a scenario's `jobs` write it, converted by
// job_from_proto.h once per GPU count its rows have: the row gives the devices (dp =
// GPUs / (tp pp cp) when dp is unset). The reference pool is resolved by sim/ once the
// cluster is built.
#include <string>
#include <vector>

#include "podsim/v1/scheduling.pb.h"
#include "scenario/scenario_check.h"
#include "scenario/scenario_file.h"
#include "scheduler/job.h"
#include "sim/cluster_run_spec.h"

namespace podsim::scenario {

// The `placement` at `field`, checked.
scheduler::PlacementConstraints placement_constraints(const podsim::v1::PlacementConstraints& c,
                                                      const std::string& field, Problems& problems);

// The classes of trace source `t` at `field` ("sources[0].trace"), checked (problems
// recorded), as sim::TraceClass: each class's workload is its Job message converted
// per GPU count when the run asks (training_job, job_from_proto.h), its problems placed
// in `file`, which must outlive the classes. `columns`: the columns a declared reader
// must carry on each row for the rules (TraceColumns::keep_columns).
std::vector<sim::TraceClass> trace_classes(const ScenarioFile& file, const podsim::v1::TraceSource& t,
                                           const std::string& field, Problems& problems,
                                           std::vector<std::string>& columns);

}  // namespace podsim::scenario

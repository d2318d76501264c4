#pragma once
// A scenario's comparison study (proto/podsim/v1/study.proto, Scenario.compare): its
// systems' clusters and plans, its jobs and published figures, checked with their
// places in the file, and run by the study driver (sim/study.h).
#include <vector>

#include "io/compare_trace.h"
#include "scenario/scenario_file.h"
#include "sim/study.h"

namespace podsim::scenario {

// The study of a scenario with `compare`, every system and job checked before anything
// runs: throws UserError at the first system with problems (all of that system's).
sim::StudySpec study_spec(const ScenarioFile& file);

// study_spec, then sim::run_study. Throws UserError for bad input. With `observer`
// (a trace: io/compare_trace.h), each cell's step is shown to it as it is simulated.
sim::StudyResult run_study(const ScenarioFile& file, sim::StudyObserver* observer = nullptr);

// What the study holds at most at once, estimated from its fields before anything is
// built: its largest system's cluster (sim::cluster_build_bytes) and, in flow mode, the
// flows of its largest all-to-all (sim::all_to_all_flow_bytes) of any system's plans,
// an auto plan's at the widest the planner may choose (sim::largest_auto_all_to_all);
// each is what one of the study's own memory checks weighs. Not counted: the step's
// operation graph, nor the planner's candidates' (docs/reliability.md §5). Throws
// UserError for bad cluster or job fields.
double study_memory_bytes(const ScenarioFile& file);

// The study's systems as a trace's header lists them (name, devices, scale-up
// domains), in order; builds each system's cluster. Throws UserError for bad input.
std::vector<io::TracedSystem> study_systems(const ScenarioFile& file);

}  // namespace podsim::scenario

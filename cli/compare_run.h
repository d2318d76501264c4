#pragma once
// A comparison study (proto/podsim/v1/study.proto, Scenario.compare): every job of the
// scenario, alone, on each system, its step simulated by the step model
// (workloads/step_model.h) on the first `devices` devices of the system, with the
// system's plan for it, the job's own, or the auto-planner's (workloads/planner.h).
// run_study() computes; print_comparison() renders (side-by-side table per job);
// run_comparison() does both for `podsim run`.
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "cli/scenario_file.h"
#include "workloads/parallel_plan.h"
#include "workloads/step_model.h"

namespace podsim::cli {

struct StudyCell {
  std::string system;  // the variant's name (the cluster's, for a study without systems)
  std::string job;
  std::string device;  // accelerator name
  int devices = 0;
  int scale_up_domain = 0;  // devices in the job's first scale-up domain
  workloads::Plan plan;
  bool auto_planned = false;
  std::string planner_explanation;  // auto plans only
  bool is_dit = false;
  workloads::StepResult result;
};

struct PublishedFigure {
  std::string job;
  int metric = 0;  // podsim::v1::Published::Metric
  double value = 0;
  std::string source;
};

struct StudyResult {
  std::string name;
  std::string description;
  std::string mode;  // "analytical" or "flow"
  std::vector<std::string> systems;
  std::vector<std::string> jobs;
  std::vector<StudyCell> cells;  // system-major
  std::vector<PublishedFigure> published;
};

class CompareTrace;
struct TracedSystem;

// Throws UserError for bad input (every problem of a system at once). With `trace`
// (cli/compare_trace.h), each cell's step is traced as it is simulated.
StudyResult run_study(const ScenarioFile& file, CompareTrace* trace = nullptr);

// The study's systems as a trace's header lists them (name, devices, scale-up
// domains), in order; builds each system's cluster. Throws UserError for bad input.
std::vector<TracedSystem> study_systems(const ScenarioFile& file);

// The cell of `job` on `system`, or null.
const StudyCell* find_cell(const StudyResult& r, const std::string& system, const std::string& job);

// The prediction for a published metric (study.proto Published.Metric), in its units.
double predicted_value(const StudyCell& c, int metric);
const char* metric_name(int metric);

void print_comparison(const StudyResult& r, std::ostream& out);

// `podsim run` on a scenario with `compare`.
void run_comparison(const ScenarioFile& file, std::ostream& out);

}  // namespace podsim::cli

#pragma once
// The HTML report of a comparison study (`podsim run` on a scenario with `compare`):
// what was run (podsim version, scenario fingerprint, seed); per job, time-to-train and
// MFU side by side for each system, the step time broken into compute, exposed
// communication by kind and pipeline bubble, and the numbers in a table; why the
// planner chose each auto plan over its runner-up; the assumptions the numbers stand
// on; and a drawing of each system's topology. report/html_report.cc fills Comparison
// from its StudyResult (sim/study.h) and the systems' clusters.
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "report/topology_sketch.h"
#include "workloads/planner.h"
#include "workloads/step_model.h"

namespace podsim::report {

struct ComparisonCell {
  std::string system, job;
  std::string device;  // accelerator name
  int devices = 0;
  int scale_up_domain = 0;
  std::string plan;  // described, e.g. "TP2 PP9 DP64 EP4 +SP, zero1, mbs 1 (auto)"
  bool is_dit = false;
  workloads::StepResult result;
  // Auto plans: the planner's search (its best two plans, timed in closed form).
  std::optional<workloads::PlanReport> planner;
};

// One system's topology and the assumptions behind its numbers.
struct SystemNotes {
  std::string system;
  TopologySketch topology;
  // (what, the assumption and where it is documented), in reading order.
  std::vector<std::pair<std::string, std::string>> assumptions;
};

struct Comparison {
  std::string name, description;
  std::string mode;  // "analytical" or "flow"
  std::vector<std::string> systems, jobs;
  std::vector<ComparisonCell> cells;  // any order; one per (system, job)
  // What was run: io/version.h's version, scenario/fingerprint.h's fingerprint, the seed.
  std::string version, fingerprint;
  uint64_t seed = 0;
  std::vector<SystemNotes> notes;  // one per system, in `systems` order; may be empty
};

// The whole page. Same input -> same bytes.
std::string comparison_report_html(const Comparison& comparison);

// The unit every duration of a table is written in: days when the longest is 3 days or
// more, else hours.
struct DurationUnit {
  const char* name;  // "days", "hours"
  double seconds;
};
DurationUnit duration_unit_for(double longest_s);

}  // namespace podsim::report

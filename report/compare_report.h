#pragma once
// The HTML report of a comparison study (`podsim run` on a scenario with `compare`):
// per job, time-to-train and MFU side by side for each system, the step time broken
// into compute, exposed communication by kind and pipeline bubble, and the numbers in a
// table. report/html_report.cc fills Comparison from its StudyResult (sim/study.h).
#include <string>
#include <vector>

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
};

struct Comparison {
  std::string name, description;
  std::string mode;  // "analytical" or "flow"
  std::vector<std::string> systems, jobs;
  std::vector<ComparisonCell> cells;  // any order; one per (system, job)
};

// The whole page. Same input -> same bytes.
std::string comparison_report_html(const Comparison& comparison);

}  // namespace podsim::report

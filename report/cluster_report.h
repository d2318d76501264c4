#pragma once
// The HTML report of a cluster run (`podsim run SCENARIO --report FILE.html`): headline
// numbers, utilization and queue length over time, a Gantt chart of the jobs, and the
// distributions of job completion time and queueing delay. It renders a
// scheduler::ClusterRunResult and computes nothing the run did not measure.
#include <cstdint>
#include <string>

#include "scheduler/result.h"

namespace podsim::report {

// What was run: the report's first lines.
struct ScenarioHeader {
  std::string name, description;
  uint64_t seed = 0;
  std::string fingerprint;  // scenario/fingerprint.h
  std::string version;      // io/version.h
};

// The whole page. Same header and result -> same bytes.
std::string cluster_report_html(const ScenarioHeader& header, const scheduler::ClusterRunResult& result);

}  // namespace podsim::report

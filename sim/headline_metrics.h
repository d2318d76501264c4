#pragma once
// The headline metrics of a run: the few numbers a sweep row, a report or a regression
// check wants, as ordered (system, job, name, unit) -> value, each number rounded to the
// resolution it is reported at (seconds to the millisecond, fractions to 1e-4, energy to
// the megajoule), so equal runs give equal text and last-bit noise never shows.
//
//   cluster run:  makespan_s, utilization_frac, mfu_utilization_frac, jct_{mean,p50,p99}_s,
//                 queue_delay_{mean,p50,p99}_s, goodput_frac, energy_j, jobs, finished, failures,
//                 interruptions, lost_device_s
//   comparison:   per system, per job: step_s, mfu_frac, tokens_per_s (LLM) or
//                 samples_per_s (DiT), time_to_train_s, energy_j, plan, bottleneck
//
// Units are SI (s, J) or fractions, one convention for every machine-read output; the
// name ends in its unit. The names depend only on the run's shape (cluster run or
// comparison; its systems and jobs), so they are known before anything runs
// (scenario/run_metrics.h).
#include <optional>
#include <string>
#include <vector>

#include "sim/cluster_run.h"
#include "sim/study.h"

namespace podsim::sim {

struct Metric {
  std::string system, job;  // empty for a cluster run's metrics
  std::string name;         // "step_s", "makespan_s", "plan"
  std::string unit;         // "s", "frac", "J", "tokens/s", "count", "" (text)
  std::optional<double> number;  // nullopt: text, or the run has no such figure
  std::string text;              // plan, bottleneck

  // The wide sweep column: "SYSTEM/JOB/NAME", or NAME for a cluster run.
  std::string column() const { return system.empty() ? name : system + "/" + job + "/" + name; }
  bool same_kind(const Metric& o) const {
    return system == o.system && job == o.job && name == o.name && unit == o.unit;
  }
};

// The metrics headline_metrics(ClusterRunOutput) returns, in order, without values.
std::vector<Metric> cluster_metric_names();
// One study cell's metrics, in order (system-major, as cells are), without values.
std::vector<Metric> cell_metric_names(const std::string& system, const std::string& job, bool is_dit);

// The metrics of results already computed.
std::vector<Metric> headline_metrics(const ClusterRunOutput& r);
std::vector<Metric> headline_metrics(const StudyResult& r);

}  // namespace podsim::sim

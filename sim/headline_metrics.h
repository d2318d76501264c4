#pragma once
// The headline metrics of a run: the few numbers a sweep row, a report or a regression
// check wants, as ordered name/value pairs with the values already formatted (fixed
// decimals, so equal runs give equal text).
//
//   cluster run:  makespan_s, utilization, mfu_utilization, jct_{mean,p50,p99}_s,
//                 queue_delay_mean_s, goodput, energy_mwh, jobs, finished, failures,
//                 interruptions, lost_device_hours
//   comparison:   per system, per job: "SYSTEM/JOB/" + step_s, mfu, tokens_per_s (LLM)
//                 or samples_per_s (DiT), days_to_train, energy_mwh, plan, bottleneck
//
// The names depend only on the run's shape (cluster run or comparison; its systems and
// jobs), so they are known before anything runs (scenario/run_metrics.h).
#include <string>
#include <vector>

#include "sim/cluster_run.h"
#include "sim/study.h"

namespace podsim::sim {

struct Metric {
  std::string name;
  std::string value;  // formatted; empty when the run has no such figure
};

// The names headline_metrics(ClusterRunOutput) returns, in order.
std::vector<std::string> cluster_metric_names();
// The names of one study cell's metrics, in order (system-major, as cells are).
std::vector<std::string> cell_metric_names(const std::string& system, const std::string& job, bool is_dit);

// The metrics of results already computed.
std::vector<Metric> headline_metrics(const ClusterRunOutput& r);
std::vector<Metric> headline_metrics(const StudyResult& r);

}  // namespace podsim::sim

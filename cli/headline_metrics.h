#pragma once
// The headline metrics of a run: the few numbers a sweep row, a report or a regression
// check wants from a scenario, as ordered name/value pairs with the values already
// formatted (fixed decimals, so equal runs give equal text).
//
//   cluster run:  makespan_s, utilization, mfu_utilization, jct_{mean,p50,p99}_s,
//                 queue_delay_mean_s, goodput, energy_mwh, jobs, finished, failures,
//                 interruptions, lost_device_hours
//   comparison:   per system, per job: "SYSTEM/JOB/" + step_s, mfu, tokens_per_s (LLM)
//                 or samples_per_s (DiT), days_to_train, energy_mwh, plan, bottleneck
//
// The names depend only on the scenario's shape (cluster run or comparison; its systems
// and jobs), so headline_metric_names() answers without running anything.
#include <string>
#include <vector>

#include "cli/cluster_run.h"
#include "cli/compare_run.h"
#include "cli/scenario_file.h"

namespace podsim::cli {

struct Metric {
  std::string name;
  std::string value;  // formatted; empty when the run has no such figure
};

// Names of the metrics headline_metrics(file) returns, in its order. Throws UserError
// when the scenario is neither a comparison nor a cluster run.
std::vector<std::string> headline_metric_names(const ScenarioFile& file);

// Runs the scenario (comparison: run_study; cluster: check_scenario + run_cluster) and
// returns its metrics. Throws UserError for bad input.
std::vector<Metric> headline_metrics(const ScenarioFile& file);

// The metrics of results already computed.
std::vector<Metric> headline_metrics(const ClusterRunOutput& r);
std::vector<Metric> headline_metrics(const StudyResult& r);

}  // namespace podsim::cli

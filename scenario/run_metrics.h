#pragma once
// The headline metrics (sim/headline_metrics.h) of a scenario: their names from its
// shape alone, and its run's values.
#include <string>
#include <vector>

#include "scenario/scenario_file.h"
#include "sim/headline_metrics.h"

namespace podsim::scenario {

// The metrics headline_metrics(file) returns, in its order, without values. Throws UserError
// when the scenario is neither a comparison nor a cluster run.
std::vector<sim::Metric> headline_metric_names(const ScenarioFile& file);

// Runs the scenario (comparison: run_study; cluster: check_scenario + run_cluster) and
// returns its metrics. Throws UserError for bad input.
std::vector<sim::Metric> headline_metrics(const ScenarioFile& file);

}  // namespace podsim::scenario

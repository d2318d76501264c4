#pragma once
// `podsim topo SCENARIO_OR_PRESET`: build a scenario's cluster (or one system of a named
// preset) and print its summary: devices, switches, links, per-device bandwidth,
// bisection, diameter, peak FLOPS, HBM, power. `--dot FILE` also writes it as Graphviz.
// A scenario is checked as `podsim run` checks it before building (fields, jobs,
// job_settings, job sources read); only the plans, which need the step model, are not.
//
//   podsim topo nvl72
//   podsim topo cloudmatrix384 --set cluster.pools[0].cloudmatrix384.l2_link_gbytes_per_s=14
//   podsim topo scenarios/topologies/cm384x16_roce.textproto --dot cm.dot --view collapsed
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "cli/command_line.h"

namespace podsim::scenario {
class ScenarioFile;
}  // namespace podsim::scenario

namespace podsim::cli {

struct TopoOptions {
  std::string scenario_or_preset;
  std::vector<std::string> overrides;  // "a.b.c=VALUE", applied in order
  std::optional<std::string> dot_path;
  bool collapsed_dot = false;  // write the collapsed view instead of the detailed one
};

// Builds the scenario's cluster and prints its summary (also what `podsim run` prints
// for a scenario with a cluster and no jobs). Throws UserError for bad input.
void print_cluster_summary(const scenario::ScenarioFile& file, std::ostream& out);

// Writes the summary to `out`. Throws UserError for bad input.
void topo_command(const TopoOptions& options, std::ostream& out);

// `podsim topo`'s own options, and the command run from its parsed command line
// (the table in main.cc, command_line.h).
void topo_options(boost::program_options::options_description& options);
int topo_run(const boost::program_options::variables_map& vm, const Console& console);

}  // namespace podsim::cli

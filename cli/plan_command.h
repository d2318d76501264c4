#pragma once
// `podsim plan --model M --system S --devices N`: the auto-planner (workloads/planner.h)
// on N devices of preset systems S (as many as N needs, joined by a fat tree of radix
// 64: 2 tiers up to 2,048 NICs, else 3), or on the cluster of a scenario file
// (--cluster FILE), either changed by --set cluster.FIELD=VALUE as in a scenario;
// prints the top plans with step time, MFU and memory, and why the best wins.
#include <ostream>
#include <string>
#include <vector>

#include "cli/command_line.h"
#include "cli/progress.h"
#include "scenario/plan_cluster.h"

namespace podsim::cli {

// The options are those of the library call (scenario/plan_cluster.h).
using PlanOptions = scenario::PlanRequest;

// Throws UserError for bad input or when no plan fits.
// `progress` (may be null) is erased once the search is done, before the results print.
void plan_command(const PlanOptions& options, std::ostream& out, Progress* progress = nullptr);

// `podsim plan`'s own options, and the command run from its parsed command line
// (the table in main.cc, command_line.h).
void plan_options(boost::program_options::options_description& options);
int plan_run(const boost::program_options::variables_map& vm, const Console& console);

}  // namespace podsim::cli

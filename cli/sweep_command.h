#pragma once
// `podsim sweep SCENARIO [--set FIELD=V1,V2,...] [--threads N] [--shard K/N] [--resume]
// [--out FILE]`: runs every point of a sweep (sweep_plan.h) and writes one CSV row per
// point (sweep_file.h, sweep_run.h). `podsim run` on a scenario with a `sweep` block
// calls print_sweep with one thread and the table on stdout.
#include <ostream>
#include <string>
#include <vector>

#include "scenario/scenario_file.h"

#include "cli/command_line.h"

namespace podsim::cli {

// `lists`: the --set arguments, each FIELD=V1,V2,... Writes the CSV to `out`.
// REQUIRES: `file` as loaded (no override applied).
void print_sweep(const scenario::ScenarioFile& file, const std::vector<std::string>& lists, std::ostream& out);

// `podsim sweep`'s own options, and the command run from its parsed command line
// (the table in main.cc, command_line.h).
void sweep_options(boost::program_options::options_description& options);
int sweep_run(const boost::program_options::variables_map& vm, const Console& console);

}  // namespace podsim::cli

#pragma once
// `podsim sweep SCENARIO [--set FIELD=V1,V2,...] [--threads N] [--shard K/N] [--resume]
// [--out FILE]`: runs every point of a sweep (sweep_plan.h) and writes one CSV row per
// point (sweep_file.h, sweep_run.h). `podsim run` on a scenario with a `sweep` block
// calls print_sweep with one thread and the table on stdout.
#include <ostream>
#include <string>
#include <vector>

#include "scenario/scenario_file.h"

namespace podsim::cli {

// `lists`: the --set arguments, each FIELD=V1,V2,... Writes the CSV to `out`.
// REQUIRES: `file` as loaded (no override applied).
void print_sweep(const scenario::ScenarioFile& file, const std::vector<std::string>& lists, std::ostream& out);

// `podsim sweep ARGS...`: parses the command line and runs; returns the exit code.
int sweep_main(const std::vector<std::string>& args, std::ostream& out);

}  // namespace podsim::cli

#pragma once
// `podsim run SCENARIO`: load, override, check, build, simulate, report.
#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "cli/command_line.h"

namespace podsim::cli {

struct RunOptions {
  std::string scenario_path;
  std::vector<std::string> overrides;  // "a.b.c=VALUE", applied in order
  std::vector<OptionOverride> limits;  // --max-events, --max-memory-gib: applied before `overrides`
  std::string report_path;             // --report FILE.html; empty: none
  std::string trace_path;              // --trace: a protobuf trace of the cluster run (trace_writer.h)
  std::string trace_level = "jobs";    // --trace-level: jobs, steps, flows
  bool progress = false;               // a cluster run shows its simulated time on stderr (cli/progress.h)
};

// What a cluster run's progress line says: "simulated 3h20m of 10h00m (33%), 2/5 jobs
// finished" (without a horizon, no "of").
std::string run_progress_text(double simulated_s, double horizon_s, uint32_t finished, uint32_t jobs);

// Writes the results to `out`. Throws UserError for bad input.
void run_command(const RunOptions& options, std::ostream& out);

// `podsim run`'s own options, and the command run from its parsed command line
// (the table in main.cc, command_line.h).
void run_options(boost::program_options::options_description& options);
int run_run(const boost::program_options::variables_map& vm, const Console& console);

}  // namespace podsim::cli

#pragma once
// `podsim run SCENARIO`: load, override, check, build, simulate, report.
#include <ostream>
#include <string>
#include <vector>

namespace podsim::cli {

struct RunOptions {
  std::string scenario_path;
  std::vector<std::string> overrides;  // "a.b.c=VALUE", applied in order
  std::string report_path;             // --report FILE.html; empty: none
  std::string trace_path;              // --trace: a protobuf trace of the cluster run (trace_writer.h)
  std::string trace_level = "jobs";    // --trace-level: jobs, steps, flows
};

// Writes the results to `out`. Throws UserError for bad input.
void run_command(const RunOptions& options, std::ostream& out);

// `podsim run ARGS...`: parses the command line and runs; returns the exit code.
int run_main(const std::vector<std::string>& args, std::ostream& out);

}  // namespace podsim::cli

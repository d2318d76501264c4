#pragma once
// `podsim trace FILE --summary | --perfetto OUT.json`: read a trace written by
// `podsim run SCENARIO --trace FILE` (proto/podsim/v1/trace.proto).
#include <ostream>
#include <string>
#include <vector>

#include "cli/command_line.h"

namespace podsim::cli {

// `podsim trace`'s own options, and the command run from its parsed command line
// (the table in main.cc, command_line.h).
void trace_options(boost::program_options::options_description& options);
int trace_run(const boost::program_options::variables_map& vm, const Console& console);

}  // namespace podsim::cli

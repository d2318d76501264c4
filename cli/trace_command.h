#pragma once
// `podsim trace FILE --summary | --perfetto OUT.json`: read a trace written by
// `podsim run SCENARIO --trace FILE` (proto/podsim/v1/trace.proto).
#include <ostream>
#include <string>
#include <vector>

namespace podsim::cli {

// Parses the command line and runs; returns the exit code. Throws UserError.
int trace_main(const std::vector<std::string>& args, std::ostream& out);

}  // namespace podsim::cli

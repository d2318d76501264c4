#pragma once
// `podsim merge OUT SHARD.csv...`: io::merge_sweep_shards (io/sweep_merge.h).
#include <ostream>
#include <string>
#include <vector>

#include "cli/command_line.h"

namespace podsim::cli {

// `podsim merge`'s own options, and the command run from its parsed command line
// (the table in main.cc, command_line.h).
void merge_options(boost::program_options::options_description& options);
int merge_run(const boost::program_options::variables_map& vm, const Console& console);

}  // namespace podsim::cli

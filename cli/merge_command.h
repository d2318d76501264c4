#pragma once
// `podsim merge OUT SHARD.csv...`: io::merge_sweep_shards (io/sweep_merge.h).
#include <ostream>
#include <string>
#include <vector>

namespace podsim::cli {

int merge_main(const std::vector<std::string>& args, std::ostream& out);

}  // namespace podsim::cli

#include "cli/merge_command.h"

#include <fmt/format.h>

#include "cli/command_line.h"
#include "engine/error.h"
#include "io/output_paths.h"
#include "io/sweep_file.h"
#include "io/sweep_merge.h"

namespace podsim::cli {

void merge_options(boost::program_options::options_description& /*options*/) {}

int merge_run(const boost::program_options::variables_map& vm, const Console& console) {
  const std::vector<std::string> files = strings_of(vm, "files");
  if (files.size() < 2)
    throw UserError("podsim merge: expected OUT and at least one shard file (see 'podsim merge --help')");
  const std::vector<std::string> shards(files.begin() + 1, files.end());
  std::vector<io::FileUse> inputs;
  for (const std::string& s : shards) inputs.push_back({.role = "shard", .path = s});
  io::check_outputs(inputs, {{.role = "OUT", .path = files.front(), .signature = std::string(io::kSweepSignature), .kind = "sweep results"}});
  const size_t points = io::merge_sweep_shards(files.front(), shards);
  console.out << fmt::format("merged {} shard files, {} points: {}\n", shards.size(), points, files.front());
  return 0;
}

}  // namespace podsim::cli

#include "cli/merge_command.h"

#include <fmt/format.h>

#include "cli/command_line.h"
#include "engine/error.h"
#include "io/sweep_merge.h"

namespace podsim::cli {

int merge_main(const std::vector<std::string>& args, std::ostream& out) {
  namespace po = boost::program_options;
  po::options_description options("podsim merge OUT SHARD.csv... [options]");
  options.add_options()("help,h", "show this help")("files", po::value<std::vector<std::string>>(),
                                                    "OUT, then every shard's results file");
  po::positional_options_description positional;
  positional.add("files", -1);
  const auto vm = parse_command_line("merge", options, positional, args, out);
  if (!vm) return 0;
  const std::vector<std::string> files = strings_of(*vm, "files");
  if (files.size() < 2)
    throw UserError("podsim merge: expected OUT and at least one shard file (see 'podsim merge --help')");
  const std::vector<std::string> shards(files.begin() + 1, files.end());
  const size_t points = io::merge_sweep_shards(files.front(), shards);
  out << fmt::format("merged {} shard files, {} points: {}\n", shards.size(), points, files.front());
  return 0;
}

}  // namespace podsim::cli

#include "cli/command_line.h"

#include <fmt/format.h>

#include <ostream>

#include "engine/error.h"

namespace po = boost::program_options;

namespace podsim::cli {

std::optional<po::variables_map> parse_command_line(std::string_view command, const po::options_description& options,
                                                    const po::positional_options_description& positional,
                                                    const std::vector<std::string>& args, std::ostream& out) {
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(args).options(options).positional(positional).run(), vm);
    if (vm.count("help")) {
      out << options << "\n";
      return std::nullopt;
    }
    po::notify(vm);
  } catch (const po::error& e) {
    throw UserError(fmt::format("podsim {}: {} (see 'podsim {} --help')", command, e.what(), command));
  }
  return vm;
}

std::vector<std::string> strings_of(const po::variables_map& vm, const char* name) {
  if (!vm.count(name)) return {};
  return vm[name].as<std::vector<std::string>>();
}

void add_set_option(po::options_description& options) {
  options.add_options()("set", po::value<std::vector<std::string>>()->composing(),
                        "override a scenario field: --set a.b[0].c=VALUE (repeatable; enums by name)");
}

void require(const po::variables_map& vm, const char* name, std::string_view command, std::string_view what) {
  if (!vm.count(name))
    throw UserError(fmt::format("podsim {}: missing {} (see 'podsim {} --help')", command, what, command));
}

}  // namespace podsim::cli

// podsim: a discrete-event simulator of AI training clusters.
//
// main reads like the data flow: options -> load + check -> build -> run -> report.
// Results go to stdout, logs to stderr. Bad input ends with one line per problem on
// stderr and exit code 2; an internal invariant violation with exit code 3.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <boost/program_options.hpp>
#include <iostream>
#include <string>
#include <vector>

#include "cli/run_command.h"
#include "engine/check.h"
#include "engine/error.h"

namespace po = boost::program_options;

namespace {

constexpr int kExitUserError = 2;
constexpr int kExitInternalError = 3;

const char* kUsage =
    "usage: podsim [-v|-q] COMMAND [ARGS]\n"
    "\n"
    "commands:\n"
    "  run SCENARIO     simulate a scenario file and print the results\n"
    "\n"
    "Run 'podsim COMMAND --help' for the options of a command.\n";

// One named logger per folder, all to stderr, synchronous.
void make_loggers(spdlog::level::level_enum level) {
  for (const char* name : {"engine", "topologies", "workloads", "scheduler", "cli"}) {
    auto logger = spdlog::stderr_color_st(name);
    logger->set_level(level);
    logger->set_pattern("%^%l%$ [%n] %v");
  }
}

po::variables_map parse_command(const std::string& command, const po::options_description& options,
                                const po::positional_options_description& positional,
                                const std::vector<std::string>& args) {
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(args).options(options).positional(positional).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    throw podsim::UserError(fmt::format("podsim {}: {} (see 'podsim {} --help')", command, e.what(), command));
  }
  return vm;
}

int run(const std::string& command, const std::vector<std::string>& args) {
  if (command == "run") {
    po::options_description options("podsim run SCENARIO [options]");
    options.add_options()("help,h", "show this help")(
        "set", po::value<std::vector<std::string>>()->composing(),
        "override a scenario field: --set a.b[0].c=VALUE (repeatable; enums by name)")(
        "scenario", po::value<std::string>(), "scenario file (.textproto)");
    po::positional_options_description positional;
    positional.add("scenario", 1);
    const auto vm = parse_command(command, options, positional, args);
    if (vm.count("help")) {
      std::cout << options << "\n";
      return 0;
    }
    if (!vm.count("scenario")) throw podsim::UserError("podsim run: missing SCENARIO (see 'podsim run --help')");
    podsim::cli::RunOptions run_options{.scenario_path = vm["scenario"].as<std::string>(), .overrides = {}};
    if (vm.count("set")) run_options.overrides = vm["set"].as<std::vector<std::string>>();
    podsim::cli::run_command(run_options, std::cout);
    return 0;
  }
  throw podsim::UserError(fmt::format("podsim: unknown command '{}'\n{}", command, kUsage));
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> all(argv + 1, argv + argc);
  spdlog::level::level_enum level = spdlog::level::info;
  size_t i = 0;
  for (; i < all.size() && all[i].starts_with('-'); ++i) {
    if (all[i] == "-v" || all[i] == "--verbose") level = spdlog::level::debug;
    else if (all[i] == "-q" || all[i] == "--quiet") level = spdlog::level::warn;
    else if (all[i] == "-h" || all[i] == "--help") {
      std::cout << kUsage;
      return 0;
    } else {
      std::cerr << "podsim: unknown option '" << all[i] << "'\n" << kUsage;
      return kExitUserError;
    }
  }
  if (i == all.size()) {
    std::cerr << kUsage;
    return kExitUserError;
  }
  make_loggers(level);
  const std::string command = all[i];
  const std::vector<std::string> args(all.begin() + static_cast<long>(i) + 1, all.end());
  try {
    return run(command, args);
  } catch (const podsim::UserError& e) {
    std::cerr << e.what() << "\n";
    return kExitUserError;
  } catch (const podsim::InternalError& e) {
    std::cerr << "podsim: internal error: " << e.what() << "\n";
    return kExitInternalError;
  } catch (const std::bad_alloc&) {
    std::cerr << "podsim: out of memory\n";
    return kExitInternalError;
  }
}

// podsim: a discrete-event simulator of AI training clusters.
//
// main reads like the data flow: options -> load + check -> build -> run -> report.
// Results go to stdout, logs to stderr. Bad input ends with one line per problem on
// stderr and exit code 2; an internal invariant violation with exit code 3.
#include <fmt/format.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <iostream>
#include <string>
#include <vector>

#include "cli/command_line.h"
#include "cli/merge_command.h"
#include "cli/plan_command.h"
#include "cli/run_command.h"
#include "cli/sweep_command.h"
#include "cli/topo_command.h"
#include "cli/trace_command.h"
#include "cli/validate_command.h"
#include "io/version.h"
#include "engine/check.h"
#include "engine/error.h"

namespace {

constexpr int kExitUserError = 2;
constexpr int kExitInternalError = 3;

// Every subcommand, in the order `podsim --help` lists them. A new command is one
// `*_command.cc` with its `*_main` and one row here.
constexpr podsim::cli::Command kCommands[] = {
    {"run", "run SCENARIO     simulate a scenario file and print the results", podsim::cli::run_main},
    {"plan",
     "plan --model M --system S --devices N\n"
     "                   search parallel plans for the fastest that fits; print the top ones",
     podsim::cli::plan_main},
    {"validate",
     "validate [DIR]   run the published training runs in DIR (scenarios/validation) and\n"
     "                   print predicted vs published with the errors",
     podsim::cli::validate_main},
    {"topo",
     "topo SCENARIO_OR_PRESET\n"
     "                   build a scenario's cluster (or a preset: nvl72, cloudmatrix384, ...)\n"
     "                   and print its summary; --dot FILE writes Graphviz",
     podsim::cli::topo_main},
    {"sweep",
     "sweep SCENARIO --set a.b=1,2,4 [--threads N] [--shard K/N] [--resume] --out FILE\n"
     "                   run a scenario over the product of values, one CSV row per point",
     podsim::cli::sweep_main},
    {"merge", "merge OUT SHARD.csv...  join the shards of a sweep into one CSV", podsim::cli::merge_main},
    {"trace", "trace FILE       read a trace (run --trace): --summary, or --perfetto OUT.json", podsim::cli::trace_main},
};

std::string usage() {
  std::string text = "usage: podsim [-v|-q] COMMAND [ARGS]\n       podsim --version\n\ncommands:\n";
  for (const auto& command : kCommands) text += fmt::format("  {}\n", command.synopsis);
  return text + "\nRun 'podsim COMMAND --help' for the options of a command.\n";
}

// One named logger per folder, all to stderr, synchronous. Thread-safe (_mt) sinks:
// `podsim sweep` runs points on several threads, and each may log.
void make_loggers(spdlog::level::level_enum level) {
  for (const char* name : {"engine", "topologies", "workloads", "scheduler", "cli"}) {
    auto logger = spdlog::stderr_color_mt(name);
    logger->set_level(level);
    logger->set_pattern("%^%l%$ [%n] %v");
  }
}

int run(const std::string& name, const std::vector<std::string>& args) {
  for (const auto& command : kCommands)
    if (command.name == name) return command.main(args, std::cout);
  throw podsim::UserError(fmt::format("podsim: unknown command '{}'\n{}", name, usage()));
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
      std::cout << usage();
      return 0;
    } else if (all[i] == "--version") {
      std::cout << "podsim " << podsim::io::podsim_version() << "\n";
      return 0;
    } else {
      std::cerr << "podsim: unknown option '" << all[i] << "'\n" << usage();
      return kExitUserError;
    }
  }
  if (i == all.size()) {
    std::cerr << usage();
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
  } catch (const std::exception& e) {
    // Misuse checks in the libraries (std::invalid_argument) mean an input slipped past
    // the scenario checks: report it on one line rather than abort.
    std::cerr << "podsim: internal error (an input was not checked before use): " << e.what() << "\n";
    return kExitInternalError;
  }
}

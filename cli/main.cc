// podsim: a discrete-event simulator of AI training clusters.
//
// main reads like the data flow: options -> load + check -> build -> run -> report.
// Results go to stdout, logs to stderr. Bad input ends with one line per problem on
// stderr and exit code 2; an internal invariant violation with exit code 3.
#include <fmt/format.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "cli/command_line.h"
#include "cli/progress.h"
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
#include "engine/printable.h"

namespace {

namespace cli = podsim::cli;

constexpr int kExitUserError = 2;
constexpr int kExitInternalError = 3;

constexpr std::string_view kScenarioSet = "override a scenario field: --set a.b[0].c=VALUE (repeatable; enums by name)";

// Every subcommand, in the order `podsim --help` lists them. A new command is one
// `*_command.cc` with its `*_options` and `*_run`, and one row here; -h, -v, -q, the
// positional argument and --set are declared once, in cli/command_line.cc.
constexpr cli::Command kCommands[] = {
    {.name = "run",
     .synopsis = "run SCENARIO     simulate a scenario file and print the results",
     .usage = "podsim run SCENARIO [options]",
     .positional = "scenario",
     .positional_help = "scenario file (.textproto)",
     .required = "SCENARIO",
     .set_help = kScenarioSet,
     .options = cli::run_options,
     .run = cli::run_run},
    {.name = "plan",
     .synopsis = "plan --model M --system S --devices N\n"
                 "                   search parallel plans for the fastest that fits; print the top ones",
     .usage = "podsim plan --model M --system S --devices N [options]",
     .set_help = "change the cluster as in a scenario: --set cluster.fat_tree.tiers=3 (repeatable)",
     .options = cli::plan_options,
     .run = cli::plan_run},
    {.name = "validate",
     .synopsis = "validate [DIR]   run the published training runs in DIR (scenarios/validation) and\n"
                 "                   print predicted vs published with the errors",
     .usage = "podsim validate [DIR]",
     .positional = "dir",
     .positional_help = "directory of validation scenarios (default: scenarios/validation)",
     .options = cli::validate_options,
     .run = cli::validate_run},
    {.name = "topo",
     .synopsis = "topo SCENARIO_OR_PRESET\n"
                 "                   build a scenario's cluster (or a preset: nvl72, cloudmatrix384, ...)\n"
                 "                   and print its summary; --dot FILE writes Graphviz",
     .usage = "podsim topo SCENARIO_OR_PRESET [options]",
     .positional = "input",
     .positional_help = "scenario file (.textproto) or preset name",
     .required = "SCENARIO_OR_PRESET",
     .set_help = "override a scenario field: --set cluster.pools[0].count=16 (repeatable); with a preset name, the "
                 "scenario is 'cluster { pools { preset: NAME } }'",
     .options = cli::topo_options,
     .run = cli::topo_run},
    {.name = "sweep",
     .synopsis = "sweep SCENARIO --set a.b=1,2,4 [--threads N] [--shard K/N] [--resume] --out FILE\n"
                 "                   run a scenario over the product of values, one CSV row per point",
     .usage = "podsim sweep SCENARIO [options]",
     .positional = "scenario",
     .positional_help = "scenario file (.textproto)",
     .required = "SCENARIO",
     .set_help = "sweep a field: --set a.b[0].c=V1,V2,... (repeatable; the Cartesian product of all axes runs; "
                 "replaces the values of the scenario's sweep axis on the same field; a value holding a comma in double "
                 "quotes, as in CSV: name=\"a,b\",c)",
     .options = cli::sweep_options,
     .run = cli::sweep_run},
    {.name = "merge",
     .synopsis = "merge OUT SHARD.csv...  join the shards of a sweep into one CSV",
     .usage = "podsim merge OUT SHARD.csv... [options]",
     .positional = "files",
     .positional_help = "OUT, then every shard's results file",
     .positional_count = -1,
     .options = cli::merge_options,
     .run = cli::merge_run},
    {.name = "trace",
     .synopsis = "trace FILE       read a trace (run --trace): --summary, or --perfetto OUT.json",
     .usage = "podsim trace FILE (--summary | --perfetto OUT.json)",
     .positional = "trace",
     .positional_help = "trace file (podsim run --trace)",
     .required = "FILE",
     .options = cli::trace_options,
     .run = cli::trace_run},
};

std::string usage() {
  std::string text = "usage: podsim [-v|-q] COMMAND [ARGS]\n       podsim --version\n\ncommands:\n";
  for (const auto& command : kCommands) text += fmt::format("  {}\n", command.synopsis);
  return text + "\n-v (say what podsim builds and decides) and -q (only errors) go before or after COMMAND.\n"
                "Run 'podsim COMMAND --help' for the options of a command.\n";
}

spdlog::level::level_enum log_level(cli::Verbosity v) {
  switch (v) {
    case cli::Verbosity::kQuiet: return spdlog::level::err;
    case cli::Verbosity::kVerbose: return spdlog::level::debug;
    default: return spdlog::level::info;
  }
}

// One named logger per library, all to stderr, synchronous. Thread-safe (_mt) sinks:
// `podsim sweep` runs points on several threads, and each may log.
void make_loggers(spdlog::level::level_enum level) {
  for (const char* name : {"engine", "topologies", "workloads", "scheduler", "sim", "scenario", "io", "cli"}) {
    auto logger = spdlog::stderr_color_mt(name);
    logger->set_level(level);
    logger->set_pattern("%^%l%$ [%n] %v");
  }
}

// Results on stdout are outputs too: a write that failed (`> /dev/full`, a full disk, a
// closed descriptor) is an error, not exit 0 with the results lost.
int flush_stdout(int rc) {
  errno = 0;
  std::cout.flush();
  if (std::fflush(stdout) == 0 && !std::ferror(stdout) && std::cout.good()) return rc;
  std::cerr << "podsim: stdout: write failed (" << (errno ? std::strerror(errno) : "write error")
            << "); the results were not all written\n";
  return kExitUserError;
}

const cli::Command& find_command(const std::string& name) {
  for (const auto& command : kCommands)
    if (command.name == name) return command;
  throw podsim::InternalError(fmt::format("find_command: unknown command '{}' was not refused first", name));
}

bool is_command(const std::string& name) {
  return std::any_of(std::begin(kCommands), std::end(kCommands), [&](const auto& c) { return c.name == name; });
}

// `podsim [-v|-q] COMMAND ARGS`: -v/-q after COMMAND win over those before it.
int run(const std::string& name, const std::vector<std::string>& args, cli::Verbosity leading) {
  const cli::Command& command = find_command(name);
  const std::optional<cli::ParsedCommand> parsed = cli::parse_command_line(command, args, std::cout);
  if (!parsed) return 0;
  const cli::Verbosity verbosity = parsed->verbosity.value_or(leading);
  make_loggers(log_level(verbosity));
  return command.run(parsed->vm, {.out = std::cout, .progress = cli::wants_progress(verbosity == cli::Verbosity::kQuiet)});
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> all(argv + 1, argv + argc);
  cli::Verbosity verbosity = cli::Verbosity::kNormal;
  size_t i = 0;
  for (; i < all.size() && all[i].starts_with('-'); ++i) {
    if (all[i] == "-v" || all[i] == "--verbose") verbosity = cli::Verbosity::kVerbose;
    else if (all[i] == "-q" || all[i] == "--quiet") verbosity = cli::Verbosity::kQuiet;
    else if (all[i] == "-h" || all[i] == "--help") {
      std::cout << usage();
      return flush_stdout(0);
    } else if (all[i] == "--version") {
      std::cout << "podsim " << podsim::io::podsim_version() << "\n";
      return flush_stdout(0);
    } else {
      std::cerr << "podsim: unknown option '" << podsim::printable(all[i])
                << "' (expected -v, -q, --help or --version before COMMAND; 'podsim --help' lists the commands)\n";
      return kExitUserError;
    }
  }
  if (i == all.size()) {
    std::cerr << usage();
    return kExitUserError;
  }
  const std::string command = all[i];
  // An unknown command is the one error followed by the usage (as git does).
  if (!is_command(command)) {
    std::cerr << "podsim: unknown command '" << podsim::printable(command) << "'\n" << usage();
    return kExitUserError;
  }
  const std::vector<std::string> args(all.begin() + static_cast<long>(i) + 1, all.end());
  try {
    return flush_stdout(run(command, args, verbosity));
  } catch (const podsim::UserError& e) {
    std::cerr << podsim::printable_lines(e.what()) << "\n";
    return kExitUserError;
  } catch (const podsim::InternalError& e) {
    std::cerr << "podsim: internal error: " << podsim::printable_lines(e.what()) << "\n";
    return kExitInternalError;
  } catch (const std::bad_alloc&) {
    std::cerr << "podsim: out of memory\n";
    return kExitInternalError;
  } catch (const std::exception& e) {
    // Misuse checks in the libraries (std::invalid_argument) mean an input slipped past
    // the scenario checks: report it on one line rather than abort.
    std::cerr << "podsim: internal error (an input was not checked before use): " << podsim::printable_lines(e.what()) << "\n";
    return kExitInternalError;
  }
}

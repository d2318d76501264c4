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

#include "cli/plan_command.h"
#include "cli/run_command.h"
#include "cli/topo_command.h"
#include "cli/validate_command.h"
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
    "  plan --model M --system S --devices N\n"
    "                   search parallel plans for the fastest that fits; print the top ones\n"
    "  validate [DIR]   run the published training runs in DIR (scenarios/validation) and\n"
    "                   print predicted vs published with the errors\n"
    "  topo SCENARIO_OR_PRESET\n"
    "                   build a scenario's cluster (or a preset: nvl72, cloudmatrix384, ...)\n"
    "                   and print its summary; --dot FILE writes Graphviz\n"
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
  if (command == "topo") {
    po::options_description options("podsim topo SCENARIO_OR_PRESET [options]");
    options.add_options()("help,h", "show this help")(
        "set", po::value<std::vector<std::string>>()->composing(),
        "override a scenario field: --set cluster.pools[0].count=16 (repeatable); with a preset name, the "
        "scenario is 'cluster { pools { preset: NAME } }'")(
        "dot", po::value<std::string>(), "also write the graph to FILE (Graphviz)")(
        "view", po::value<std::string>()->default_value("detailed"), "graph for --dot: detailed | collapsed")(
        "input", po::value<std::string>(), "scenario file (.textproto) or preset name");
    po::positional_options_description positional;
    positional.add("input", 1);
    const auto vm = parse_command(command, options, positional, args);
    if (vm.count("help")) {
      std::cout << options << "\n";
      return 0;
    }
    if (!vm.count("input")) throw podsim::UserError("podsim topo: missing SCENARIO_OR_PRESET (see 'podsim topo --help')");
    const std::string view = vm["view"].as<std::string>();
    if (view != "detailed" && view != "collapsed")
      throw podsim::UserError(fmt::format("podsim topo: --view {}: expected detailed or collapsed", view));
    podsim::cli::TopoOptions topo{.scenario_or_preset = vm["input"].as<std::string>(),
                                  .overrides = {},
                                  .dot_path = std::nullopt,
                                  .collapsed_dot = view == "collapsed"};
    if (vm.count("set")) topo.overrides = vm["set"].as<std::vector<std::string>>();
    if (vm.count("dot")) topo.dot_path = vm["dot"].as<std::string>();
    podsim::cli::topo_command(topo, std::cout);
    return 0;
  }
  if (command == "plan") {
    po::options_description options("podsim plan --model M --system S --devices N [options]");
    options.add_options()("help,h", "show this help")("model", po::value<std::string>(), "model preset (deepseek-v3, ...)")(
        "system", po::value<std::string>(), "system preset (cloudmatrix384, nvl72, hgx-h100, ...)")(
        "devices", po::value<int>(), "devices to plan for")(
        "global-batch", po::value<int>()->default_value(0), "samples per step (default: one per device)")(
        "precision", po::value<std::string>()->default_value("bf16"), "bf16 | fp16 | fp8 | int8")(
        "top", po::value<int>()->default_value(5), "plans to print");
    const auto vm = parse_command(command, options, {}, args);
    if (vm.count("help")) {
      std::cout << options << "\n";
      return 0;
    }
    if (!vm.count("model") || !vm.count("system") || !vm.count("devices"))
      throw podsim::UserError("podsim plan: --model, --system and --devices are required (see 'podsim plan --help')");
    podsim::cli::plan_command({.model = vm["model"].as<std::string>(), .system = vm["system"].as<std::string>(),
                               .devices = vm["devices"].as<int>(), .global_batch = vm["global-batch"].as<int>(),
                               .precision = vm["precision"].as<std::string>(), .top = vm["top"].as<int>()},
                              std::cout);
    return 0;
  }
  if (command == "validate") {
    po::options_description options("podsim validate [DIR]");
    options.add_options()("help,h", "show this help")("dir", po::value<std::string>()->default_value("scenarios/validation"),
                                                      "directory of validation scenarios");
    po::positional_options_description positional;
    positional.add("dir", 1);
    const auto vm = parse_command(command, options, positional, args);
    if (vm.count("help")) {
      std::cout << options << "\n";
      return 0;
    }
    return podsim::cli::validate_command(vm["dir"].as<std::string>(), std::cout);
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
  } catch (const std::exception& e) {
    // Misuse checks in the libraries (std::invalid_argument) mean an input slipped past
    // the scenario checks: report it on one line rather than abort.
    std::cerr << "podsim: internal error (an input was not checked before use): " << e.what() << "\n";
    return kExitInternalError;
  }
}

#include "cli/sweep_command.h"

#include <fmt/format.h>

#include <thread>

#include "cli/command_line.h"
#include "scenario/scenario_file.h"
#include "scenario/sweep_plan.h"
#include "scenario/sweep_run.h"
#include "engine/error.h"

namespace podsim::cli {

using scenario::SweepOptions;
using scenario::SweepPlan;
using scenario::SweepSummary;
using scenario::run_sweep;
using io::parse_shard;
using scenario::ScenarioFile;

void print_sweep(const ScenarioFile& file, const std::vector<std::string>& lists, std::ostream& out) {
  const SweepPlan plan = SweepPlan::make(file, lists);
  run_sweep(plan, {.threads = 1, .shard = {}, .out = std::nullopt, .resume = false}, out);
}

int sweep_main(const std::vector<std::string>& args, std::ostream& out) {
  namespace po = boost::program_options;
  po::options_description options("podsim sweep SCENARIO [options]");
  options.add_options()("help,h", "show this help")("scenario", po::value<std::string>(), "scenario file (.textproto)")(
      "set", po::value<std::vector<std::string>>()->composing(),
      "sweep a field: --set a.b[0].c=V1,V2,... (repeatable; the Cartesian product of all axes runs; replaces "
      "the values of the scenario's sweep axis on the same field)")(
      "threads", po::value<int>(), "points run at once (default: the machine's hardware threads)")(
      "shard", po::value<std::string>(),
      "run only shard K of N (K/N, 1-based): the points p with p mod N = K - 1; join the shards with 'podsim merge'")(
      "resume", po::bool_switch(),
      "keep the rows already in OUT.journal (from an interrupted run of this sweep) and run only the other points; "
      "without it, an old journal is replaced")(
      "out", po::value<std::string>(),
      "write the CSV to FILE (whole, when every point is done; rows are journaled to FILE.journal as they "
      "complete). Default: stdout, no journal");
  po::positional_options_description positional;
  positional.add("scenario", 1);
  const auto vm = parse_command_line("sweep", options, positional, args, out);
  if (!vm) return 0;
  require(*vm, "scenario", "sweep", "SCENARIO");

  SweepOptions o;
  o.threads = std::max(1U, std::thread::hardware_concurrency());
  if (vm->count("threads")) {
    const int n = (*vm)["threads"].as<int>();
    if (n < 1) throw UserError(fmt::format("podsim sweep: --threads {}: expected an integer >= 1", n));
    o.threads = static_cast<size_t>(n);
  }
  if (vm->count("shard")) o.shard = parse_shard((*vm)["shard"].as<std::string>());
  o.resume = (*vm)["resume"].as<bool>();
  if (vm->count("out")) o.out = (*vm)["out"].as<std::string>();
  if (o.resume && !o.out) throw UserError("podsim sweep: --resume needs --out FILE (the journal is FILE.journal)");

  const SweepPlan plan =
      SweepPlan::make(ScenarioFile::load((*vm)["scenario"].as<std::string>()), strings_of(*vm, "set"));
  const SweepSummary s = run_sweep(plan, o, out);
  if (o.out)
    out << fmt::format("sweep {}: {} of {} points (shard {}), {} resumed, {} failed; fingerprint {}; results in {}\n",
                       plan.scenario_name(), s.points, plan.points(), to_string(o.shard), s.resumed, s.failed,
                       plan.fingerprint(), o.out->string());
  // Failed points are rows, so a sweep goes on past them; but when none succeeded the
  // sweep has no result, and a script must not read it as one.
  if (s.points > 0 && s.failed == s.points)
    throw UserError(fmt::format("podsim sweep: every one of the {} points failed (the error of each is in its row{})",
                                s.points, o.out ? " of " + o.out->string() : ""));
  return 0;
}

}  // namespace podsim::cli

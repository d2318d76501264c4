#include "cli/sweep_command.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <iostream>

#include "cli/command_line.h"
#include "cli/progress.h"
#include "io/output_paths.h"
#include "io/sweep_file.h"
#include "scenario/scenario_file.h"
#include "scenario/scenario_files.h"
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
  const SweepSummary s = run_sweep(plan, {.threads = 1, .shard = {}, .out = std::nullopt, .resume = false}, out);
  // As `podsim sweep`: a table of nothing but errors is no result (`run` once exited 0
  // with every point refused for a bad field the sweep does not even change).
  if (s.points > 0 && s.failed == s.points)
    throw UserError(fmt::format("{}: every one of the {} points failed (the error of each is in its row)", file.path(),
                                s.points));
}

void sweep_options(boost::program_options::options_description& options) {
  namespace po = boost::program_options;
  options.add_options()("threads", po::value<int>(), "points run at once (default: the machine's hardware threads)")(
      "shard", po::value<std::string>(),
      "run only shard K of N (K/N, 1-based): the points p with p mod N = K - 1; join the shards with 'podsim merge'")(
      "resume", po::bool_switch(),
      "keep the rows already in OUT.journal (from an interrupted run of this sweep) and run only the other points; "
      "without it, an old journal is replaced")(
      "out", po::value<std::string>(),
      "write the CSV to FILE (whole, when every point is done; rows are journaled to FILE.journal as they "
      "complete). Default: stdout, no journal")(
      "format", po::value<std::string>()->default_value("wide"),
      "wide: one row per point, a column per metric; long: one row per (point, system, job, metric) with "
      "value and unit columns and the swept fields by short name (an axis's label), as pandas' pivot and "
      "seaborn take it");
  add_limit_options(options);
}

int sweep_run(const boost::program_options::variables_map& vm, const Console& console) {
  std::ostream& out = console.out;
  SweepOptions o;
  o.threads = threads_of(vm, "podsim sweep");
  if (vm.count("shard")) o.shard = parse_shard(vm["shard"].as<std::string>());
  o.resume = vm["resume"].as<bool>();
  if (vm.count("out")) o.out = vm["out"].as<std::string>();
  const std::string format = vm["format"].as<std::string>();
  if (format != "wide" && format != "long")
    throw UserError(fmt::format("podsim sweep: --format {}: expected wide or long", format));
  o.long_format = format == "long";
  if (o.resume && !o.out) throw UserError("podsim sweep: --resume needs --out FILE (the journal is FILE.journal)");

  ScenarioFile file = ScenarioFile::load(vm["scenario"].as<std::string>());
  if (o.out)
    io::check_outputs(scenario::scenario_inputs(file),
                      {{.role = "--out",
                        .path = *o.out,
                        .signature = std::string(io::kSweepSignature),
                        .kind = "sweep results"},
                       {.role = "--out's journal",
                        .path = o.out->string() + ".journal",
                        .signature = std::string(io::kSweepJournalSignature),
                        .kind = "sweep journal"}});
  for (const OptionOverride& o : limit_overrides(vm)) file.apply_override(o.assignment, o.option);
  const SweepPlan plan = SweepPlan::make(file, strings_of(vm, "set"));
  Progress progress(std::cerr, console.progress, "sweep", "points");
  if (progress.enabled()) {
    o.progress = [&progress](size_t done, size_t total) { progress.update(done, total); };
    // On a terminal the progress line says what the per-point info lines would (and
    // they would break it); -v keeps them.
    if (auto log = spdlog::get("scenario"); log && log->level() == spdlog::level::info)
      log->set_level(spdlog::level::warn);
  }
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

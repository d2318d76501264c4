#include "cli/run_command.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <iostream>

#include "cli/command_line.h"
#include "cli/progress.h"
#include "cli/sweep_command.h"
#include "cli/topo_command.h"
#include "engine/error.h"
#include "io/cluster_results.h"
#include "io/compare_trace.h"
#include "io/output_paths.h"
#include "io/trace_writer.h"
#include "io/version.h"
#include "report/comparison_table.h"
#include "report/html_page.h"
#include "report/html_report.h"
#include "scenario/cluster_run.h"
#include "scenario/compare_run.h"
#include "scenario/fingerprint.h"
#include "scenario/scenario_check.h"
#include "scenario/scenario_file.h"
#include "workloads/planner.h"
#include "scenario/scenario_files.h"

namespace podsim::cli {

using scenario::ScenarioFile;

namespace {

// -v: what the study built and chose, cell by cell.
void log_study(const sim::StudyResult& study, double seconds, spdlog::logger& log) {
  for (const sim::StudyCell& c : study.cells)
    log.debug("{} / {}: {} x {} ({} per scale-up domain), plan {}{}: step {:.3f} s", c.system, c.job, c.devices,
              c.device, c.scale_up_domain, workloads::describe(c.plan), c.auto_planned ? " (auto-planned)" : "",
              c.result.step_s);
  log.debug("study: {} systems x {} jobs built, planned and simulated in {:.3f} s", study.systems.size(),
            study.jobs.size(), seconds);
}

// -v: what the cluster run built, how far it went, and how long each part took.
void log_cluster_run(const sim::ClusterRunOutput& r, double seconds, spdlog::logger& log) {
  const sim::ClusterRunStats& st = r.stats;
  const scheduler::ClusterSummary& sum = r.result.summary;
  log.debug("built {} devices in {} pools: {} scale-up domains, {} nodes, {} leaf switches", sum.devices, st.pools,
            st.scale_up_domains, st.nodes, st.leaves);
  log.debug("{} jobs ({} trace rows skipped, {} too big skipped); {} step estimates", sum.jobs, r.skipped_rows,
            r.skipped_oversized, sum.step_estimates);
  log.debug("simulated {} events, {} of {} jobs finished, makespan {:.0f} s", sum.events, sum.finished, sum.jobs,
            sum.makespan_s);
  log.debug("time: build {:.3f} s, plans {:.3f} s, scheduler {:.3f} s ({:.3f} s in all)", st.build_s, st.plan_s,
            st.simulate_s, seconds);
}

// What a report says was run.
report::ScenarioHeader report_header(const ScenarioFile& file) {
  const podsim::v1::Scenario& s = file.scenario();
  return {.name = s.name(), .description = s.description(), .seed = s.seed(),
          .fingerprint = scenario::scenario_fingerprint(file), .version = std::string(io::podsim_version())};
}

}  // namespace

std::string run_progress_text(double simulated_s, double horizon_s, uint32_t finished, uint32_t jobs) {
  std::string text = fmt::format("simulated {}", format_wait(simulated_s));
  if (horizon_s > 0)
    text += fmt::format(" of {} ({:.0f}%)", format_wait(horizon_s), 100 * std::min(1.0, simulated_s / horizon_s));
  return text + fmt::format(", {}/{} jobs finished", finished, jobs);
}

void run_command(const RunOptions& options, std::ostream& out) {
  const std::shared_ptr<spdlog::logger> log = cli_log();
  Stopwatch clock;
  ScenarioFile file = ScenarioFile::load(options.scenario_path);
  for (const OptionOverride& o : options.limits) file.apply_override(o.assignment, o.option);
  if (file.scenario().has_sweep()) {
    // A sweep scenario's result is its table: every point, one thread, --set lists as
    // `podsim sweep` takes them.
    if (!options.report_path.empty())
      throw UserError(fmt::format("{}: --report: a sweep scenario's result is its table, not a report", file.path()));
    if (!options.trace_path.empty())
      throw UserError(fmt::format("{}: --trace: a sweep scenario's result is its table, not a trace (expected a "
                                  "scenario without 'sweep'; trace one point by setting its values)",
                                  file.path()));
    print_sweep(file, options.overrides, out);
    return;
  }
  for (const std::string& o : options.overrides) file.apply_override(o);
  log->debug("loaded {} ({} --set) in {:.3f} s", file.path(), options.overrides.size(), clock.lap());
  if (!options.report_path.empty()) report::check_report_path(options.report_path);
  // Before anything runs: no output over an input or another output.
  std::vector<io::FileUse> outputs = scenario::scenario_outputs(file);
  if (!options.report_path.empty()) outputs.push_back({.role = "--report", .path = options.report_path, .signature = std::string(report::kHtmlSignature)});
  if (!options.trace_path.empty()) outputs.push_back({.role = "--trace", .path = options.trace_path, .signature = std::string(io::kTraceFormat)});
  io::check_outputs(scenario::scenario_inputs(file), outputs);
  const std::optional<io::TraceLevel> trace_level = io::parse_trace_level(options.trace_level);
  if (!trace_level)
    throw UserError(fmt::format("--trace-level: '{}' is not a level (expected jobs, steps or flows)", options.trace_level));
  if (!options.trace_path.empty() && !scenario::has_cluster_run(file) && !file.scenario().has_compare())
    throw UserError(fmt::format("--trace: {}: only cluster runs (a 'cluster' with 'jobs' or 'sources') and comparison "
                                "studies ('compare') are traced",
                                file.path()));
  if (file.scenario().has_compare()) {
    std::optional<io::TraceWriter> writer;
    std::optional<io::CompareTrace> trace;
    if (!options.trace_path.empty()) {
      const std::vector<io::TracedSystem> systems = scenario::study_systems(file);
      writer.emplace(options.trace_path,
                     io::TraceInfo{.scenario = file.scenario().name(), .seed = file.scenario().seed(), .level = *trace_level});
      trace.emplace(*writer, systems);
    }
    const sim::StudyResult study = scenario::run_study(file, trace ? &*trace : nullptr);
    if (trace) {
      trace->finish();
      writer->finish();
    }
    log_study(study, clock.lap(), *log);
    report::print_comparison(study, out);
    if (writer)
      out << fmt::format("\ntrace      {} ({} events, {:.1f} MB, level {})\n", options.trace_path, writer->events(),
                         static_cast<double>(writer->bytes()) / 1e6, to_string(*trace_level));
    if (!options.report_path.empty()) {
      report::write_comparison_report(options.report_path, report_header(file), scenario::study_spec(file), study);
      out << fmt::format("\nreport     {}\n", options.report_path);
    }
    return;
  }
  scenario::check_scenario(file);
  log->debug("checked in {:.3f} s", clock.lap());
  const podsim::v1::Scenario& s = file.scenario();

  if (scenario::has_cluster_run(file)) {
    std::optional<io::TraceWriter> trace;
    if (!options.trace_path.empty())
      trace.emplace(options.trace_path, io::TraceInfo{.scenario = s.name(), .seed = s.seed(), .level = *trace_level});
    Progress progress(std::cerr, options.progress, "cluster run", "");
    const scheduler::RunProgress show = [&](engine::SimTime now, uint32_t finished, uint32_t jobs) {
      if (progress.due()) progress.show(run_progress_text(now.to_seconds(), s.horizon_s(), finished, jobs));
    };
    const sim::ClusterRunOutput r =
        scenario::run_cluster(file, trace ? &*trace : nullptr,
                              trace && trace->wants_steps() ? &trace->recorded_steps() : nullptr,
                              progress.enabled() ? show : scheduler::RunProgress());
    progress.finish();
    if (trace) trace->finish();
    log_cluster_run(r, clock.lap(), *log);
    out << fmt::format("scenario        {}\n", s.name());
    if (!s.description().empty()) out << fmt::format("                {}\n", s.description());
    out << fmt::format("seed            {}\n", s.seed());
    io::print_cluster_run(r, out);
    if (!s.outputs().out_dir().empty()) {
      io::write_cluster_outputs(r.result, s.outputs().out_dir());
      out << fmt::format("results in      {}/ (summary.csv, jobs.csv, timeline.csv, results.json)\n", s.outputs().out_dir());
    }
    if (!options.report_path.empty()) {
      report::write_cluster_report(options.report_path, report_header(file), r.result);
      out << fmt::format("report          {}\n", options.report_path);
    }
    if (trace)
      out << fmt::format("trace           {} ({} events, {:.1f} MB, level {})\n", options.trace_path, trace->events(),
                         static_cast<double>(trace->bytes()) / 1e6, to_string(*trace_level));
    return;
  }

  // A cluster with nothing to run: its summary is the result. Jobs need a machine.
  if (s.has_cluster() && s.jobs_size() == 0) {
    if (!options.report_path.empty())
      throw UserError(fmt::format("--report {}: {} is a cluster without jobs, which has no report (expected 'jobs' "
                                  "or 'sources')",
                                  options.report_path, file.path()));
    out << fmt::format("scenario    {} (a cluster, no jobs: its summary)\n", s.name());
    print_cluster_summary(file, out);
    return;
  }
  if (s.jobs_size() > 0)
    throw UserError(fmt::format("{}: jobs: the scenario has jobs but no machine to run them on (expected a "
                                "'cluster {{ pools {{ preset: \"nvl72\" count: 1 }} }}' section, or 'compare')",
                                file.path()));
  throw UserError(fmt::format("{}: nothing to simulate (expected a 'cluster' with 'jobs' or 'sources', or 'compare')",
                              file.path()));
}

void run_options(boost::program_options::options_description& options) {
  namespace po = boost::program_options;
  options.add_options()("report", po::value<std::string>(), "also write an HTML report (charts) to FILE.html");
  options.add_options()("trace", po::value<std::string>(), "write a protobuf trace of the cluster run or comparison study to FILE")(
      "trace-level", po::value<std::string>()->default_value("jobs"),
      "what the trace records: jobs (lifecycle, utilization), steps (+ step breakdowns and a step's collectives), "
      "flows (+ scale-out flows and collective flows)");
  add_limit_options(options);
}

int run_run(const boost::program_options::variables_map& vm, const Console& console) {
  run_command({.scenario_path = vm["scenario"].as<std::string>(),
               .overrides = strings_of(vm, "set"),
               .limits = limit_overrides(vm),
               .report_path = path_of(vm, "report"),
               .trace_path = path_of(vm, "trace"),
               .trace_level = vm["trace-level"].as<std::string>(),
               .progress = console.progress},
              console.out);
  return 0;
}

}  // namespace podsim::cli

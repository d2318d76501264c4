#include "cli/run_command.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "cli/cluster_run.h"
#include "cli/compare_run.h"
#include "cli/scenario_check.h"
#include "cli/scenario_file.h"
#include "engine/simulator.h"

namespace podsim::cli {

void run_command(const RunOptions& options, std::ostream& out) {
  ScenarioFile file = ScenarioFile::load(options.scenario_path);
  for (const std::string& o : options.overrides) file.apply_override(o);
  if (file.scenario().has_compare()) {
    run_comparison(file, out);
    return;
  }
  check_scenario(file);
  const podsim::v1::Scenario& s = file.scenario();

  if (has_cluster_run(file)) {
    const ClusterRunOutput r = run_cluster(file);
    out << fmt::format("scenario        {}\n", s.name());
    if (!s.description().empty()) out << fmt::format("                {}\n", s.description());
    out << fmt::format("seed            {}\n", s.seed());
    print_cluster_run(r, out);
    if (!s.outputs().out_dir().empty()) {
      write_cluster_outputs(r.result, s.outputs().out_dir());
      out << fmt::format("results in      {}/ (summary.csv, jobs.csv, timeline.csv, results.json)\n", s.outputs().out_dir());
    }
    return;
  }

  engine::Simulator sim(s.seed());
  engine::StopConditions stop;
  if (s.horizon_s() > 0) stop.horizon = engine::SimTime::seconds(s.horizon_s());
  for (const auto& job : s.jobs()) {
    // Until the scheduler issue lands, a job is a submission event only.
    sim.schedule_at(engine::SimTime::seconds(job.arrival_s()), [&sim, name = job.name()] {
      spdlog::get("engine")->debug("[{}] job {} submitted", sim.now().to_string(), name);
    });
  }
  const engine::RunResult r = sim.run(stop);

  out << fmt::format("scenario   {}\n", s.name());
  if (!s.description().empty()) out << fmt::format("           {}\n", s.description());
  out << fmt::format("seed       {}\n", s.seed());
  out << fmt::format("jobs       {}\n", s.jobs_size());
  out << fmt::format("events     {}\n", r.events_executed);
  out << fmt::format("end time   {} ({})\n", r.end_time.to_string(), engine::to_string(r.reason));
}

}  // namespace podsim::cli

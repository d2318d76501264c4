#include "cli/headline_metrics.h"

#include <fmt/format.h>

#include "cli/scenario_check.h"
#include "engine/check.h"
#include "engine/error.h"
#include "workloads/planner.h"
#include "workloads/presets.h"

namespace podsim::cli {
namespace {

// Decimals by kind of figure: seconds to the millisecond, fractions to 1e-4 (0.01
// percentage points), energy to the kWh (in MWh), days to 0.01 d (~15 min).
std::string seconds(double s) { return fmt::format("{:.3f}", s); }
std::string fraction(double f) { return fmt::format("{:.4f}", f); }
std::string mwh(double joules) { return fmt::format("{:.3f}", joules / 3.6e9); }

constexpr const char* kClusterNames[] = {
    "makespan_s", "utilization",        "mfu_utilization", "jct_mean_s",       "jct_p50_s",
    "jct_p99_s",  "queue_delay_mean_s", "goodput",         "energy_mwh",       "jobs",
    "finished",   "failures",           "interruptions",   "lost_device_hours"};

constexpr const char* kCellNames[] = {"step_s",     "mfu",  "throughput", "days_to_train",
                                      "energy_mwh", "plan", "bottleneck"};

// The study's columns: system-major, then job, as run_study orders its cells.
std::vector<std::string> cell_names(const std::string& system, const std::string& job, bool is_dit) {
  std::vector<std::string> out;
  for (std::string_view n : kCellNames) {
    if (n == "throughput") n = is_dit ? "samples_per_s" : "tokens_per_s";
    out.push_back(fmt::format("{}/{}/{}", system, job, n));
  }
  return out;
}

// A job is a DiT iff its model is one: a DiT preset or an explicit `dit` section (as
// job_from_proto.cc builds the model).
bool is_dit_job(const v1::Job& job) {
  if (job.model().has_dit()) return true;
  const std::optional<workloads::ModelSpec> preset = workloads::model_preset(job.model().preset());
  return preset && preset->dit.has_value();
}

}  // namespace

std::vector<std::string> headline_metric_names(const ScenarioFile& file) {
  const v1::Scenario& s = file.scenario();
  if (s.has_compare()) {
    std::vector<std::string> systems;
    for (const v1::Variant& v : s.compare().systems()) systems.push_back(v.name());
    if (systems.empty()) systems.push_back(s.cluster().name().empty() ? "system" : s.cluster().name());
    std::vector<std::string> out;
    for (const std::string& system : systems)
      for (const v1::Job& job : s.jobs())
        for (std::string& n : cell_names(system, job.name(), is_dit_job(job))) out.push_back(std::move(n));
    return out;
  }
  if (has_cluster_run(file)) return {std::begin(kClusterNames), std::end(kClusterNames)};
  throw UserError(
      fmt::format("{}: no headline metrics: expected a 'compare' study or a 'cluster' with 'jobs' or "
                  "'sources'",
                  file.path()));
}

std::vector<Metric> headline_metrics(const ClusterRunOutput& r) {
  const scheduler::ClusterSummary& s = r.result.summary;
  const std::string values[] = {seconds(s.makespan_s),
                                fraction(s.utilization),
                                fraction(s.mfu_utilization),
                                seconds(s.jct_s.mean),
                                seconds(s.jct_s.p50),
                                seconds(s.jct_s.p99),
                                seconds(s.queue_delay_s.mean),
                                fraction(s.goodput),
                                mwh(s.energy_j),
                                fmt::format("{}", s.jobs),
                                fmt::format("{}", s.finished),
                                fmt::format("{}", s.failures),
                                fmt::format("{}", s.interruptions),
                                fmt::format("{:.3f}", s.lost_device_hours)};
  static_assert(std::size(values) == std::size(kClusterNames));
  std::vector<Metric> out;
  for (size_t i = 0; i < std::size(values); ++i) out.push_back({kClusterNames[i], values[i]});
  return out;
}

std::vector<Metric> headline_metrics(const StudyResult& r) {
  std::vector<Metric> out;
  for (const StudyCell& c : r.cells) {
    const workloads::StepResult& x = c.result;
    const std::vector<std::string> names = cell_names(c.system, c.job, c.is_dit);
    const std::string values[] = {
        seconds(x.step_s),
        fraction(x.mfu),
        c.is_dit ? fmt::format("{:.3f}", x.samples_per_s) : fmt::format("{:.0f}", x.tokens_per_s),
        fmt::format("{:.2f}", x.time_to_train_s / 86400),
        x.energy_j ? mwh(*x.energy_j) : std::string(),
        workloads::describe(c.plan) + (c.auto_planned ? " (auto)" : ""),
        x.bottleneck};
    static_assert(std::size(values) == std::size(kCellNames));
    for (size_t i = 0; i < names.size(); ++i) out.push_back({names[i], values[i]});
  }
  return out;
}

std::vector<Metric> headline_metrics(const ScenarioFile& file) {
  std::vector<Metric> out;
  if (file.scenario().has_compare()) {
    out = headline_metrics(run_study(file));
  } else {
    check_scenario(file);
    out = headline_metrics(run_cluster(file));
  }
  // The names promised up front must be the names delivered: sweeps write the header
  // before any point has run.
  const std::vector<std::string> names = headline_metric_names(file);
  PODSIM_CHECK(names.size() == out.size(), "headline metrics: names and values differ in count");
  for (size_t i = 0; i < names.size(); ++i) PODSIM_CHECK(names[i] == out[i].name, "headline metrics: name mismatch");
  return out;
}

}  // namespace podsim::cli

#include "sim/headline_metrics.h"

#include <fmt/format.h>

#include "workloads/planner.h"

namespace podsim::sim {
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

}  // namespace

std::vector<std::string> cluster_metric_names() { return {std::begin(kClusterNames), std::end(kClusterNames)}; }

std::vector<std::string> cell_metric_names(const std::string& system, const std::string& job, bool is_dit) {
  std::vector<std::string> out;
  for (std::string_view n : kCellNames) {
    if (n == "throughput") n = is_dit ? "samples_per_s" : "tokens_per_s";
    out.push_back(fmt::format("{}/{}/{}", system, job, n));
  }
  return out;
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
    const std::vector<std::string> names = cell_metric_names(c.system, c.job, c.is_dit);
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

}  // namespace podsim::sim

#include "sim/headline_metrics.h"

#include <fmt/format.h>

#include <cmath>

#include "workloads/planner.h"

namespace podsim::sim {
namespace {

// Rounded to the resolution a headline number is reported at: seconds to the
// millisecond, fractions to 1e-4 (0.01 percentage points), joules to the megajoule
// (0.28 kWh), throughput to 1e-3. Written as the shortest text of the rounded double, so
// a value prints as "237779.571", not with fifteen noise digits.
double seconds(double s) { return std::round(s * 1e3) / 1e3; }
double fraction(double f) { return std::round(f * 1e4) / 1e4; }
double joules(double j) { return std::round(j / 1e6) * 1e6; }

struct Name {
  const char* name;
  const char* unit;
};

constexpr Name kClusterNames[] = {
    {"makespan_s", "s"},         {"utilization_frac", "frac"}, {"mfu_utilization_frac", "frac"},
    {"jct_mean_s", "s"},         {"jct_p50_s", "s"},           {"jct_p99_s", "s"},
    {"queue_delay_mean_s", "s"}, {"queue_delay_p50_s", "s"},   {"queue_delay_p99_s", "s"},
    {"goodput_frac", "frac"},    {"energy_j", "J"},            {"jobs", "count"},
    {"finished", "count"},       {"failures", "count"},        {"interruptions", "count"},
    {"lost_device_s", "device-s"}};

constexpr Name kCellNames[] = {{"step_s", "s"},          {"mfu_frac", "frac"}, {"throughput", ""},
                               {"time_to_train_s", "s"}, {"energy_j", "J"},    {"plan", ""},
                               {"bottleneck", ""}};

Metric named(const Name& n) { return Metric{.name = n.name, .unit = n.unit}; }

}  // namespace

std::vector<Metric> cluster_metric_names() {
  std::vector<Metric> out;
  for (const Name& n : kClusterNames) out.push_back(named(n));
  return out;
}

std::vector<Metric> cell_metric_names(const std::string& system, const std::string& job, bool is_dit) {
  std::vector<Metric> out;
  for (const Name& n : kCellNames) {
    Metric m = named(n);
    m.system = system;
    m.job = job;
    if (m.name == "throughput") {
      m.name = is_dit ? "samples_per_s" : "tokens_per_s";
      m.unit = is_dit ? "samples/s" : "tokens/s";
    }
    out.push_back(std::move(m));
  }
  return out;
}

std::vector<Metric> headline_metrics(const ClusterRunOutput& r) {
  const scheduler::ClusterSummary& s = r.result.summary;
  // MFU-weighted utilization needs some job's FLOPs; trace jobs carry only durations.
  bool any_mfu = false;
  for (const scheduler::JobResult& j : r.result.jobs) any_mfu = any_mfu || j.mfu.has_value();
  const std::optional<scheduler::Percentiles> jct = scheduler::finished_jct(s);
  const std::optional<double> values[] = {seconds(s.makespan_s),
                                          fraction(s.utilization),
                                          any_mfu ? std::optional(fraction(s.mfu_utilization)) : std::nullopt,
                                          jct ? std::optional(seconds(jct->mean)) : std::nullopt,
                                          jct ? std::optional(seconds(jct->p50)) : std::nullopt,
                                          jct ? std::optional(seconds(jct->p99)) : std::nullopt,
                                          seconds(s.queue_delay_s.mean),
                                          seconds(s.queue_delay_s.p50),
                                          seconds(s.queue_delay_s.p99),
                                          fraction(s.goodput),
                                          joules(s.energy_j),
                                          s.jobs,
                                          s.finished,
                                          s.failures,
                                          s.interruptions,
                                          seconds(s.lost_device_hours * 3600)};
  static_assert(std::size(values) == std::size(kClusterNames));
  std::vector<Metric> out = cluster_metric_names();
  for (size_t i = 0; i < out.size(); ++i) out[i].number = values[i];
  return out;
}

std::vector<Metric> headline_metrics(const StudyResult& r) {
  std::vector<Metric> out;
  for (const StudyCell& c : r.cells) {
    const workloads::StepResult& x = c.result;
    std::vector<Metric> m = cell_metric_names(c.system, c.job, c.is_dit);
    m[0].number = seconds(x.step_s);
    m[1].number = fraction(x.mfu);
    m[2].number = c.is_dit ? std::round(x.samples_per_s * 1e3) / 1e3 : std::round(x.tokens_per_s);
    m[3].number = std::round(x.time_to_train_s);
    if (x.energy_j) m[4].number = joules(*x.energy_j);
    m[5].text = workloads::describe(c.plan) + (c.auto_planned ? " (auto)" : "");
    m[6].text = x.bottleneck;
    static_assert(std::size(kCellNames) == 7);
    for (Metric& metric : m) out.push_back(std::move(metric));
  }
  return out;
}

}  // namespace podsim::sim

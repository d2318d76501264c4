#include "report/cluster_report.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <map>
#include <optional>

#include "report/cdf_chart.h"
#include "report/gantt_chart.h"
#include "report/html_page.h"
#include "report/svg.h"
#include "report/time_series_chart.h"

namespace podsim::report {
namespace {

using scheduler::ClusterRunResult;
using scheduler::JobResult;

// Durations in the unit that reads best: "42 s", "12.5 min", "3.21 h", "4.2 d".
std::string duration(double s) {
  if (s < 120) return format_number(s, 0) + " s";
  if (s < 2 * 3600) return format_number(s / 60, 1) + " min";
  if (s < 3 * 86400) return format_number(s / 3600, 2) + " h";
  return format_number(s / 86400, 1) + " d";
}

std::string percent(double share) { return format_number(100 * share, 1) + "%"; }

// The run's time span: first arrival to the end of the run.
struct Span {
  double t0 = 0, t1 = 1;
};
Span run_span(const ClusterRunResult& r) {
  Span s;
  if (!r.timeline.empty()) {
    s.t0 = r.timeline.front().t_s;
  } else if (!r.jobs.empty()) {
    s.t0 = r.jobs.front().arrival_s;
    for (const JobResult& j : r.jobs) s.t0 = std::min(s.t0, j.arrival_s);
  }
  s.t1 = s.t0 + r.summary.makespan_s;
  return s;
}

std::vector<Headline> headlines(const ClusterRunResult& r) {
  const scheduler::ClusterSummary& s = r.summary;
  // A run cut before any job finished has no JCT (scheduler::finished_jct), not 0 s.
  const std::optional<scheduler::Percentiles> jct = scheduler::finished_jct(s);
  return {
      {"devices", format_number(s.devices, 0), s.policy + " / " + s.placement},
      {"jobs finished", fmt::format("{} of {}", format_number(s.finished, 0), format_number(s.jobs, 0)), ""},
      {"makespan", duration(s.makespan_s), "first arrival to last completion"},
      {"utilization", percent(s.utilization), percent(s.mfu_utilization) + " MFU-weighted"},
      jct ? Headline{"job completion time", duration(jct->mean) + " mean",
                     fmt::format("p50 {}, p99 {}", duration(jct->p50), duration(jct->p99))}
          : Headline{"job completion time", "n/a", "no job finished"},
      {"queueing delay", duration(s.queue_delay_s.mean) + " mean",
       fmt::format("p50 {}, p99 {}", duration(s.queue_delay_s.p50), duration(s.queue_delay_s.p99))},
      {"goodput", percent(s.goodput), "of held device-time kept"},
      {"failures", format_number(s.failures, 0),
       fmt::format("{} job interruption{}, {} preemption{}", s.interruptions, s.interruptions == 1 ? "" : "s",
                   s.preemptions, s.preemptions == 1 ? "" : "s")},
      {"energy", format_number(s.energy_j / 3.6e9, 1) + " MWh", ""},
  };
}

void timeline_figures(const ClusterRunResult& r, const Span& span, HtmlPage& page) {
  std::vector<double> starts;
  TimeSeries allocated{"allocated", "c0", {}, true}, mfu{"MFU-weighted", "c2", {}, false},
      down{"down (failed, not yet repaired)", "down", {}, true};
  TimeSeries queued{"jobs waiting", "c1", {}, false}, running{"jobs running", "c0", {}, false};
  bool any_down = false;
  for (const scheduler::TimelineSample& t : r.timeline) {
    starts.push_back(t.t_s);
    allocated.values.push_back(100 * t.utilization);
    mfu.values.push_back(100 * t.mfu_utilization);
    down.values.push_back(r.summary.devices > 0 ? 100 * t.down / r.summary.devices : 0);
    any_down = any_down || t.down > 0;
    queued.values.push_back(t.queued);
    running.values.push_back(t.running);
  }
  TimeSeriesChart util{.id = "utilization", .title = "Utilization over time", .bin_start_s = starts, .end_s = span.t1,
                       .series = {allocated, mfu}, .y_title = "% of devices", .y_max = 100};
  if (any_down) util.series.push_back(down);
  page.figure("Utilization over time", render_time_series(util),
              fmt::format("Each point is the average over a bin of {}. MFU-weighted: devices x the MFU of the job "
                          "holding them.",
                          duration(r.timeline.size() > 1 ? r.timeline[1].t_s - r.timeline[0].t_s : r.summary.makespan_s)));
  TimeSeriesChart jobs{.id = "queue", .title = "Jobs waiting and running", .bin_start_s = starts, .end_s = span.t1,
                       .series = {running, queued}, .y_title = "jobs (bin average)", .height = 260};
  page.figure("Jobs waiting and running", render_time_series(jobs));
}

// Colour groups: the pools when there are several, else job sizes.
struct Groups {
  std::vector<std::string> labels;
  std::vector<size_t> of_job;  // per job
};
Groups colour_groups(const ClusterRunResult& r) {
  Groups g;
  std::map<std::string, size_t> pools;
  for (const JobResult& j : r.jobs)
    if (!j.pool.empty()) pools.emplace(j.pool, 0);
  if (pools.size() > 1) {
    for (auto& [name, index] : pools) {
      index = g.labels.size();
      g.labels.push_back("pool " + name);
    }
    for (const JobResult& j : r.jobs) g.of_job.push_back(j.pool.empty() ? 0 : pools.at(j.pool));
    return g;
  }
  struct Size {
    uint32_t max_devices;
    const char* label;
  };
  static constexpr std::array<Size, 5> kSizes{
      {{1, "1 device"}, {8, "2-8 devices"}, {64, "9-64 devices"}, {512, "65-512 devices"}, {UINT32_MAX, "> 512 devices"}}};
  std::array<bool, kSizes.size()> used{};
  std::vector<size_t> cls;
  for (const JobResult& j : r.jobs) {
    size_t k = 0;
    while (j.devices > kSizes[k].max_devices) ++k;
    used[k] = true;
    cls.push_back(k);
  }
  std::array<size_t, kSizes.size()> index{};
  for (size_t k = 0; k < kSizes.size(); ++k)
    if (used[k]) {
      index[k] = g.labels.size();
      g.labels.push_back(kSizes[k].label);
    }
  for (const size_t k : cls) g.of_job.push_back(index[k]);
  return g;
}

void gantt_figure(const ClusterRunResult& r, const Span& span, HtmlPage& page) {
  const Groups groups = colour_groups(r);
  GanttChart c{.id = "gantt", .title = "Jobs over time", .groups = groups.labels, .t0_s = span.t0, .t1_s = span.t1};
  size_t never_started = 0;
  for (size_t i = 0; i < r.jobs.size(); ++i) {
    const JobResult& j = r.jobs[i];
    if (!j.first_start_s) {
      ++never_started;
      continue;
    }
    c.bars.push_back({.name = j.name, .group = groups.of_job[i], .devices = j.devices, .arrival_s = j.arrival_s,
                      .start_s = *j.first_start_s, .end_s = j.end_s.value_or(span.t1), .finished = j.end_s.has_value(),
                      .preemptions = j.preemptions, .interruptions = j.interruptions,
                      .preemption_times_s = j.preemption_times_s, .interruption_times_s = j.interruption_times_s});
  }
  const GanttRendering g = render_gantt(c);
  std::string note = g.note;
  if (never_started > 0)
    note += fmt::format("{}{} jobs never started.", note.empty() ? "" : " ", format_number(never_started, 0));
  note += std::string(note.empty() ? "" : " ") +
          "A bar spans first start to end, including any time spent preempted or restarting; dashed bars were "
          "still running at the end of the run.";
  page.figure(fmt::format("Jobs over time ({} bars)", format_number(static_cast<double>(g.shown), 0)), g.svg, note);
}

void distribution_figure(const ClusterRunResult& r, HtmlPage& page) {
  Distribution jct{"job completion time (arrival to end)", "c0", {}}, wait{"queueing delay (arrival to first start)", "c1", {}};
  size_t started = 0, waited = 0;
  constexpr double kFloor = 1;  // s; shorter waits are "no wait" on a log axis
  for (const JobResult& j : r.jobs) {
    if (j.jct_s) jct.values_s.push_back(*j.jct_s);
    if (j.first_start_s) {
      ++started;
      wait.values_s.push_back(j.queue_delay_s);
      if (j.queue_delay_s >= kFloor) ++waited;
    }
  }
  CdfChart c{.id = "jct", .title = "Job completion time and queueing delay", .series = {jct}, .floor_s = kFloor};
  if (waited > 0) c.series.push_back(wait);
  const std::optional<scheduler::Percentiles> p = scheduler::finished_jct(r.summary);
  std::string note = p ? fmt::format("{} finished jobs; JCT p50 {}, p99 {}.", format_number(jct.values_s.size(), 0),
                                     duration(p->p50), duration(p->p99))
                       : std::string("No job finished: no JCT.");
  if (started > 0)
    note += fmt::format(" {} of the {} jobs that started waited less than 1 s{}", percent(1 - static_cast<double>(waited) / started),
                        format_number(started, 0), waited > 0 ? " (the queueing curve starts there)." : ".");
  page.figure("Job completion time and queueing delay (cumulative)", render_cdf(c), note);
}

}  // namespace

std::string cluster_report_html(const ScenarioHeader& header, const ClusterRunResult& r) {
  HtmlPage page(fmt::format("podsim: {}", header.name));
  std::string subtitle = header.description.empty() ? "" : header.description + " · ";
  subtitle += fmt::format("seed {} · {} scheduling, {} placement", header.seed, r.summary.policy, r.summary.placement);
  page.heading(fmt::format("Cluster run: {}", header.name), subtitle);
  if (!header.version.empty() || !header.fingerprint.empty())
    page.paragraph(fmt::format("podsim {} · scenario fingerprint {} (file + --set overrides + seed) · seed {}",
                               header.version, header.fingerprint, header.seed));
  page.headlines(headlines(r));
  const Span span = run_span(r);
  page.section("Utilization");
  timeline_figures(r, span, page);
  page.section("Jobs");
  gantt_figure(r, span, page);
  page.section("Completion times");
  distribution_figure(r, page);
  return std::move(page).finish();
}

}  // namespace podsim::report

#include "report/compare_report.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "report/grouped_bar_chart.h"
#include "report/html_page.h"
#include "report/stacked_bar_chart.h"
#include "report/svg.h"

namespace podsim::report {
namespace {

using workloads::CommClass;

const ComparisonCell* find(const Comparison& c, const std::string& system, const std::string& job) {
  for (const ComparisonCell& cell : c.cells)
    if (cell.system == system && cell.job == job) return &cell;
  return nullptr;
}

// One small chart per job, bars per system, each with its own axis: jobs differ by
// orders of magnitude (months of pretraining against days of fine-tuning), and a shared
// axis would flatten the small ones. A missing cell shows as 0.
std::vector<std::string> per_job_bars(const Comparison& c, const std::string& id, const std::string& y_title,
                                      const std::string& suffix, double (*value)(const ComparisonCell&)) {
  std::vector<std::string> svgs;
  const double width = c.jobs.size() >= 3 ? 350 : 530;
  for (size_t j = 0; j < c.jobs.size(); ++j) {
    GroupedBarChart chart{.id = fmt::format("{}-{}", id, j), .title = fmt::format("{}: {}", c.jobs[j], y_title),
                          .series = c.systems, .groups = {{c.jobs[j], {}}}, .y_title = y_title, .value_suffix = suffix,
                          .width = width, .height = 320};
    for (const std::string& system : c.systems) {
      const ComparisonCell* cell = find(c, system, c.jobs[j]);
      chart.groups[0].values.push_back(cell ? value(*cell) : 0);
    }
    svgs.push_back(render_grouped_bars(chart));
  }
  return svgs;
}

double days(const ComparisonCell& c) { return c.result.time_to_train_s / 86400; }
double mfu_percent(const ComparisonCell& c) { return 100 * c.result.mfu; }

// Segment colours: compute first, then each communication class, the bubble in grey.
constexpr std::array<const char*, workloads::kCommClasses> kCommClass{"c1", "c3", "c5", "c6", "c2"};

std::string step_breakdown(const Comparison& c, const std::string& job, size_t index) {
  std::vector<const ComparisonCell*> cells;
  for (const std::string& system : c.systems)
    if (const ComparisonCell* cell = find(c, system, job)) cells.push_back(cell);
  StackedBarChart chart{.id = fmt::format("breakdown-{}", index), .title = fmt::format("Step time of {}", job),
                        .segments = {{"compute", "c0"}}, .bars = {}, .x_title = "seconds per step", .value_suffix = " s"};
  const bool host = std::any_of(cells.begin(), cells.end(), [](const ComparisonCell* x) { return x->result.host_s > 0; });
  if (host) chart.segments.push_back({"MoE host overhead", "host"});
  std::vector<size_t> classes;
  for (size_t k = 0; k < workloads::kCommClasses; ++k) {
    const bool any = std::any_of(cells.begin(), cells.end(), [k](const ComparisonCell* x) { return x->result.exposed_s[k] > 0; });
    if (!any) continue;
    classes.push_back(k);
    chart.segments.push_back({fmt::format("exposed {} comm", workloads::to_string(static_cast<CommClass>(k))), kCommClass[k]});
  }
  chart.segments.push_back({"pipeline bubble", "bubble"});
  for (const ComparisonCell* cell : cells) {
    StackedBar bar{.label = cell->system, .values = {cell->result.compute_s}};
    if (host) bar.values.push_back(cell->result.host_s);
    for (const size_t k : classes) bar.values.push_back(cell->result.exposed_s[k]);
    bar.values.push_back(cell->result.bubble_s);
    chart.bars.push_back(std::move(bar));
  }
  return render_stacked_bars(chart);
}

std::vector<std::vector<std::string>> job_table(const Comparison& c, const std::string& job) {
  std::vector<const ComparisonCell*> cells;
  for (const std::string& system : c.systems)
    if (const ComparisonCell* cell = find(c, system, job)) cells.push_back(cell);
  std::vector<std::vector<std::string>> rows;
  auto row = [&](std::string label, auto value) {
    std::vector<std::string> r{std::move(label)};
    for (const ComparisonCell* cell : cells) r.push_back(value(*cell));
    rows.push_back(std::move(r));
  };
  row("devices", [](const ComparisonCell& x) { return fmt::format("{} x {}", format_number(x.devices, 0), x.device); });
  row("scale-up domain", [](const ComparisonCell& x) { return fmt::format("{} devices", x.scale_up_domain); });
  row("plan", [](const ComparisonCell& x) { return x.plan; });
  row("step time", [](const ComparisonCell& x) { return format_number(x.result.step_s, 3) + " s"; });
  row("MFU", [](const ComparisonCell& x) { return format_number(100 * x.result.mfu, 1) + "%"; });
  row("throughput", [](const ComparisonCell& x) {
    return x.is_dit ? format_number(x.result.samples_per_s, 2) + " samples/s" : format_number(x.result.tokens_per_s, 0) + " tokens/s";
  });
  row("time to train", [](const ComparisonCell& x) {
    return fmt::format("{} d ({} steps)", format_number(days(x), 1), format_number(static_cast<double>(x.result.steps), 0));
  });
  row("bottleneck", [](const ComparisonCell& x) { return x.result.bottleneck; });
  row("energy to train", [](const ComparisonCell& x) {
    return x.result.energy_j ? format_number(*x.result.energy_j / 3.6e9, 0) + " MWh" : std::string("n/a");
  });
  return rows;
}

}  // namespace

std::string comparison_report_html(const Comparison& c) {
  HtmlPage page(fmt::format("podsim: {}", c.name));
  std::string subtitle = c.description.empty() ? "" : c.description + " · ";
  subtitle += fmt::format("collectives {}; one step simulated per job and system; time to train = steps x step time",
                          c.mode);
  page.heading(fmt::format("Comparison: {}", c.name), subtitle);

  page.section("Time to train and MFU");
  page.figure_row("Time to train (days, lower is better)", per_job_bars(c, "time-to-train", "days", " d", days));
  page.figure_row("Model FLOPs utilization (MFU, higher is better)", per_job_bars(c, "mfu", "% of dense peak", "%", mfu_percent),
                  "MFU: model FLOPs per second (no recomputation) over the devices' dense peak at the run's precision "
                  "(the PaLM definition).");

  page.section("Step time breakdown");
  for (size_t j = 0; j < c.jobs.size(); ++j)
    page.figure(fmt::format("Step time of {}", c.jobs[j]), step_breakdown(c, c.jobs[j], j),
                "On the busiest stage's device: compute, communication that compute does not hide (by parallelism), "
                "and pipeline bubble (and, for MoE jobs, the MoE host overhead); they add up to the step time.");

  page.section("Numbers");
  for (const std::string& job : c.jobs) {
    std::vector<std::string> header{job};
    for (const std::string& system : c.systems)
      if (find(c, system, job)) header.push_back(system);
    page.table(header, job_table(c, job));
  }
  return std::move(page).finish();
}

}  // namespace podsim::report

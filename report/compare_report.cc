#include "report/compare_report.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <functional>

#include "report/grouped_bar_chart.h"
#include "report/html_page.h"
#include "report/stacked_bar_chart.h"
#include "report/svg.h"
#include "report/topology_drawing.h"

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
                                      const std::string& suffix, const std::function<double(const ComparisonCell&)>& value) {
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
  if (host) chart.segments.push_back({"host overhead", "host"});
  const bool offload =
      std::any_of(cells.begin(), cells.end(), [](const ComparisonCell* x) { return x->result.offload_s > 0; });
  if (offload) chart.segments.push_back({"activation offload", "offload"});
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
    if (offload) bar.values.push_back(cell->result.offload_s);
    for (const size_t k : classes) bar.values.push_back(cell->result.exposed_s[k]);
    bar.values.push_back(cell->result.bubble_s);
    chart.bars.push_back(std::move(bar));
  }
  return render_stacked_bars(chart);
}

std::vector<std::vector<std::string>> job_table(const Comparison& c, const std::string& job, const DurationUnit& unit) {
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
  row("step time (s)", [](const ComparisonCell& x) { return format_number(x.result.step_s, 3); });
  row("MFU", [](const ComparisonCell& x) { return format_number(100 * x.result.mfu, 1) + "%"; });
  row("throughput", [](const ComparisonCell& x) {
    return x.is_dit ? format_number(x.result.samples_per_s, 2) + " samples/s" : format_number(x.result.tokens_per_s, 0) + " tokens/s";
  });
  row(fmt::format("time to train ({})", unit.name),
      [&unit](const ComparisonCell& x) { return format_number(x.result.time_to_train_s / unit.seconds, 1); });
  row("steps", [](const ComparisonCell& x) { return format_number(static_cast<double>(x.result.steps), 0); });
  row("bottleneck", [](const ComparisonCell& x) { return x.result.bottleneck; });
  row("energy to train", [](const ComparisonCell& x) {
    return x.result.energy_j ? format_number(*x.result.energy_j / 3.6e9, 0) + " MWh" : std::string("n/a");
  });
  return rows;
}

// Why each auto plan: the planner's sentence, then its chosen plan and runner-up side by
// side, both as the planner timed them (closed form).
void planner_section(const Comparison& c, HtmlPage& page) {
  page.section("Why these plans");
  page.paragraph("Auto plans come from the planner (workloads/planner.h; docs/models.md §5.3): it enumerates TP, PP, CP, "
                 "EP, ZeRO, recompute and micro-batch, drops plans that do not fit in memory, and times the rest with the "
                 "step model in closed form. Its timings below are those closed-form ones; the numbers above are in " +
                 c.mode + " mode.");
  bool any = false;
  for (const std::string& job : c.jobs)
    for (const std::string& system : c.systems) {
      const ComparisonCell* cell = find(c, system, job);
      if (!cell) continue;
      if (!cell->planner) continue;
      any = true;
      const workloads::PlanReport& r = *cell->planner;
      std::vector<std::string> header{fmt::format("{} on {}", job, system), "chosen"};
      if (r.best.size() > 1) header.push_back("runner-up");
      std::vector<std::vector<std::string>> rows;
      auto row = [&](std::string label, auto value) {
        std::vector<std::string> x{std::move(label)};
        for (const workloads::PlannedStep& p : r.best) x.push_back(value(p));
        rows.push_back(std::move(x));
      };
      row("plan", [](const workloads::PlannedStep& p) { return workloads::describe(p.plan); });
      row("step time (s)", [](const workloads::PlannedStep& p) { return format_number(p.result.step_s, 3); });
      row("compute (s)", [](const workloads::PlannedStep& p) { return format_number(p.result.compute_s, 3); });
      row("pipeline bubble (s)", [](const workloads::PlannedStep& p) { return format_number(p.result.bubble_s, 3); });
      for (size_t k = 0; k < workloads::kCommClasses; ++k) {
        const bool shown = std::any_of(r.best.begin(), r.best.end(),
                                       [k](const workloads::PlannedStep& p) { return p.result.exposed_s[k] > 0; });
        if (shown)
          row(fmt::format("exposed {} comm (s)", workloads::to_string(static_cast<CommClass>(k))),
              [k](const workloads::PlannedStep& p) { return format_number(p.result.exposed_s[k], 3); });
      }
      row("MFU", [](const workloads::PlannedStep& p) { return format_number(100 * p.result.mfu, 1) + "%"; });
      row("bound by", [](const workloads::PlannedStep& p) { return p.result.bottleneck; });
      row("memory per device (GB)", [](const workloads::PlannedStep& p) { return format_number(p.memory.total().value() / 1e9, 1); });
      page.paragraph(fmt::format("{} on {}: {} plans enumerated, {} valid, {} fit in memory and were timed. {}", job, system,
                                 format_number(static_cast<double>(r.considered), 0),
                                 format_number(static_cast<double>(r.valid), 0),
                                 format_number(static_cast<double>(r.fitting), 0), r.explanation));
      page.table(header, rows);
    }
  if (!any) page.paragraph("Every plan was given by the scenario; the planner did not run.");
}

void assumptions_section(const Comparison& c, HtmlPage& page) {
  if (c.notes.empty()) return;
  page.section("Assumptions behind the numbers");
  page.paragraph("Each number above stands on these models and calibrations; the documents named say how each was "
                 "measured or fitted. One step is simulated per job and system; time to train = steps x step time.");
  std::vector<std::string> header{"assumption"};
  std::vector<std::string> labels;
  for (const SystemNotes& n : c.notes) {
    header.push_back(n.system);
    for (const auto& [label, text] : n.assumptions)
      if (std::find(labels.begin(), labels.end(), label) == labels.end()) labels.push_back(label);
  }
  std::vector<std::vector<std::string>> rows;
  for (const std::string& label : labels) {
    std::vector<std::string> r{label};
    for (const SystemNotes& n : c.notes) {
      auto it = std::find_if(n.assumptions.begin(), n.assumptions.end(), [&](const auto& a) { return a.first == label; });
      r.push_back(it == n.assumptions.end() ? "-" : it->second);
    }
    rows.push_back(std::move(r));
  }
  page.table(header, rows);
}

void topology_section(const Comparison& c, HtmlPage& page) {
  if (c.notes.empty()) return;
  page.section("Topology");
  page.paragraph("Each system as built: its scale-up domain (racks, nodes, devices and the switch chips that join them, "
                 "planes in colour) and the scale-out fabric that joins the domains. Grouped summaries drawn from the "
                 "topology graph's counts; `podsim topo --dot` writes the whole graph.");
  size_t index = 0;
  for (const SystemNotes& n : c.notes) {
    for (const PodSketch& pod : n.topology.pods)
      page.figure(fmt::format("{}: scale-up domain{}", n.system, pod.count > 1 ? fmt::format(" (x{})", pod.count) : ""),
                  render_scale_up(pod, fmt::format("topology-{}", index++)), scale_up_note(pod));
    if (n.topology.fabric)
      page.figure(fmt::format("{}: scale-out fabric", n.system), render_scale_out(n.topology, fmt::format("topology-{}", index++)),
                  scale_out_note(n.topology));
    else if (n.topology.pods.size() == 1 && n.topology.pods[0].count == 1)
      page.paragraph(fmt::format("{}: one scale-up domain, no scale-out fabric.", n.system));
  }
}

}  // namespace

DurationUnit duration_unit_for(double longest_s) {
  return longest_s >= 3 * 86400 ? DurationUnit{"days", 86400} : DurationUnit{"hours", 3600};
}

std::string comparison_report_html(const Comparison& c) {
  HtmlPage page(fmt::format("podsim: {}", c.name));
  std::string subtitle = c.description.empty() ? "" : c.description + " · ";
  subtitle += fmt::format("collectives {}; one step simulated per job and system; time to train = steps x step time",
                          c.mode);
  page.heading(fmt::format("Comparison: {}", c.name), subtitle);
  page.headlines({{"podsim", c.version, "version (io/version.h)"},
                  {"scenario fingerprint", c.fingerprint, "file + --set overrides + seed"},
                  {"seed", fmt::format("{}", c.seed), ""},
                  {"collectives", c.mode, c.mode == "flow" ? "flows on the topology" : "closed form"}});

  double longest = 0;
  for (const ComparisonCell& cell : c.cells) longest = std::max(longest, cell.result.time_to_train_s);
  const DurationUnit unit = duration_unit_for(longest);
  const std::string short_unit = unit.seconds == 86400 ? " d" : " h";
  page.section("Time to train and MFU");
  page.figure_row(fmt::format("Time to train ({}, lower is better)", unit.name),
                  per_job_bars(c, "time-to-train", unit.name, short_unit,
                               [&unit](const ComparisonCell& x) { return x.result.time_to_train_s / unit.seconds; }));
  page.figure_row("Model FLOPs utilization (MFU, higher is better)", per_job_bars(c, "mfu", "% of dense peak", "%", mfu_percent),
                  "MFU: model FLOPs per second (no recomputation) over the devices' dense peak at the run's precision "
                  "(the PaLM definition).");

  page.section("Step time breakdown");
  for (size_t j = 0; j < c.jobs.size(); ++j)
    page.figure(fmt::format("Step time of {}", c.jobs[j]), step_breakdown(c, c.jobs[j], j),
                "On the busiest stage's device: compute, communication that compute does not hide (by parallelism), "
                "and pipeline bubble (and the host overhead: MoE layers in eager frameworks, DeepSpeed ZeRO-3 of 2021 with PyTorch 1.8); they add up to the step time.");

  page.section("Numbers");
  page.paragraph(fmt::format("Durations in seconds per step and {} to train.", unit.name));
  for (const std::string& job : c.jobs) {
    std::vector<std::string> header{job};
    for (const std::string& system : c.systems)
      if (find(c, system, job)) header.push_back(system);
    page.table(header, job_table(c, job, unit));
  }
  planner_section(c, page);
  assumptions_section(c, page);
  topology_section(c, page);
  return std::move(page).finish();
}

}  // namespace podsim::report

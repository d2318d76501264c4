#include "report/comparison_table.h"

#include <fmt/format.h>

#include <algorithm>
#include <string>
#include <vector>

#include "workloads/planner.h"

namespace podsim::report {
namespace {

std::string days(double s) { return fmt::format("{:.1f} d", s / 86400); }

}  // namespace

void print_comparison(const sim::StudyResult& r, std::ostream& out) {
  out << fmt::format("scenario   {}\n", r.name);
  if (!r.description.empty()) out << fmt::format("           {}\n", r.description);
  out << fmt::format("collectives {} (one step simulated per job and system; time to train = steps x step)\n", r.mode);
  constexpr int kLabel = 22;
  for (const std::string& job : r.jobs) {
    std::vector<const sim::StudyCell*> cells;
    for (const std::string& s : r.systems) cells.push_back(sim::find_cell(r, s, job));
    size_t width = 24;
    for (const sim::StudyCell* c : cells) width = std::max(width, workloads::describe(c->plan).size() + 10);
    for (const std::string& s : r.systems) width = std::max(width, s.size() + 2);
    auto row = [&](const std::string& label, auto value) {
      // A label as long as the column ("published tokens/s/dev") still gets a space.
      std::string line = fmt::format("  {:<{}}", label, std::max<size_t>(kLabel, label.size() + 1));
      for (const sim::StudyCell* c : cells) line += fmt::format("{:<{}}", value(*c), width);
      while (!line.empty() && line.back() == ' ') line.pop_back();
      out << line << "\n";
    };
    out << fmt::format("\njob {}\n", job);
    row("system", [](const sim::StudyCell& c) { return c.system; });
    row("devices", [](const sim::StudyCell& c) { return fmt::format("{} x {}", c.devices, c.device); });
    row("scale-up domain", [](const sim::StudyCell& c) { return fmt::format("{} devices", c.scale_up_domain); });
    row("plan", [](const sim::StudyCell& c) { return workloads::describe(c.plan) + (c.auto_planned ? " (auto)" : ""); });
    row("step time", [](const sim::StudyCell& c) { return fmt::format("{:.3f} s", c.result.step_s); });
    row("  compute", [](const sim::StudyCell& c) { return fmt::format("{:.3f} s", c.result.compute_s); });
    if (std::any_of(cells.begin(), cells.end(), [](const sim::StudyCell* c) { return c->result.host_s > 0; }))
      row("  host overhead", [](const sim::StudyCell& c) { return fmt::format("{:.3f} s", c.result.host_s); });
    if (std::any_of(cells.begin(), cells.end(), [](const sim::StudyCell* c) { return c->result.offload_s > 0; }))
      row("  activation offload", [](const sim::StudyCell& c) { return fmt::format("{:.3f} s", c.result.offload_s); });
    row("  pipeline bubble", [](const sim::StudyCell& c) { return fmt::format("{:.3f} s", c.result.bubble_s); });
    for (size_t k = 0; k < workloads::kCommClasses; ++k) {
      const auto cls = static_cast<workloads::CommClass>(k);
      bool any = false;
      for (const sim::StudyCell* c : cells) any = any || c->result.exposed_s[k] > 0;
      if (!any) continue;
      row(fmt::format("  exposed {} comm", workloads::to_string(cls)),
          [k](const sim::StudyCell& c) { return fmt::format("{:.3f} s", c.result.exposed_s[k]); });
    }
    row("memory per device", [](const sim::StudyCell& c) {
      return fmt::format("{:.1f} of {:.1f} GB", c.memory.need.total().value() / 1e9, c.memory.available.value() / 1e9);
    });
    row("MFU", [](const sim::StudyCell& c) { return fmt::format("{:.1f}%", 100 * c.result.mfu); });
    row("throughput", [](const sim::StudyCell& c) {
      return c.is_dit ? fmt::format("{:.2f} samples/s", c.result.samples_per_s)
                      : fmt::format("{:.0f} tokens/s", c.result.tokens_per_s);
    });
    row("time to train", [](const sim::StudyCell& c) {
      return fmt::format("{} ({} steps)", days(c.result.time_to_train_s), c.result.steps);
    });
    row("bottleneck", [](const sim::StudyCell& c) { return c.result.bottleneck; });
    row("energy to train", [](const sim::StudyCell& c) {
      return c.result.energy_j ? fmt::format("{:.0f} MWh", *c.result.energy_j / 3.6e9) : std::string("n/a");
    });
    for (const sim::PublishedFigure& p : r.published) {
      if (p.job != job) continue;
      row(fmt::format("published {}", sim::metric_name(p.metric)), [&](const sim::StudyCell&) { return fmt::format("{:.4g}", p.value); });
      row(fmt::format("predicted {}", sim::metric_name(p.metric)), [&](const sim::StudyCell& c) {
        const double v = sim::predicted_value(c, p.metric);
        return fmt::format("{:.4g} ({:+.1f}%)", v, 100 * (v / p.value - 1));
      });
    }
    for (const sim::StudyCell* c : cells)
      if (c->auto_planned) out << fmt::format("  planner on {}: {}\n", c->system, c->planner_explanation);
  }
}

}  // namespace podsim::report

#include "cli/compare_run.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>
#include <vector>

#include "cli/cluster_from_proto.h"
#include "cli/compare_trace.h"
#include "cli/job_from_proto.h"
#include "cli/memory_limit.h"
#include "engine/error.h"
#include "topologies/build.h"
#include "topologies/engine_fabric.h"
#include "workloads/placement.h"
#include "workloads/planner.h"

namespace podsim::cli {
namespace {

namespace v1 = podsim::v1;

// The scenario as it runs on compare.systems[index]: its cluster, and its plans in place
// of the jobs' own. Problems are reported at their places in the file (the system's
// cluster and plans, the jobs for the rest), as being about this system.
ScenarioFile variant_file(const ScenarioFile& file, int index) {
  const v1::Variant& variant = file.scenario().compare().systems(index);
  const std::string at = fmt::format("compare.systems[{}]", index);
  v1::Scenario s = file.scenario();
  s.clear_compare();
  *s.mutable_cluster() = variant.cluster();
  std::vector<ScenarioFile::Rename> renames{{"cluster", at + ".cluster"}};
  for (int m = 0; m < variant.plans_size(); ++m) {
    const v1::JobPlan& jp = variant.plans(m);
    bool found = false;
    for (int j = 0; j < s.jobs_size(); ++j) {
      if (s.jobs(j).name() != jp.job()) continue;
      *s.mutable_jobs(j)->mutable_plan() = jp.plan();
      renames.push_back({fmt::format("jobs[{}].plan", j), fmt::format("{}.plans[{}].plan", at, m)});
      found = true;
    }
    if (!found) {
      const std::string job = fmt::format("{}.plans[{}].job", at, m);
      throw UserError(fmt::format("{}: {}: no job named '{}' in jobs (system '{}')", file.where(job), job, jp.job(),
                                  variant.name()));
    }
  }
  return file.derive(std::move(s), std::move(renames), fmt::format("system '{}'", variant.name()));
}

// Watts per device: the system's whole-system estimate shared by its devices where one
// is published (it includes switches, CPUs and cooling), else the device's TDP.
std::optional<double> watts_per_device(const topologies::Cluster& c) {
  const topologies::Device& d0 = c.devices().front();
  for (const topologies::SystemInfo& s : c.systems()) {
    if (s.pod != d0.pod || !s.power_watts) continue;
    const auto n = std::count_if(c.devices().begin(), c.devices().end(),
                                 [&](const topologies::Device& d) { return d.pod == d0.pod; });
    return *s.power_watts / static_cast<double>(n);
  }
  return d0.spec->tdp_watts;
}

// Flow mode runs a step's all-to-all as n (n - 1) flows at once: refuse one this
// machine cannot hold (cli/memory_limit.h) before anything is built.
void check_flow_memory(const ScenarioFile& file, const std::string& job, double ranks) {
  const double flows = ranks * (ranks - 1);
  if (auto why = memory_refusal(all_to_all_flow_bytes(ranks),
                                fmt::format("mode FLOW: the all-to-all of job '{}' over {:.0f} ranks ({:.3g} flows at once)",
                                            job, ranks, flows),
                                "162 B per flow, measured in bench/README.md",
                                "mode: ANALYTICAL (closed-form collectives, no flows) or a smaller ep"))
    throw UserError(fmt::format("{}: compare.mode: {}", file.where("compare.mode"), *why));
}

// The same for the scenario's explicit plans, before any system is built.
void check_flow_memory(const ScenarioFile& file) {
  if (file.scenario().compare().mode() != v1::Comparison::FLOW) return;
  for (const v1::Job& j : file.scenario().jobs()) {
    const v1::ParallelPlan& p = j.plan();
    double ranks = p.has_ep() ? p.ep() : 1;
    if (p.cp_algorithm() == v1::ParallelPlan::ULYSSES && p.has_cp()) ranks = std::max<double>(ranks, p.cp());
    if (!p.auto_plan()) check_flow_memory(file, j.name(), ranks);
  }
}

void run_system(const ScenarioFile& file, const std::string& system, const v1::Comparison& cmp, StudyResult& out,
                CompareTrace* trace, uint32_t system_index) {
  const topologies::Cluster cluster = topologies::build_cluster(cluster_params(file));
  const engine::DeviceSpec& device = *cluster.devices().front().spec;
  const topologies::EngineFabric fabric(cluster);
  const std::vector<workloads::TrainingJob> jobs = training_jobs(file, &device);
  const int domain = static_cast<int>(std::count_if(cluster.devices().begin(), cluster.devices().end(),
                                                    [&](const topologies::Device& d) {
                                                      return d.pod == cluster.devices().front().pod;
                                                    }));
  workloads::StepOptions options;
  options.mode = cmp.mode() == v1::Comparison::FLOW ? engine::CommMode::kFlow : engine::CommMode::kAnalytical;
  if (cmp.has_link_efficiency()) {
    if (!(cmp.link_efficiency() > 0 && cmp.link_efficiency() <= 1))
      throw UserError(fmt::format("{}: compare.link_efficiency: {} is outside (0, 1]", file.where("compare.link_efficiency"),
                                  cmp.link_efficiency()));
    options.network.link_efficiency = cmp.link_efficiency();
  }
  options.watts_per_device = watts_per_device(cluster);
  for (size_t i = 0; i < jobs.size(); ++i) {
    const workloads::TrainingJob& job = jobs[i];
    if (static_cast<size_t>(job.devices) > cluster.devices().size())
      throw UserError(fmt::format("{}: jobs[{}]: {} needs {} devices, system '{}' has {}", file.where(fmt::format("jobs[{}]", i)),
                                  i, job.name, job.devices, system, cluster.devices().size()));
    StudyCell cell{.system = system, .job = job.name, .device = device.name, .devices = job.devices,
                   .scale_up_domain = domain, .plan = job.plan, .auto_planned = false, .planner_explanation = {},
                   .is_dit = job.model.dit.has_value(), .result = {}};
    workloads::TrainingJob run = job;
    if (file.scenario().jobs(static_cast<int>(i)).plan().auto_plan()) {
      workloads::PlanSearch q{.devices = job.devices, .global_batch = job.plan.global_batch,
                              .precision = job.plan.precision, .scale_up_domain = domain, .top = 1,
                              .step = options};
      q.attention_kernel = job.plan.attention_kernel;
      q.cuda_graphs = job.plan.cuda_graphs;
      q.moe_host_overhead_s = job.plan.moe_host_overhead_s;
      q.step.mode = engine::CommMode::kAnalytical;  // search in closed form, report in the study's mode
      const workloads::PlanReport rep = workloads::plan_search(job.model, q, device, fabric);
      run.plan = rep.best.front().plan;
      cell.plan = run.plan;
      cell.auto_planned = true;
      cell.planner_explanation = rep.explanation;
    }
    if (options.mode == engine::CommMode::kFlow) check_flow_memory(file, job.name, largest_all_to_all(run.plan));
    const std::vector<engine::DeviceId> placement = workloads::aligned_placement(run.plan, fabric);
    workloads::StepOptions step = options;
    if (trace)
      step.observer = trace->cell_begins(system_index, job.name, static_cast<uint32_t>(job.devices),
                                         static_cast<double>(job.steps()));
    cell.result = workloads::simulate_step(run, placement, device, fabric, step);
    if (trace) {
      std::set<uint32_t> domains;
      for (engine::DeviceId d : placement) domains.insert(fabric.domain(d));
      trace->cell_ended(placement, static_cast<uint32_t>(domains.size()), cell.result);
    }
    out.cells.push_back(std::move(cell));
  }
}

std::string days(double s) { return fmt::format("{:.1f} d", s / 86400); }

}  // namespace

const char* metric_name(int metric) {
  switch (metric) {
    case v1::Published::MFU: return "MFU %";
    case v1::Published::HW_TFLOPS_PER_DEVICE: return "HW TFLOP/s/dev";
    case v1::Published::MODEL_TFLOPS_PER_DEVICE: return "model TFLOP/s/dev";
    case v1::Published::STEP_SECONDS: return "step s";
    case v1::Published::TOKENS_PER_S_PER_DEVICE: return "tokens/s/dev";
    default: return "?";
  }
}

double predicted_value(const StudyCell& c, int metric) {
  switch (metric) {
    case v1::Published::MFU: return 100 * c.result.mfu;
    case v1::Published::HW_TFLOPS_PER_DEVICE: return c.result.hw_tflops_per_device;
    case v1::Published::MODEL_TFLOPS_PER_DEVICE: return c.result.model_tflops_per_device;
    case v1::Published::STEP_SECONDS: return c.result.step_s;
    case v1::Published::TOKENS_PER_S_PER_DEVICE: return c.result.tokens_per_s / c.devices;
    default: return 0;
  }
}

std::vector<TracedSystem> study_systems(const ScenarioFile& file) {
  auto describe = [](const std::string& name, const ScenarioFile& f) {
    const topologies::Cluster cluster = topologies::build_cluster(cluster_params(f));
    std::set<uint32_t> pods;
    for (const topologies::Device& d : cluster.devices()) pods.insert(d.pod);
    return TracedSystem{.name = name, .devices = static_cast<uint32_t>(cluster.devices().size()),
                        .domains = static_cast<uint32_t>(pods.size())};
  };
  const v1::Scenario& s = file.scenario();
  std::vector<TracedSystem> out;
  if (s.compare().systems_size() == 0) {
    if (s.has_cluster()) out.push_back(describe(s.cluster().name().empty() ? "system" : s.cluster().name(), file));
    return out;
  }
  for (int i = 0; i < s.compare().systems_size(); ++i)
    out.push_back(describe(s.compare().systems(i).name(), variant_file(file, i)));
  return out;
}

StudyResult run_study(const ScenarioFile& file, CompareTrace* trace) {
  const v1::Scenario& s = file.scenario();
  const v1::Comparison& cmp = s.compare();
  StudyResult r{.name = s.name(), .description = s.description(),
                .mode = cmp.mode() == v1::Comparison::FLOW ? "flow" : "analytical", .systems = {}, .jobs = {},
                .cells = {}, .published = {}};
  for (const v1::Job& j : s.jobs()) r.jobs.push_back(j.name());
  if (r.jobs.empty()) throw UserError(fmt::format("{}: compare: the scenario has no jobs to compare", file.path()));
  for (int i = 0; i < cmp.published_size(); ++i) {
    const v1::Published& p = cmp.published(i);
    const std::string at = fmt::format("compare.published[{}]", i);
    if (std::find(r.jobs.begin(), r.jobs.end(), p.job()) == r.jobs.end())
      throw UserError(fmt::format("{}: {}.job: no job named '{}'", file.where(at + ".job"), at, p.job()));
    if (p.metric() == v1::Published::METRIC_UNSPECIFIED || !(p.value() > 0))
      throw UserError(fmt::format("{}: {}: needs a metric and a value > 0", file.where(at), at));
    r.published.push_back({p.job(), p.metric(), p.value(), p.source()});
  }
  check_flow_memory(file);
  if (cmp.systems_size() == 0) {
    if (!s.has_cluster()) throw UserError(fmt::format("{}: compare: give `systems`, or a `cluster`", file.path()));
    const std::string name = s.cluster().name().empty() ? "system" : s.cluster().name();
    r.systems.push_back(name);
    run_system(file, name, cmp, r, trace, 0);
    return r;
  }
  for (int i = 0; i < cmp.systems_size(); ++i) {
    const v1::Variant& v = cmp.systems(i);
    if (v.name().empty())
      throw UserError(fmt::format("{}: compare.systems[{}].name: required", file.where(fmt::format("compare.systems[{}]", i)), i));
    r.systems.push_back(v.name());
    run_system(variant_file(file, i), v.name(), cmp, r, trace, static_cast<uint32_t>(i));
  }
  return r;
}

const StudyCell* find_cell(const StudyResult& r, const std::string& system, const std::string& job) {
  for (const StudyCell& c : r.cells)
    if (c.system == system && c.job == job) return &c;
  return nullptr;
}

void print_comparison(const StudyResult& r, std::ostream& out) {
  out << fmt::format("scenario   {}\n", r.name);
  if (!r.description.empty()) out << fmt::format("           {}\n", r.description);
  out << fmt::format("collectives {} (one step simulated per job and system; time to train = steps x step)\n", r.mode);
  constexpr int kLabel = 22;
  for (const std::string& job : r.jobs) {
    std::vector<const StudyCell*> cells;
    for (const std::string& s : r.systems) cells.push_back(find_cell(r, s, job));
    size_t width = 24;
    for (const StudyCell* c : cells) width = std::max(width, workloads::describe(c->plan).size() + 10);
    for (const std::string& s : r.systems) width = std::max(width, s.size() + 2);
    auto row = [&](const std::string& label, auto value) {
      // A label as long as the column ("published tokens/s/dev") still gets a space.
      std::string line = fmt::format("  {:<{}}", label, std::max<size_t>(kLabel, label.size() + 1));
      for (const StudyCell* c : cells) line += fmt::format("{:<{}}", value(*c), width);
      while (!line.empty() && line.back() == ' ') line.pop_back();
      out << line << "\n";
    };
    out << fmt::format("\njob {}\n", job);
    row("system", [](const StudyCell& c) { return c.system; });
    row("devices", [](const StudyCell& c) { return fmt::format("{} x {}", c.devices, c.device); });
    row("scale-up domain", [](const StudyCell& c) { return fmt::format("{} devices", c.scale_up_domain); });
    row("plan", [](const StudyCell& c) { return workloads::describe(c.plan) + (c.auto_planned ? " (auto)" : ""); });
    row("step time", [](const StudyCell& c) { return fmt::format("{:.3f} s", c.result.step_s); });
    row("  compute", [](const StudyCell& c) { return fmt::format("{:.3f} s", c.result.compute_s); });
    if (std::any_of(cells.begin(), cells.end(), [](const StudyCell* c) { return c->result.host_s > 0; }))
      row("  MoE host overhead", [](const StudyCell& c) { return fmt::format("{:.3f} s", c.result.host_s); });
    row("  pipeline bubble", [](const StudyCell& c) { return fmt::format("{:.3f} s", c.result.bubble_s); });
    for (size_t k = 0; k < workloads::kCommClasses; ++k) {
      const auto cls = static_cast<workloads::CommClass>(k);
      bool any = false;
      for (const StudyCell* c : cells) any = any || c->result.exposed_s[k] > 0;
      if (!any) continue;
      row(fmt::format("  exposed {} comm", workloads::to_string(cls)),
          [k](const StudyCell& c) { return fmt::format("{:.3f} s", c.result.exposed_s[k]); });
    }
    row("MFU", [](const StudyCell& c) { return fmt::format("{:.1f}%", 100 * c.result.mfu); });
    row("throughput", [](const StudyCell& c) {
      return c.is_dit ? fmt::format("{:.2f} samples/s", c.result.samples_per_s)
                      : fmt::format("{:.0f} tokens/s", c.result.tokens_per_s);
    });
    row("time to train", [](const StudyCell& c) {
      return fmt::format("{} ({} steps)", days(c.result.time_to_train_s), c.result.steps);
    });
    row("bottleneck", [](const StudyCell& c) { return c.result.bottleneck; });
    row("energy to train", [](const StudyCell& c) {
      return c.result.energy_j ? fmt::format("{:.0f} MWh", *c.result.energy_j / 3.6e9) : std::string("n/a");
    });
    for (const PublishedFigure& p : r.published) {
      if (p.job != job) continue;
      row(fmt::format("published {}", metric_name(p.metric)), [&](const StudyCell&) { return fmt::format("{:.4g}", p.value); });
      row(fmt::format("predicted {}", metric_name(p.metric)), [&](const StudyCell& c) {
        const double v = predicted_value(c, p.metric);
        return fmt::format("{:.4g} ({:+.1f}%)", v, 100 * (v / p.value - 1));
      });
    }
    for (const StudyCell* c : cells)
      if (c->auto_planned) out << fmt::format("  planner on {}: {}\n", c->system, c->planner_explanation);
  }
}

void run_comparison(const ScenarioFile& file, std::ostream& out) { print_comparison(run_study(file), out); }

}  // namespace podsim::cli

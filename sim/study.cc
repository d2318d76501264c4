#include "sim/study.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "engine/printable.h"
#include "engine/check.h"
#include "engine/error.h"
#include "sim/field_error.h"
#include "sim/finite_results.h"
#include "sim/memory_limit.h"
#include "sim/power.h"
#include "topologies/build.h"
#include "topologies/engine_fabric.h"
#include "workloads/placement.h"
#include "workloads/planner.h"

namespace podsim::sim {

int first_domain_size(const topologies::Cluster& c) {
  return static_cast<int>(std::count_if(c.devices().begin(), c.devices().end(), [&](const topologies::Device& d) {
    return d.pod == c.devices().front().pod;
  }));
}

// Flow mode runs a step's all-to-all as n (n - 1) flows at once: refuse one this
// machine cannot hold (sim/memory_limit.h) before anything is built.
void check_flow_memory(const std::string& job, double ranks) {
  const double flows = ranks * (ranks - 1);
  if (auto why = memory_refusal(all_to_all_flow_bytes(ranks),
                                fmt::format("mode FLOW: the all-to-all of job '{}' over {:.0f} ranks ({:.3g} flows at once)",
                                            printable(job), ranks, flows),
                                "162 B per flow, measured in bench/README.md",
                                "mode: ANALYTICAL (closed-form collectives, no flows) or a smaller ep"))
    throw FieldError("compare.mode", *why);
}

std::vector<StudyCell> run_system(const std::string& system, uint32_t system_index, const topologies::Cluster& cluster,
                                  const std::vector<StudyJob>& jobs, const workloads::StepOptions& options,
                                  StudyObserver* observer) {
  const engine::DeviceSpec& device = *cluster.devices().front().spec;
  const topologies::EngineFabric fabric(cluster);
  const int domain = first_domain_size(cluster);
  std::vector<StudyCell> out;
  for (size_t i = 0; i < jobs.size(); ++i) {
    const workloads::TrainingJob& job = jobs[i].job;
    if (static_cast<size_t>(job.devices) > cluster.devices().size())
      throw FieldError(fmt::format("jobs[{}]", i), fmt::format("{} needs {} devices, system '{}' has {}", printable(job.name),
                                                               job.devices, printable(system), cluster.devices().size()));
    StudyCell cell{.system = system, .job = job.name, .device = device.name, .devices = job.devices,
                   .scale_up_domain = domain, .plan = job.plan, .auto_planned = false, .planner_explanation = {},
                   .planner = std::nullopt,
                   .is_dit = job.model.dit.has_value(), .result = {}, .memory = {}};
    workloads::TrainingJob run = job;
    if (jobs[i].auto_plan) {
      workloads::PlanSearch q{.devices = job.devices, .global_batch = job.plan.global_batch,
                              .precision = job.plan.precision, .scale_up_domain = domain, .top = 2,
                              .step = options};
      q.keep_framework_of(job.plan);
      q.step.mode = engine::CommMode::kAnalytical;  // search in closed form, report in the study's mode
      const workloads::PlanReport rep = workloads::plan_search(job.model, q, device, fabric);
      run.plan = rep.best.front().plan;
      cell.plan = run.plan;
      cell.auto_planned = true;
      cell.planner_explanation = rep.explanation;
      cell.planner = rep;
    }
    cell.memory = workloads::check_fit(run.model, run.plan, device);
    if (options.mode == engine::CommMode::kFlow) check_flow_memory(job.name, largest_all_to_all(run.plan));
    const std::vector<engine::DeviceId> placement = workloads::aligned_placement(run.plan, fabric);
    workloads::StepOptions step = options;
    if (observer)
      step.observer = observer->cell_begins(system_index, job.name, static_cast<uint32_t>(job.devices),
                                            static_cast<double>(job.steps()));
    try {
      cell.result = workloads::simulate_step(run, placement, device, fabric, step);
    } catch (const engine::EndOfTimeError& e) {
      throw UserError(fmt::format("system '{}', job '{}': {} (expected faster devices or links, or a smaller step)",
                                  printable(system), printable(job.name), e.what()));
    }
    if (observer) {
      std::set<uint32_t> domains;
      for (engine::DeviceId d : placement) domains.insert(fabric.domain(d));
      observer->cell_ended(placement, static_cast<uint32_t>(domains.size()), cell.result);
    }
    out.push_back(std::move(cell));
  }
  return out;
}

size_t device_count(const topologies::ClusterParams& params) {
  size_t n = 0;
  for (const topologies::PoolParams& pool : params.pools) {
    const topologies::SystemShape s = topologies::shape(pool.system);
    n += static_cast<size_t>(pool.count) * static_cast<size_t>(s.nodes) * static_cast<size_t>(s.devices_per_node);
  }
  return n;
}

StudyResult run_study(const StudySpec& spec, StudyObserver* observer) {
  StudyResult r{.name = spec.name, .description = spec.description,
                .mode = spec.mode == engine::CommMode::kFlow ? "flow" : "analytical", .systems = {}, .jobs = spec.jobs,
                .cells = {}, .published = spec.published};
  for (const StudySystem& s : spec.systems) r.systems.push_back(s.name);
  for (size_t i = 0; i < spec.systems.size(); ++i) {
    const StudySystem& system = spec.systems[i];
    const topologies::Cluster cluster = topologies::build_cluster(system.cluster);
    PODSIM_CHECK(cluster.devices().size() == device_count(system.cluster), "study: device_count disagrees with the build");
    workloads::StepOptions options;
    options.mode = spec.mode;
    if (spec.link_efficiency) options.network.link_efficiency = *spec.link_efficiency;
    options.watts_per_device = full_load_watts_per_device(cluster);
    for (StudyCell& c : run_system(system.name, static_cast<uint32_t>(i), cluster, system.jobs, options, observer))
      r.cells.push_back(std::move(c));
  }
  check_finite(r);
  return r;
}

const StudyCell* find_cell(const StudyResult& r, const std::string& system, const std::string& job) {
  for (const StudyCell& c : r.cells)
    if (c.system == system && c.job == job) return &c;
  return nullptr;
}

const char* metric_name(PublishedMetric metric) {
  switch (metric) {
    case PublishedMetric::kMfu: return "MFU %";
    case PublishedMetric::kHwTflopsPerDevice: return "HW TFLOP/s/dev";
    case PublishedMetric::kModelTflopsPerDevice: return "model TFLOP/s/dev";
    case PublishedMetric::kStepSeconds: return "step s";
    case PublishedMetric::kTokensPerSPerDevice: return "tokens/s/dev";
  }
  return "?";
}

double predicted_value(const StudyCell& c, PublishedMetric metric) {
  switch (metric) {
    case PublishedMetric::kMfu: return 100 * c.result.mfu;
    case PublishedMetric::kHwTflopsPerDevice: return c.result.hw_tflops_per_device;
    case PublishedMetric::kModelTflopsPerDevice: return c.result.model_tflops_per_device;
    case PublishedMetric::kStepSeconds: return c.result.step_s;
    case PublishedMetric::kTokensPerSPerDevice: return c.result.tokens_per_s / c.devices;
  }
  return 0;
}

}  // namespace podsim::sim

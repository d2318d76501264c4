#include "cli/cluster_run.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <functional>
#include <optional>
#include <span>

#include "cli/atomic_file.h"
#include "cli/cluster_from_proto.h"
#include "cli/inventory_from_cluster.h"
#include "cli/jobs_from_proto.h"
#include "cli/scenario_check.h"
#include "cli/step_trace.h"
#include "engine/check.h"
#include "engine/error.h"
#include "scheduler/cluster_run.h"
#include "scheduler/report.h"
#include "topologies/build.h"
#include "topologies/engine_fabric.h"
#include "workloads/memory.h"
#include "workloads/parallel_plan.h"
#include "workloads/planner.h"
#include "workloads/step_model.h"

namespace podsim::cli {
namespace {

// Devices for `n` ranks in the shape: its first shape.domains domains of the pool, the
// ranks split evenly between them (the first n mod domains take one more), each share
// filled node by node, about shape.nodes / shape.domains nodes per domain. Ranks the
// chosen domains cannot hold go to the pool's next devices.
std::vector<engine::DeviceId> representative_placement(const scheduler::Inventory& inv,
                                                       const scheduler::PlacementShape& shape, uint32_t n) {
  const std::vector<uint32_t>& domains = inv.pool_domains(shape.pool);
  const uint32_t nd = std::clamp<uint32_t>(shape.domains, 1, static_cast<uint32_t>(domains.size()));
  const uint32_t nodes_per_domain = std::max<uint32_t>(1, (shape.nodes + nd - 1) / nd);
  std::vector<engine::DeviceId> out;
  std::vector<bool> used(inv.devices().size(), false);
  auto take = [&](uint32_t d) {
    used[d] = true;
    out.push_back(engine::DeviceId{d});
  };
  for (uint32_t k = 0; k < nd && out.size() < n; ++k) {
    uint32_t share = n / nd + (k < n % nd ? 1 : 0);
    const uint32_t per_node = (share + nodes_per_domain - 1) / nodes_per_domain;
    for (uint32_t node : inv.domain_nodes(domains[k])) {
      uint32_t here = 0;
      for (uint32_t d : inv.node_devices(node)) {
        if (share == 0 || here == per_node) break;
        take(d);
        --share;
        ++here;
      }
    }
  }
  for (uint32_t d = 0; d < inv.devices().size() && out.size() < n; ++d)
    if (!used[d] && inv.devices()[d].pool == shape.pool) take(d);
  return out;
}

// Each explicit job's plan on each pool it may use, checked against the pool's device
// (precision, memory; `plan: auto` searched on it). A job that names its pools must fit
// each of them; one that names none is restricted to the pools it fits, and must fit
// one. Problems name the job and the pool. Returns plans[k][pool].
// plan_search times its candidates on devices 0..N-1 of the fabric (planner.h), which
// are the first pool's: for another pool the plan is chosen for that pool's device and
// scale-up domain size but timed on the first pool's links.
std::vector<std::vector<std::optional<workloads::Plan>>> pool_plans(const ScenarioFile& file,
                                                                   const topologies::Cluster& cluster,
                                                                   const topologies::EngineFabric& fabric,
                                                                   const scheduler::Inventory& inv, SchedulerJobs& jobs) {
  const size_t pools = inv.pools().size();
  std::vector<const engine::DeviceSpec*> spec(pools, nullptr);
  for (const topologies::Device& d : cluster.devices())
    if (!spec[d.pool]) spec[d.pool] = d.spec.get();
  std::vector<int> domain_size(pools, 0);
  for (uint32_t p = 0; p < pools; ++p)
    if (!inv.pool_domains(p).empty()) domain_size[p] = static_cast<int>(inv.domain_size(inv.pool_domains(p).front()));

  Problems problems(file);
  std::vector<std::vector<std::optional<workloads::Plan>>> out(jobs.models.size());
  for (size_t k = 0; k < jobs.models.size(); ++k) {
    const workloads::TrainingJob& t = jobs.models[k];
    scheduler::JobRequest& r = jobs.jobs[k];  // explicit jobs come first, in order
    const bool auto_plan = file.scenario().jobs(static_cast<int>(k)).plan().auto_plan();
    out[k].resize(pools);
    std::vector<std::string> why(pools);
    for (uint32_t p = 0; p < pools; ++p) {
      if (!r.pools.empty() && std::find(r.pools.begin(), r.pools.end(), p) == r.pools.end()) continue;
      if (r.devices > inv.pool_size(p)) {
        why[p] = fmt::format("needs {} devices, the pool has {}", r.devices, inv.pool_size(p));
      } else if (auto bad = workloads::precision_problem(t.plan.precision, *spec[p])) {
        why[p] = *bad;
      } else if (auto kernel = workloads::attention_kernel_problem(t.plan.attention_kernel, *spec[p])) {
        why[p] = *kernel;
      } else if (auto_plan) {
        workloads::PlanSearch q{.devices = t.devices, .global_batch = t.plan.global_batch,
                                .precision = t.plan.precision, .scale_up_domain = domain_size[p], .top = 1};
        q.attention_kernel = t.plan.attention_kernel;
        q.cuda_graphs = t.plan.cuda_graphs;
        q.moe_host_overhead_s = t.plan.moe_host_overhead_s;
        try {
          out[k][p] = workloads::plan_search(t.model, q, *spec[p], fabric).best.front().plan;
        } catch (const UserError& e) {
          why[p] = e.what();
        }
      } else if (const workloads::FitReport fit = workloads::check_fit(t.model, t.plan, *spec[p]); !fit.fits) {
        why[p] = fit.message;
      } else {
        out[k][p] = t.plan;
      }
    }
    std::vector<uint32_t> fits;
    for (uint32_t p = 0; p < pools; ++p)
      if (out[k][p]) fits.push_back(p);
    const std::string at = fmt::format("jobs[{}].plan", k);
    for (uint32_t p = 0; p < pools; ++p) {
      if (why[p].empty() || (r.pools.empty() && !fits.empty())) continue;
      problems.add(at, fmt::format("job '{}' does not fit pool '{}' ({}): {}", t.name, inv.pools()[p].name,
                                   spec[p]->name, why[p]));
    }
    if (r.pools.empty()) r.pools = fits;
  }
  problems.throw_if_any();
  return out;
}

// Step times for the scheduler. Workload 0 (trace and synthetic jobs): one reference
// second per step at the pool's relative speed. Workload k + 1 (explicit job k): the
// workload step model (workloads/step_model.h), analytical mode, on a representative
// placement of the shape in its pool: `shape.domains` scale-up domains of the pool,
// the devices split evenly between them, each domain's share filled node by node over
// about shape.nodes / shape.domains nodes, in rank order (TP innermost, so TP groups
// stay on a node as placement.h packs them).
//
// Scale-out demand: the bytes per step the job's DP, expert-DP, PP and EP collectives
// move between scale-up domains on that placement, over the step time, per leaf group
// it occupies. Per rank and collective of per-rank size S over a group of n ranks: a
// ring all-reduce sends 2 (n - 1) / n S, a ring all-gather or reduce-scatter (n - 1) /
// n S, of which the share whose ring hop joins two domains crosses (ring order = rank
// order); an all-to-all sends (n - 1) / n S, the share to peers in other domains
// crosses; a pipeline send crosses iff the neighbouring stage is in another domain.
// The exposed fraction is the step model's exposed time of the classes whose group
// spans domains, over the step.
//
// With `record` (a trace at level steps), the collectives of the step it simulates for
// each (workload, devices, shape) are recorded there (cli/step_trace.h) for the trace
// writer to replay at each start of a job of that shape.
class StepModelOracle final : public scheduler::StepModelOracle {
 public:
  // `plans[k][pool]`: explicit job k's plan on the pool (nullopt: it may not run there).
  StepModelOracle(const scheduler::Inventory& inv, const topologies::Cluster& cluster,
                  const std::vector<workloads::TrainingJob>& models,
                  std::vector<std::vector<std::optional<workloads::Plan>>> plans, RecordedSteps* record)
      : inv_(inv), models_(models), plans_(std::move(plans)), fabric_(cluster), record_(record) {
    spec_.resize(inv.pools().size(), nullptr);
    for (const topologies::Device& d : cluster.devices())
      if (!spec_[d.pool]) spec_[d.pool] = d.spec.get();
  }

  scheduler::StepEstimate estimate(const scheduler::JobRequest& job, const scheduler::PlacementShape& shape) override {
    if (job.workload == 0) return {.step_seconds = 1.0 / inv_.pools()[shape.pool].relative_speed};
    workloads::TrainingJob run = models_.at(job.workload - 1);
    const std::optional<workloads::Plan>& plan = plans_.at(job.workload - 1).at(shape.pool);
    PODSIM_CHECK(plan.has_value(), "step oracle: job placed on a pool its plan does not fit");
    run.plan = *plan;
    const engine::DeviceSpec& device = *spec_[shape.pool];
    const std::vector<engine::DeviceId> placement =
        representative_placement(inv_, shape, static_cast<uint32_t>(run.plan.devices()));
    workloads::StepOptions o{.mode = engine::CommMode::kAnalytical, .watts_per_device = device.tdp_watts};
    std::optional<StepTraceEvents> traced;
    if (const RecordedSteps::Key key{job.workload, job.devices, shape}; record_ && !record_->has(key)) {
      std::vector<v1::TraceEvent>& into = record_->record(key);
      traced.emplace(0, false, [&into](const v1::TraceEvent& e) { into.push_back(e); });
      o.observer = &*traced;
    }
    const workloads::StepResult r = workloads::simulate_step(run, placement, device, fabric_, o);

    double exposed = 0;
    for (workloads::CommClass c : {workloads::CommClass::kEp, workloads::CommClass::kPp, workloads::CommClass::kDp})
      if (r.crosses_domains[static_cast<size_t>(c)]) exposed += r.exposed_s[static_cast<size_t>(c)];
    const double bytes = shape.leaves > 1 ? cross_domain_bytes_per_step(run, placement) : 0;
    scheduler::StepEstimate::Breakdown breakdown{.compute_s = r.compute_s, .bubble_s = r.bubble_s, .host_s = r.host_s};
    for (size_t c = 0; c < workloads::kCommClasses; ++c)
      if (r.exposed_s[c] > 0)
        breakdown.exposed_s.emplace_back(workloads::to_string(static_cast<workloads::CommClass>(c)), r.exposed_s[c]);
    return {.step_seconds = r.step_s,
            .mfu = r.mfu,
            .device_watts = device.tdp_watts,
            .scale_out_bytes_per_s_per_leaf = bytes / shape.leaves / r.step_s,
            .scale_out_exposed_fraction = shape.leaves > 1 ? std::min(1.0, exposed / r.step_s) : 0,
            .breakdown = std::move(breakdown)};
  }

 private:
  // Bytes per step the whole job sends from one scale-up domain to another (above).
  double cross_domain_bytes_per_step(const workloads::TrainingJob& job, std::span<const engine::DeviceId> placement) const {
    const workloads::Plan& p = job.plan;
    const std::vector<workloads::StageWork> work = workloads::plan_work(job.model, p);
    double per_stage_device_sum = 0;
    for (int s = 0; s < p.pp; ++s)
      for (const workloads::CommTotal& c : workloads::comm_per_step(work[static_cast<size_t>(s)], p)) {
        if (c.group == workloads::CommGroup::kTp || c.group == workloads::CommGroup::kCp) continue;
        per_stage_device_sum += c.bytes.value() * crossing_share(p, c, s, placement);
      }
    return per_stage_device_sum * (p.devices() / p.pp);  // every device of a stage sends alike
  }

  double crossing_share(const workloads::Plan& p, const workloads::CommTotal& c, int stage,
                        std::span<const engine::DeviceId> placement) const {
    using workloads::CommKind;
    if (c.group == workloads::CommGroup::kPp) {
      if (p.pp < 2) return 0;
      const int next = stage + 1 < p.pp ? stage + 1 : stage - 1;
      const auto a = workloads::group_devices(p, c.group, stage, placement)[0];
      const auto b = workloads::group_devices(p, c.group, next, placement)[0];
      return fabric_.domain(a) != fabric_.domain(b) ? 1.0 : 0.0;
    }
    const std::vector<engine::DeviceId> g = workloads::group_devices(p, c.group, stage, placement);
    const size_t n = g.size();
    if (n < 2) return 0;
    const double spread = static_cast<double>(n - 1) / static_cast<double>(n);
    if (c.kind == CommKind::kEpDispatch || c.kind == CommKind::kEpCombine) {
      size_t other = 0;
      for (engine::DeviceId d : g) other += fabric_.domain(d) != fabric_.domain(g[0]);
      return spread * static_cast<double>(other) / static_cast<double>(n - 1);
    }
    size_t hops = 0;
    for (size_t i = 0; i < n; ++i) hops += fabric_.domain(g[i]) != fabric_.domain(g[(i + 1) % n]);
    const double wire = c.kind == CommKind::kDpGradAllReduce ? 2 * spread : spread;
    return wire * static_cast<double>(hops) / static_cast<double>(n);
  }

  const scheduler::Inventory& inv_;
  const std::vector<workloads::TrainingJob>& models_;
  const std::vector<std::vector<std::optional<workloads::Plan>>> plans_;
  const topologies::EngineFabric fabric_;
  std::vector<const engine::DeviceSpec*> spec_;  // by pool
  RecordedSteps* record_;
};

scheduler::PlacementKind placement(v1::Scheduler::Placement p) {
  switch (p) {
    case v1::Scheduler::FIRST_FIT: return scheduler::PlacementKind::kFirstFit;
    case v1::Scheduler::BEST_FIT: return scheduler::PlacementKind::kBestFit;
    case v1::Scheduler::FRAGMENTATION_AWARE: return scheduler::PlacementKind::kFragmentationAware;
    default: return scheduler::PlacementKind::kTopologyAware;
  }
}

scheduler::PolicyKind policy(v1::Scheduler::Policy p) {
  switch (p) {
    case v1::Scheduler::SJF: return scheduler::PolicyKind::kSjf;
    case v1::Scheduler::SRTF: return scheduler::PolicyKind::kSrtf;
    case v1::Scheduler::EASY_BACKFILL: return scheduler::PolicyKind::kEasyBackfill;
    case v1::Scheduler::LAS: return scheduler::PolicyKind::kLas;
    case v1::Scheduler::FAIR_SHARE: return scheduler::PolicyKind::kFairShare;
    case v1::Scheduler::PRIORITY: return scheduler::PolicyKind::kPriority;
    default: return scheduler::PolicyKind::kFifo;
  }
}

}  // namespace

bool has_cluster_run(const ScenarioFile& file) {
  const v1::Scenario& s = file.scenario();
  return s.cluster().pools_size() > 0 && (s.jobs_size() > 0 || s.sources_size() > 0);
}

ClusterRunOutput run_cluster(const ScenarioFile& file, scheduler::RunObserver* observer, RecordedSteps* steps) {
  const auto wall0 = std::chrono::steady_clock::now();
  const v1::Scenario& s = file.scenario();
  const topologies::ClusterParams params = cluster_params(file);
  const topologies::Cluster cluster = topologies::build_cluster(params);
  const scheduler::Inventory inv = inventory_from_cluster(cluster, params);
  SchedulerJobs jobs = scheduler_jobs(file, inv);
  std::vector<std::vector<std::optional<workloads::Plan>>> plans =
      pool_plans(file, cluster, topologies::EngineFabric(cluster), inv, jobs);

  scheduler::ClusterRunOptions o{.seed = s.seed(),
                                 .policy = {.kind = policy(s.scheduler().policy())},
                                 .placement = placement(s.scheduler().placement()),
                                 .failures = failure_options(file),
                                 .observer = observer};
  for (double h : s.scheduler().las_thresholds_device_hours()) o.policy.las_thresholds.push_back(h * 3600);
  if (s.horizon_s() > 0) o.horizon = engine::SimTime::seconds(s.horizon_s());
  if (s.scheduler().timeline_samples() > 0) o.timeline_samples = s.scheduler().timeline_samples();

  StepModelOracle oracle(inv, cluster, jobs.models, std::move(plans), steps);
  ClusterRunOutput out{.result = scheduler::run_cluster(inv, jobs.jobs, oracle, o),
                       .skipped_rows = jobs.skipped_rows,
                       .skipped_oversized = jobs.skipped_oversized};
  out.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
  return out;
}

void print_cluster_run(const ClusterRunOutput& r, std::ostream& out) {
  scheduler::write_summary_table(r.result, out);
  if (r.skipped_rows + r.skipped_oversized > 0)
    out << fmt::format("skipped         {} trace rows (CPU-only or never started), {} oversized jobs\n", r.skipped_rows,
                       r.skipped_oversized);
}

void write_cluster_outputs(const scheduler::ClusterRunResult& r, const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw UserError(fmt::format("{}: cannot create output directory: {}", dir.string(), ec.message()));
  write_atomically(dir / "summary.csv", [&](std::ostream& o) { scheduler::write_summary_csv(r, o); });
  write_atomically(dir / "jobs.csv", [&](std::ostream& o) { scheduler::write_jobs_csv(r, o); });
  write_atomically(dir / "timeline.csv", [&](std::ostream& o) { scheduler::write_timeline_csv(r, o); });
  write_atomically(dir / "results.json", [&](std::ostream& o) { scheduler::write_json(r, o); });
}

}  // namespace podsim::cli

#include "cli/cluster_run.h"

#include <fmt/format.h>

#include <chrono>
#include <fstream>
#include <functional>

#include "cli/cluster_from_proto.h"
#include "cli/inventory_from_cluster.h"
#include "cli/jobs_from_proto.h"
#include "engine/error.h"
#include "scheduler/cluster_run.h"
#include "scheduler/report.h"
#include "topologies/build.h"
#include "workloads/accounting.h"

namespace podsim::cli {
namespace {

// MFU assumed for the compute part of a step until the workload step model lands
// (TODO(#5)): Llama 3 405B trained at 38-43% BF16 MFU on 8K-16K H100 (Dubey et al.
// 2024, Table 4).
constexpr double kAssumedComputeMfu = 0.40;

// Step times for the scheduler. Workload 0 (trace and synthetic jobs): one reference
// second per step at the pool's relative speed. Workload k + 1 (explicit job k): model
// FLOPs per step over devices x peak x kAssumedComputeMfu, plus, when the placement
// spans scale-up domains, the data-parallel gradient all-reduce over the NICs (ring:
// 2 x gradient bytes per device, not overlapped: an upper bound on its cost).
class AnalyticalOracle final : public scheduler::StepModelOracle {
 public:
  AnalyticalOracle(const scheduler::Inventory& inv, const topologies::Cluster& cluster,
                   const std::vector<workloads::TrainingJob>& models)
      : inv_(inv), models_(models) {
    peak_.resize(inv.pools().size());
    nic_.resize(inv.pools().size());
    watts_.resize(inv.pools().size());
    for (const topologies::Device& d : cluster.devices()) {
      peak_[d.pool] = d.spec->peak_bf16.value();
      nic_[d.pool] = d.scale_out_bandwidth.value();
      watts_[d.pool] = d.spec->tdp_watts;
    }
  }

  scheduler::StepEstimate estimate(const scheduler::JobRequest& job, const scheduler::PlacementShape& shape) override {
    if (job.workload == 0) return {.step_seconds = 1.0 / inv_.pools()[shape.pool].relative_speed};
    const workloads::TrainingJob& t = models_.at(job.workload - 1);
    const double flops = workloads::model_flops_per_sample(t.model) * t.plan.global_batch;
    const double compute_s = flops / (shape.devices * peak_[shape.pool] * kAssumedComputeMfu);
    double comm_s = 0, demand = 0;
    if (shape.domains > 1 && nic_[shape.pool] > 0) {
      const double grad_bytes = 2.0 * workloads::count_params(t.model).total / (t.plan.tp * t.plan.pp);
      comm_s = 2.0 * grad_bytes / nic_[shape.pool];
      demand = 2.0 * grad_bytes * shape.devices / std::max(1u, shape.leaves);  // per leaf per step
    }
    const double step = compute_s + comm_s;
    return {.step_seconds = step,
            .mfu = kAssumedComputeMfu * compute_s / step,
            .device_watts = watts_[shape.pool],
            .scale_out_bytes_per_s_per_leaf = shape.leaves > 1 ? demand / step : 0,
            .scale_out_exposed_fraction = comm_s / step};
  }

 private:
  const scheduler::Inventory& inv_;
  const std::vector<workloads::TrainingJob>& models_;
  std::vector<double> peak_, nic_;
  std::vector<std::optional<double>> watts_;
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

void write_atomically(const std::filesystem::path& path, const std::function<void(std::ostream&)>& write) {
  const std::filesystem::path tmp = path.string() + ".tmp";
  {
    std::ofstream out(tmp);
    if (!out) throw UserError(fmt::format("{}: cannot write", tmp.string()));
    write(out);
    out.close();
    if (!out) throw UserError(fmt::format("{}: write failed", tmp.string()));
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) throw UserError(fmt::format("{}: cannot rename to {}: {}", tmp.string(), path.string(), ec.message()));
}

}  // namespace

bool has_cluster_run(const ScenarioFile& file) {
  const v1::Scenario& s = file.scenario();
  return s.cluster().pools_size() > 0 && (s.jobs_size() > 0 || s.sources_size() > 0);
}

ClusterRunOutput run_cluster(const ScenarioFile& file) {
  const auto wall0 = std::chrono::steady_clock::now();
  const v1::Scenario& s = file.scenario();
  const topologies::ClusterParams params = cluster_params(file);
  const topologies::Cluster cluster = topologies::build_cluster(params);
  const scheduler::Inventory inv = inventory_from_cluster(cluster, params);
  const SchedulerJobs jobs = scheduler_jobs(file, inv);

  scheduler::ClusterRunOptions o{.seed = s.seed(),
                                 .policy = {.kind = policy(s.scheduler().policy())},
                                 .placement = placement(s.scheduler().placement()),
                                 .failures = failure_options(file)};
  for (double h : s.scheduler().las_thresholds_device_hours()) o.policy.las_thresholds.push_back(h * 3600);
  if (s.horizon_s() > 0) o.horizon = engine::SimTime::seconds(s.horizon_s());
  if (s.scheduler().timeline_samples() > 0) o.timeline_samples = s.scheduler().timeline_samples();

  AnalyticalOracle oracle(inv, cluster, jobs.models);
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

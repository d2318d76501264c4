// Contention on every tier at cluster scale (issue 16 item 2; results in bench/README.md,
// "Contention on every tier"): every job is a model on the network, its cross-domain
// traffic flows over the collapsed fabric's trunks (sim/step_oracle.h), shared max-min with
// every other running job's (scheduler/fabric_contention.h).
//   1. the whole Microsoft ITP cluster04 trace (15,802 jobs) on 512 HGX H100 servers
//      (4,096 GPUs) on a 3-tier fat tree of radix 64 (the cluster of
//      scenarios/scheduler/itp_cluster04_hgx.textproto), EASY backfill, topology-aware;
//   2. the 10,000-job synthetic mix of scenarios/scheduler/synthetic_cm384x256.textproto
//      on 256 x CloudMatrix384 (98,304 NPUs), 3-tier fat tree of radix 128, Llama 3
//      failure rate, 8 spares per pool, Young/Daly checkpoints, EASY backfill; and the
//      same with its leaves 3:1 oversubscribed, where trunks saturate.
// Workloads by job size (the bench's own rule, standing in for a scenario's job classes):
// under 8 devices Llama 3 8B pure data parallel; a multiple of 8 up to 64, Llama 3 8B
// with TP 8 in a server x DP; above 64, Llama 3 70B with TP 8 x DP. Work: the trace's or
// template's duration taken as steps. Wall time of run_cluster alone (the cluster, the
// inventory and the jobs are built before the clock starts), and the flows it added.
//
//   build/bench/fabric_contention_bench [path/to/cluster04.csv]
#include <fmt/format.h>
#include <sys/resource.h>

#include <chrono>
#include <map>
#include <set>
#include <string>

#include "bench/synthetic_mix.h"
#include "scheduler/cluster_run.h"
#include "scheduler/traces.h"
#include "sim/cluster_run.h"
#include "sim/inventory_from_cluster.h"
#include "topologies/build.h"
#include "topologies/params.h"
#include "workloads/parallel_plan.h"
#include "workloads/presets.h"

using namespace podsim;
using engine::SimTime;

namespace {

long peak_rss_mib() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss / 1024;
}

// The bench's workload for a job of n devices (see the header).
workloads::TrainingJob model_for(uint32_t n) {
  const bool big = n > 64;
  workloads::TrainingJob job{.name = fmt::format("{}x{}", big ? "llama3-70b" : "llama3-8b", n),
                             .model = *workloads::model_preset(big ? "llama3-70b" : "llama3-8b")};
  const int tp = n % 8 == 0 ? 8 : 1;
  const int dp = static_cast<int>(n) / tp;
  job.plan = {.tp = tp, .dp = dp, .sequence_parallel = tp > 1, .sharding = workloads::DataSharding::kZero1,
              .micro_batch = 1, .global_batch = 4 * dp};
  job.devices = static_cast<int>(n);
  workloads::validate(job.model, job.plan);
  return job;
}

// Gives every job the workload of its size (one model per distinct size).
sim::SchedulerJobs on_the_network(std::vector<scheduler::JobRequest> requests) {
  sim::SchedulerJobs out;
  std::map<uint32_t, uint32_t> workload_of;
  for (scheduler::JobRequest& r : requests) {
    auto [it, fresh] = workload_of.try_emplace(r.devices, static_cast<uint32_t>(out.models.size() + 1));
    if (fresh) out.models.push_back(model_for(r.devices));
    r.workload = it->second;
  }
  out.jobs = std::move(requests);
  return out;
}

sim::PoolPlans plans_of(const sim::SchedulerJobs& jobs) {
  sim::PoolPlans plans;
  for (const workloads::TrainingJob& m : jobs.models) plans.push_back({m.plan});
  return plans;
}

// Flows added, and jobs whose step contention stretched at least once.
class Counter final : public scheduler::RunObserver {
 public:
  bool wants_flows() const override { return true; }
  bool wants_steps() const override { return true; }
  void flow_started(SimTime, const scheduler::FlowEvent&) override { ++flows; }
  void step(SimTime, const scheduler::StepEvent& e) override {
    if (e.step_seconds > e.estimate->step_seconds) slowed.insert(e.job);
  }
  uint64_t flows = 0;
  std::set<uint32_t> slowed;
};

void run(const std::string& what, const topologies::ClusterParams& params, std::vector<scheduler::JobRequest> requests,
         scheduler::ClusterRunOptions options) {
  const auto t0 = std::chrono::steady_clock::now();
  const topologies::Cluster cluster = topologies::build_cluster(params);
  const scheduler::Inventory inv = sim::inventory_from_cluster(cluster, params);
  const sim::SchedulerJobs jobs = on_the_network(std::move(requests));
  const double build_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  for (bool count : {false, true}) {
    Counter counter;
    options.observer = count ? &counter : nullptr;
    const auto t1 = std::chrono::steady_clock::now();
    const sim::ClusterRunOutput out = sim::run_cluster(cluster, inv, jobs, plans_of(jobs), options);
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count();
    const scheduler::ClusterSummary& s = out.result.summary;
    fmt::print("{:<26} {:>7.2f} s run ({:.1f} s build) {:>8} events {:>5}/{:<5} done  {:>3} models  util {:5.1f}%  "
               "JCT p50 {:7.2f} h  {}  peak RSS {} MiB\n",
               what, wall, build_s, s.events, s.finished, s.jobs, jobs.models.size(), 100 * s.utilization,
               s.jct_s.p50 / 3600, count ? fmt::format("{} flows, {} jobs slowed", counter.flows, counter.slowed.size())
                     : std::string("no observer"),
               peak_rss_mib());
  }
}

}  // namespace

int main(int argc, char** argv) {
  const std::string trace_path =
      argc > 1 ? argv[1] : PODSIM_DATA_DIR "/traces/microsoft-itp-elasticflow/cluster04.csv";

  // 1. ITP cluster04 on 4,096 H100.
  {
    const scheduler::Trace trace = scheduler::read_trace_file(trace_path, scheduler::TraceFormat::kItp);
    std::vector<scheduler::JobRequest> itp;
    for (const scheduler::TraceJob& t : trace.jobs)
      itp.push_back({.name = t.id, .arrival = SimTime::seconds(t.submit_s), .devices = t.devices,
                     .steps = std::max(1.0, t.duration_s), .user = "trace"});
    const topologies::ClusterParams params{
        .pools = {{.name = "hgx", .preset = "hgx-h100", .count = 512, .system = *topologies::preset("hgx-h100")}},
        .fat_tree = topologies::FatTreeParams{.tiers = 3, .radix = 64},
        .detailed_view = false};
    run("itp cluster04 / 4,096", params, std::move(itp),
        {.seed = 1, .policy = {.kind = scheduler::PolicyKind::kEasyBackfill}});
  }

  // 2. 10,000 synthetic jobs on 256 x CloudMatrix384.
  {
    const topologies::ClusterParams params{
        .pools = {{.name = "cm384", .preset = "cloudmatrix384", .count = 256,
                   .system = *topologies::preset("cloudmatrix384")}},
        .fat_tree = topologies::FatTreeParams{.tiers = 3, .radix = 128},
        .detailed_view = false};
    scheduler::ClusterRunOptions o{.seed = 7, .policy = {.kind = scheduler::PolicyKind::kEasyBackfill}};
    o.failures = {.kinds = {scheduler::llama3_device_failures()}, .spares_per_pool = 8};
    run("synthetic 10k / 98,304", params, bench::synthetic_cm384x256_jobs(), o);
    // The same with leaves 3:1 oversubscribed: trunks saturate and the solver runs.
    topologies::ClusterParams over = params;
    over.fat_tree->oversubscription = 3;
    run("synthetic 10k, leaves 3:1", over, bench::synthetic_cm384x256_jobs(), o);
  }
  return 0;
}

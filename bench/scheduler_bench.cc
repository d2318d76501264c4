// The scheduler at cluster scale (issue #6; results in bench/README.md, "Scheduler"):
//   1. the whole Microsoft ITP cluster04 trace (15,802 jobs) on 4,096 devices
//      (512 HGX-like servers: 8 devices per node, one node per scale-up domain);
//   2. 10,000 synthetic jobs on 256 x CloudMatrix384 (98,304 NPUs: 256 domains of 48
//      nodes of 8), Llama 3 failure rate, Young/Daly checkpoints, 8 spares per pool.
// Each under every policy with topology-aware placement. Wall time is the scheduler
// alone (inventory and jobs built before the clock starts); `podsim run` adds the
// topology build (bench/README.md gives both).
//
//   build/bench/scheduler_bench [path/to/cluster04.csv]
#include <fmt/format.h>
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <string>

#include "bench/synthetic_mix.h"
#include "engine/random.h"
#include "scheduler/cluster_run.h"
#include "scheduler/synthetic.h"
#include "scheduler/traces.h"

using namespace podsim::scheduler;
using podsim::engine::SimTime;

namespace {

long peak_rss_mib() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss / 1024;
}

void report(const std::string& what, PolicyKind policy, const ClusterRunResult& r, double wall_s) {
  const ClusterSummary& s = r.summary;
  fmt::print("{:<28} {:<14} {:>7.2f} s {:>9} events  {:>5}/{:<5} done  util {:5.1f}%  JCT p50 {:7.2f} h  "
             "queue mean {:7.2f} h  peak RSS {} MiB\n",
             what, to_string(policy), wall_s, s.events, s.finished, s.jobs, 100 * s.utilization, s.jct_s.p50 / 3600,
             s.queue_delay_s.mean / 3600, peak_rss_mib());
}

template <typename F>
double timed(F&& f) {
  const auto t0 = std::chrono::steady_clock::now();
  f();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
  const std::string trace_path =
      argc > 1 ? argv[1] : PODSIM_DATA_DIR "/traces/microsoft-itp-elasticflow/cluster04.csv";
  const PolicyKind policies[] = {PolicyKind::kFifo, PolicyKind::kSjf, PolicyKind::kSrtf, PolicyKind::kEasyBackfill,
                                 PolicyKind::kLas, PolicyKind::kFairShare, PolicyKind::kPriority};

  // 1. ITP cluster04 on 4,096 devices.
  const Inventory hgx = Inventory::uniform(
      {.pool = "hgx", .domains = 512, .nodes_per_domain = 1, .devices_per_node = 8, .nodes_per_leaf = 32});
  const Trace trace = read_trace_file(trace_path, TraceFormat::kItp);
  std::vector<JobRequest> itp;
  for (const TraceJob& t : trace.jobs)
    itp.push_back({.name = t.id, .arrival = SimTime::seconds(t.submit_s), .devices = t.devices,
                   .steps = std::max(1.0, t.duration_s), .user = "trace"});
  for (PolicyKind p : policies) {
    ReferenceSpeedOracle oracle({1.0});
    ClusterRunResult r;
    const double wall = timed([&] { r = run_cluster(hgx, itp, oracle, {.seed = 1, .policy = {.kind = p}}); });
    report("itp cluster04 / 4,096", p, r, wall);
  }

  // 2. 10,000 synthetic jobs on 256 x CloudMatrix384.
  const Inventory cm = Inventory::uniform(
      {.pool = "cm384", .domains = 256, .nodes_per_domain = 48, .devices_per_node = 8, .nodes_per_leaf = 16});
  const std::vector<JobRequest> synthetic = podsim::bench::synthetic_cm384x256_jobs();
  for (PolicyKind p : policies) {
    ReferenceSpeedOracle oracle({1.0});
    ClusterRunOptions o{.seed = 7, .policy = {.kind = p}};
    o.failures = {.kinds = {llama3_device_failures()}, .spares_per_pool = 8};
    ClusterRunResult r;
    const double wall = timed([&] { r = run_cluster(cm, synthetic, oracle, o); });
    report("synthetic 10k / 98,304", p, r, wall);
  }
  return 0;
}

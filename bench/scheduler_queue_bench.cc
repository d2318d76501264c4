// EASY backfill on a deep queue (bench/README.md, "Scheduler", "Deep queues"): many
// short jobs of 8-64 devices on 512 devices (64 servers of 8), arriving ~1.5x faster
// than the cluster drains them, each job its own workload (as jobs written out in a
// scenario are), so thousands wait and each pass has many queued jobs that fit but would
// end after the head's shadow time. `indexed` is the run loop as it is (the queue index,
// scheduler/queue_index.h); `scan` tries every queued job at every pass, as before it
// (ClusterRunOptions::exhaustive_backfill). Both make the same decisions.
//
//   build/bench/scheduler_queue_bench --benchmark_repetitions=3 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include <random>

#include "scheduler/cluster_run.h"

using namespace podsim::scheduler;
using podsim::engine::SimTime;

namespace {

std::vector<JobRequest> deep_queue_jobs(size_t n) {
  std::mt19937_64 rng(1);
  std::exponential_distribution<double> gap(1.0 / 2.0);  // one arrival per 2 s
  const uint32_t sizes[] = {8, 8, 8, 16, 16, 32, 64};
  const double seconds[] = {5, 10, 20, 50, 100, 300};
  std::vector<JobRequest> jobs;
  double t = 0;
  for (size_t j = 0; j < n; ++j) {
    t += gap(rng);
    jobs.push_back({.name = "j" + std::to_string(j), .arrival = SimTime::seconds(t),
                    .devices = sizes[rng() % std::size(sizes)], .steps = seconds[rng() % std::size(seconds)],
                    .workload = static_cast<uint32_t>(j + 1)});
  }
  return jobs;
}

void run(benchmark::State& state, bool scan) {
  const Inventory inv = Inventory::uniform({.pool = "hgx", .domains = 64, .devices_per_node = 8, .nodes_per_leaf = 32});
  const std::vector<JobRequest> jobs = deep_queue_jobs(static_cast<size_t>(state.range(0)));
  ClusterRunResult r;
  for (auto _ : state) {
    ReferenceSpeedOracle oracle({1.0});
    r = run_cluster(inv, jobs, oracle,
                    {.policy = {.kind = PolicyKind::kEasyBackfill}, .exhaustive_backfill = scan});
    benchmark::DoNotOptimize(r);
  }
  state.counters["events"] = static_cast<double>(r.summary.events);
  state.counters["queue_mean_h"] = r.summary.queue_delay_s.mean / 3600;
  state.counters["step_estimates"] = r.summary.step_estimates;
}

void BM_EasyDeepQueueIndexed(benchmark::State& state) { run(state, false); }
void BM_EasyDeepQueueScan(benchmark::State& state) { run(state, true); }

}  // namespace

BENCHMARK(BM_EasyDeepQueueIndexed)->Arg(10'000)->Arg(40'000)->Arg(200'000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_EasyDeepQueueScan)->Arg(10'000)->Arg(40'000)->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();

// Topology construction and queries at cluster scale (issue #3): building a cluster
// (detailed graph, collapsed view, routing arrays), new and cached routes, and the
// bisection max-flow. bench/README.md ("Topologies") has the command and the numbers;
// peak memory comes from running one case per process under /usr/bin/time -v (the
// rss_peak_MB counter is the same figure, from getrusage).
#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include "topologies/analysis.h"
#include "topologies/build.h"

using namespace podsim::topologies;

namespace {

// 16 CloudMatrix384 supernodes (6,144 NPUs, 12,288 dies) on a 3-tier RoCE fat tree.
ClusterParams cm384x16() {
  return {.pools = {{.preset = "cloudmatrix384", .count = 16, .system = *preset("cloudmatrix384")}},
          .fat_tree = FatTreeParams{.tiers = 3}};
}

// 2,048 HGX H100 servers (16,384 GPUs) on a 3-tier NDR fat tree.
ClusterParams h100x2048() {
  return {.pools = {{.preset = "hgx-h100", .count = 2048, .system = *preset("hgx-h100")}},
          .fat_tree = FatTreeParams{.tiers = 3}};
}

// The largest announced Ascend deployments: 430 CloudMatrix384 supernodes (165,120
// NPUs) on a 3-tier RoCE fat tree of radix 128, collapsed view only (what a cluster run
// builds, ClusterParams::detailed_view).
ClusterParams cm384x430_lean() {
  return {.pools = {{.preset = "cloudmatrix384", .count = 430, .system = *preset("cloudmatrix384")}},
          .fat_tree = FatTreeParams{.tiers = 3, .radix = 128},
          .detailed_view = false};
}

// The same 16 supernodes as cm384x16, collapsed view only.
ClusterParams cm384x16_lean() {
  ClusterParams p = cm384x16();
  p.detailed_view = false;
  return p;
}

// `n` HGX H100 servers as `n` pools of one (a scenario listing its servers one by one)
// on a 3-tier fat tree of radix 128, collapsed view only. The diameter's sample holds
// every GPU of each pool's first node: 8n sources.
ClusterParams hgx_pools(int n) {
  ClusterParams p{.fat_tree = FatTreeParams{.tiers = 3, .radix = 128}, .detailed_view = false};
  for (int i = 0; i < n; ++i)
    p.pools.push_back({.name = "hgx" + std::to_string(i), .preset = "hgx-h100", .system = *preset("hgx-h100")});
  return p;
}

double peak_rss_mb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;  // Linux reports KiB
}

void report(benchmark::State& state, const Cluster& c) {
  state.counters["devices"] = static_cast<double>(c.devices().size());
  if (c.has_detailed()) {
    state.counters["vertices"] = static_cast<double>(c.detailed().vertex_count());
    state.counters["links"] = static_cast<double>(c.detailed().link_count());
  }
  state.counters["collapsed_links"] = static_cast<double>(c.collapsed().link_count());
  state.counters["rss_peak_MB"] = peak_rss_mb();
}

void build(benchmark::State& state, ClusterParams (*params)()) {
  const ClusterParams p = params();
  for (auto _ : state) {
    Cluster c = build_cluster(p);
    benchmark::DoNotOptimize(c.links().data());
    state.PauseTiming();
    report(state, c);
    state.ResumeTiming();
  }
}

void BM_BuildCm384x16(benchmark::State& state) { build(state, cm384x16); }
void BM_BuildH100x2048(benchmark::State& state) { build(state, h100x2048); }
void BM_BuildCm384x16Lean(benchmark::State& state) { build(state, cm384x16_lean); }
void BM_BuildCm384x430Lean(benchmark::State& state) { build(state, cm384x430_lean); }
void BM_BuildCm384(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(build_preset("cloudmatrix384").links().data());
}

// First-time routes (each iteration a pair not seen before) on the collapsed view.
void new_routes(benchmark::State& state, ClusterParams (*params)()) {
  const Cluster c = build_cluster(params());
  const auto n = static_cast<uint64_t>(c.devices().size());
  uint64_t i = 0;
  for (auto _ : state) {
    const auto src = static_cast<DeviceIndex>(i % n);
    const auto dst = static_cast<DeviceIndex>((i * 7919 + i / n + 1) % n);
    ++i;
    if (src != dst) benchmark::DoNotOptimize(c.route(src, dst).data());
  }
  state.SetItemsProcessed(state.iterations());
}
void BM_NewRouteCm384x16(benchmark::State& state) { new_routes(state, cm384x16); }
void BM_NewRouteH100x2048(benchmark::State& state) { new_routes(state, h100x2048); }

void BM_CachedRouteH100x2048(benchmark::State& state) {
  const Cluster c = build_cluster(h100x2048());
  for (DeviceIndex d = 1; d < 1024; ++d) c.route(0, d);
  DeviceIndex d = 1;
  for (auto _ : state) {
    benchmark::DoNotOptimize(c.route(0, d).data());
    d = d % 1023 + 1;
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_BisectionH100x2048(benchmark::State& state) {
  const Cluster c = build_cluster(h100x2048());
  for (auto _ : state) benchmark::DoNotOptimize(bisection(c.collapsed()));
}

// The sampled diameter (topologies/switch_hops.h) over many one-server pools.
void BM_DiameterHgxPools(benchmark::State& state) {
  const Cluster c = build_cluster(hgx_pools(static_cast<int>(state.range(0))));
  for (auto _ : state) benchmark::DoNotOptimize(diameter(c, c.collapsed()).switch_hops);
  state.counters["devices"] = static_cast<double>(c.devices().size());
}

}  // namespace

BENCHMARK(BM_BuildCm384)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_BuildCm384x16)->Unit(benchmark::kMillisecond)->Iterations(5);
BENCHMARK(BM_BuildH100x2048)->Unit(benchmark::kMillisecond)->Iterations(5);
BENCHMARK(BM_BuildCm384x16Lean)->Unit(benchmark::kMillisecond)->Iterations(5);
BENCHMARK(BM_BuildCm384x430Lean)->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK(BM_NewRouteCm384x16)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_NewRouteH100x2048)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_CachedRouteH100x2048)->Unit(benchmark::kNanosecond);
BENCHMARK(BM_BisectionH100x2048)->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK(BM_DiameterHgxPools)->Arg(1'000)->Arg(20'000)->Unit(benchmark::kMillisecond)->Iterations(1);

BENCHMARK_MAIN();

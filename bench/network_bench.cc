// Flow-network microbenchmarks: the solver alone, and collectives end to end on a
// crossbar (NVL72's collapsed view). Items/s counts flows. The side-by-side run with
// SimGrid is bench/simgrid_compare.cc.
#include <benchmark/benchmark.h>

#include <ctime>
#include <random>
#include <vector>

#include "bench/star_hierarchy.h"
#include "engine/network/collectives.h"
#include "engine/network/maxmin.h"
#include "topologies/build.h"
#include "topologies/engine_fabric.h"

namespace pe = podsim::engine;

namespace {

class Crossbar : public pe::Fabric {
 public:
  explicit Crossbar(size_t n) : n_(n), links_(2 * n, {pe::Bandwidth::gbytes_per_s(900), pe::SimTime::nanos(250)}) {}
  size_t device_count() const override { return n_; }
  const std::vector<pe::LinkSpec>& links() const override { return links_; }
  const std::vector<pe::LinkId>& route(pe::DeviceId s, pe::DeviceId d) const override {
    route_ = {pe::LinkId{pe::index(s)}, pe::LinkId{static_cast<uint32_t>(n_ + pe::index(d))}};
    return route_;
  }

 private:
  size_t n_;
  std::vector<pe::LinkSpec> links_;
  mutable std::vector<pe::LinkId> route_;
};

void run(benchmark::State& state, pe::CollectiveOp op, pe::Algorithm algorithm, double bytes) {
  const auto n = static_cast<size_t>(state.range(0));
  const Crossbar fabric(n);
  uint64_t flows = 0;
  for (auto _ : state) {
    pe::Simulator sim(1);
    pe::FlowNetwork net(sim, fabric.links());
    net.declare_feeders(fabric);
    pe::Collective c{.op = op, .algorithm = algorithm, .bytes = pe::Bytes(bytes * static_cast<double>(n))};
    for (uint32_t i = 0; i < n; ++i) c.group.push_back(pe::DeviceId{i});
    pe::run_collective(net, fabric, c, nullptr);
    sim.run();
    flows += net.flows_completed();
  }
  state.SetItemsProcessed(static_cast<int64_t>(flows));
}

void BM_RingAllReduce(benchmark::State& state) {
  run(state, pe::CollectiveOp::kAllReduce, pe::Algorithm::kRing, 16 << 20);
}
void BM_AllToAll(benchmark::State& state) {
  run(state, pe::CollectiveOp::kAllToAll, pe::Algorithm::kDirect, 1 << 20);
}

// One solve of many random flows over a few hundred links: the progressive filling
// when shares do not tie.
void BM_SolveRandom(benchmark::State& state) {
  const auto flows = static_cast<size_t>(state.range(0));
  std::mt19937_64 rng(1);
  for (auto _ : state) {
    state.PauseTiming();
    pe::MaxMinSolver s;
    std::uniform_real_distribution<double> cap(1, 100);
    for (int l = 0; l < 512; ++l) s.add_link(cap(rng));
    for (size_t f = 0; f < flows; ++f) {
      std::vector<pe::LinkId> r;
      for (uint32_t k = 0; k < 4; ++k) r.push_back(pe::LinkId{static_cast<uint32_t>(k * 128 + rng() % 128)});
      s.activate(s.add_flow(r));
    }
    state.ResumeTiming();
    benchmark::DoNotOptimize(s.solve());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * flows));
}

// On the topologies/ presets (collapsed view): the flow simulation end to end, with
// the closed form and the bus bandwidth as counters, so a preset change that breaks
// the agreement shows up here.
void on_preset(benchmark::State& state, const char* preset, pe::CollectiveOp op, pe::Algorithm algorithm,
               double bytes) {
  const podsim::topologies::Cluster cluster = podsim::topologies::build_preset(preset);
  const podsim::topologies::EngineFabric fabric(cluster);
  pe::Collective c{.op = op, .algorithm = algorithm, .bytes = pe::Bytes(bytes)};
  for (uint32_t i = 0; i < fabric.device_count(); ++i) c.group.push_back(pe::DeviceId{i});
  pe::SimTime t;
  uint64_t flows = 0;
  for (auto _ : state) {
    pe::Simulator sim(1);
    pe::FlowNetwork net(sim, fabric.links());
    net.declare_feeders(fabric);
    pe::run_collective(net, fabric, c, nullptr);
    sim.run();
    t = sim.now();
    flows += net.flows_completed();
  }
  state.SetItemsProcessed(static_cast<int64_t>(flows));
  state.counters["devices"] = static_cast<double>(fabric.device_count());
  state.counters["sim_us"] = static_cast<double>(t.ns()) / 1e3;
  state.counters["closed_form_us"] = static_cast<double>(pe::collective_time(fabric, c, {}).ns()) / 1e3;
  state.counters["busbw_GBps"] = pe::bus_bandwidth(op, fabric.device_count(), c.bytes, t).value() / 1e9;
}

void BM_Nvl72RingAllReduce(benchmark::State& state) {
  on_preset(state, "nvl72", pe::CollectiveOp::kAllReduce, pe::Algorithm::kRing, 1e9);
}
void BM_Nvl72InSwitchAllReduce(benchmark::State& state) {
  on_preset(state, "nvl72", pe::CollectiveOp::kAllReduce, pe::Algorithm::kInSwitch, 1e9);
}
void BM_CloudMatrix384AllToAll(benchmark::State& state) {
  on_preset(state, "cloudmatrix384", pe::CollectiveOp::kAllToAll, pe::Algorithm::kDirect, 384e6);
}

// All-to-all-v (bench/star_hierarchy.h: lognormal x Zipf sizes) on the `cm` and `nvl`
// hierarchies of bench/simgrid_compare, podsim alone. Counters: events (one solve
// each), flows the solver recomputed per event, of those the ones whose bottleneck
// moved (the only ones the network re-times), and wall time per recomputed flow:
// if that stays flat as the ranks grow, the cost per event is linear in the flows it
// touches. A second argument > 0 bounds the run to that many seconds of the process's
// CPU time (the 1,536-rank case would take hours): the run stops at the first event
// past it, and the counters describe the events done (`bounded` 1, `done_fraction` the
// flows completed over those started).
void a2av(benchmark::State& state, const char* family) {
  const auto n = static_cast<size_t>(state.range(0));
  const double budget_s = state.range(1) > 0 ? static_cast<double>(state.range(1)) : 0;
  const podsim::bench::Hierarchy h(podsim::bench::make_topology(family), n);
  const podsim::bench::HierarchyFabric fabric(h);
  const std::vector<uint64_t> bytes = podsim::bench::pair_bytes(n, podsim::bench::kA2avSeed);
  uint64_t flows = 0, events = 0, resolved = 0, moved = 0, quiet = 0, fallbacks = 0, ordered = 0, ordered_fallbacks = 0, repairs = 0, rank_queue = 0;
  size_t left_out = 0;
  pe::SimTime t;
  bool bounded = false;
  for (auto _ : state) {
    pe::Simulator sim(1);
    pe::FlowNetwork net(sim, fabric.links());
    left_out = net.declare_feeders(fabric);
    net.start_flows(n * (n - 1), [&](size_t k) {
      const size_t i = k / (n - 1), j0 = k % (n - 1), j = j0 >= i ? j0 + 1 : j0;
      const pe::DeviceId src{static_cast<uint32_t>(i)}, dst{static_cast<uint32_t>(j)};
      return pe::FlowSpec{.src = src, .dst = dst, .bytes = pe::Bytes(static_cast<double>(bytes[i * n + j])),
                          .route = fabric.route(src, dst)};
    }, [] {});
    pe::StopConditions stop;
    if (budget_s > 0) {
      const std::clock_t start = std::clock();
      stop.stop_when = [start, budget_s] {
        return static_cast<double>(std::clock() - start) / CLOCKS_PER_SEC > budget_s;
      };
    }
    bounded = sim.run(stop).reason == pe::StopReason::kPredicate;
    t = sim.now();
    flows += net.flows_completed();
    events += net.solves();
    resolved += net.flows_resolved();
    moved += net.flows_moved();
    quiet += net.quiet_solves();
    fallbacks += net.quiet_fallbacks();
    ordered += net.ordered_solves();
    ordered_fallbacks += net.ordered_fallbacks();
    repairs += net.quiet_repairs();
    rank_queue += net.rank_queue_solves();
  }
  state.SetItemsProcessed(static_cast<int64_t>(flows));
  const auto iters = static_cast<double>(state.iterations());
  state.counters["flows"] = static_cast<double>(flows) / iters;
  state.counters["events"] = static_cast<double>(events) / iters;
  state.counters["resolved_per_event"] = static_cast<double>(resolved) / static_cast<double>(events);
  state.counters["moved_per_event"] = static_cast<double>(moved) / static_cast<double>(events);
  state.counters["resolved_per_s"] = benchmark::Counter(static_cast<double>(resolved), benchmark::Counter::kIsRate);
  // Solves on the quiet path, and those whose check failed there (maxmin.h).
  state.counters["quiet"] = static_cast<double>(quiet) / static_cast<double>(events);
  // Solves filled in the old order, and those whose check failed there (maxmin.h).
  state.counters["ordered"] = static_cast<double>(ordered) / static_cast<double>(events);
  state.counters["ordered_fallbacks"] = static_cast<double>(ordered_fallbacks) / static_cast<double>(events);
  state.counters["fallbacks"] = static_cast<double>(fallbacks) / static_cast<double>(events);
  // Classes the quiet path froze with flows of classes re-rated just before (maxmin.h).
  state.counters["repairs"] = static_cast<double>(repairs) / static_cast<double>(events);
  // Quiet solves whose queue was the one by rank (maxmin.h, "The quiet queue").
  state.counters["rank_queue"] = static_cast<double>(rank_queue) / static_cast<double>(events);
  state.counters["sim_us"] = static_cast<double>(t.ns()) / 1e3;
  state.counters["bounded"] = bounded ? 1 : 0;
  // Links left out of the solve: they cannot bind (FlowNetwork::declare_feeders).
  state.counters["left_out"] = static_cast<double>(left_out);
  state.counters["done_fraction"] = static_cast<double>(flows) / iters / static_cast<double>(n * (n - 1));
}
void BM_AllToAllVCm(benchmark::State& state) { a2av(state, "cm"); }
void BM_AllToAllVNvl(benchmark::State& state) { a2av(state, "nvl"); }

}  // namespace

// (ranks, CPU budget in s; 0: none). 1,536 ranks: 2.36 M flows, bounded at 300 s.
BENCHMARK(BM_AllToAllVCm)->ArgsProduct({{64, 128, 256, 384}, {0}})->Args({1536, 300})->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK(BM_AllToAllVNvl)->ArgsProduct({{64, 128, 256, 384}, {0}})->Args({1536, 300})->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK(BM_Nvl72RingAllReduce)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Nvl72InSwitchAllReduce)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_CloudMatrix384AllToAll)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_RingAllReduce)->Arg(72)->Arg(384)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_AllToAll)->Arg(72)->Arg(384)->Arg(1536)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_SolveRandom)->Arg(1000)->Arg(100000)->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();

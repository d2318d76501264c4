// Event-queue throughput: the "hold" model (Jones, CACM 1986) that every DES queue
// paper uses. The queue is filled with N pending events; each iteration pops the
// earliest and pushes one at (popped time + exponential delay), so N stays constant.
// Items/s counts push+pop pairs. Target (DESIGN.md): >= 20 M/s at N = 1 M.
#include <benchmark/benchmark.h>

#include <functional>
#include <random>

#include "engine/event_queue.h"
#include "engine/simulator.h"

using podsim::engine::EventQueue;
using podsim::engine::SimTime;

namespace {

// Mean delay 1 ms in ns; the shape matters more than the scale.
constexpr double kMeanDelayNs = 1e6;

template <typename Payload>
void hold(benchmark::State& state, Payload payload) {
  const auto n = static_cast<size_t>(state.range(0));
  std::mt19937_64 rng(1);
  std::exponential_distribution<double> delay(1.0 / kMeanDelayNs);
  EventQueue<Payload> q;
  for (size_t i = 0; i < n; ++i) q.push(SimTime::nanos(static_cast<int64_t>(delay(rng))), payload);
  for (auto _ : state) {
    auto [t, p] = q.pop();
    q.push(t + SimTime::nanos(static_cast<int64_t>(delay(rng))), std::move(p));
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_HoldSlot(benchmark::State& state) { hold<uint32_t>(state, 7u); }
// With the payload the Simulator uses (std::function holding a small lambda).
void BM_HoldCallback(benchmark::State& state) {
  int sink = 0;
  hold<std::function<void()>>(state, [&sink] { ++sink; });
}

void BM_SimulatorSelfScheduling(benchmark::State& state) {
  // Events that schedule their successor: the engine's run loop end to end.
  const auto n = static_cast<size_t>(state.range(0));
  for (auto _ : state) {
    state.PauseTiming();
    podsim::engine::Simulator sim(1);
    std::mt19937_64 rng(1);
    std::exponential_distribution<double> delay(1.0 / kMeanDelayNs);
    uint64_t budget = 1'000'000;
    std::function<void()> tick;
    tick = [&] {
      if (budget-- > 0) sim.schedule_in(SimTime::nanos(static_cast<int64_t>(delay(rng))), tick);
    };
    for (size_t i = 0; i < n; ++i) sim.schedule_at(SimTime::nanos(static_cast<int64_t>(delay(rng))), tick);
    state.ResumeTiming();
    sim.run();
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * 1'000'000);
}

}  // namespace

BENCHMARK(BM_HoldSlot)->Arg(1'000)->Arg(100'000)->Arg(1'000'000);
BENCHMARK(BM_HoldCallback)->Arg(1'000)->Arg(100'000)->Arg(1'000'000);
BENCHMARK(BM_SimulatorSelfScheduling)->Arg(1'000)->Arg(100'000)->Unit(benchmark::kMillisecond);
BENCHMARK_MAIN();

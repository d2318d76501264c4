// Event-queue throughput: the "hold" model (Jones, CACM 1986) that every DES queue
// paper uses. The queue is filled with N pending events; each iteration pops the
// earliest and pushes one at (popped time + exponential delay), so N stays constant.
// Items/s counts push+pop pairs. Target (DESIGN.md): >= 20 M/s at N = 1 M.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <functional>
#include <random>

#include "engine/event_queue.h"
#include "engine/simulator.h"

using podsim::engine::EventQueue;
using podsim::engine::SimTime;

namespace {

// Mean delay 1 ms in ns; the shape matters more than the scale.
constexpr double kMeanDelayNs = 1e6;

// Delays are drawn once into a table so the loop measures the queue, not libm.
std::vector<SimTime> exponential_delays(size_t count) {
  std::mt19937_64 rng(1);
  std::exponential_distribution<double> delay(1.0 / kMeanDelayNs);
  std::vector<SimTime> out(count);
  for (SimTime& d : out) d = SimTime::nanos(static_cast<int64_t>(delay(rng)));
  return out;
}

template <typename Payload>
void hold(benchmark::State& state, Payload payload) {
  const auto n = static_cast<size_t>(state.range(0));
  const std::vector<SimTime> delays = exponential_delays(1 << 16);
  size_t next = 0;
  auto draw = [&] { return delays[next++ & (delays.size() - 1)]; };
  EventQueue<Payload> q;
  for (size_t i = 0; i < n; ++i) q.push(draw(), payload);
  for (auto _ : state) {
    auto [t, p] = q.pop();
    q.push(t + draw(), std::move(p));
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_HoldSlot(benchmark::State& state) { hold<uint32_t>(state, 7u); }

// Baseline for the ratio in bench/README.md: the textbook alternative (DESIGN.md
// mentions "a binary or 4-ary heap"), a 4-ary min-heap on (time, sequence), measured
// on the same hold workload. Not used by podsim.
class FourAryHeap {
 public:
  struct Entry {
    int64_t t;
    uint64_t seq;
  };
  void push(Entry e) {
    size_t i = h_.size();
    h_.push_back(e);
    while (i > 0) {
      const size_t parent = (i - 1) / 4;
      if (!less(e, h_[parent])) break;
      h_[i] = h_[parent];
      i = parent;
    }
    h_[i] = e;
  }
  Entry pop() {
    const Entry top = h_[0];
    const Entry last = h_.back();
    h_.pop_back();
    const size_t n = h_.size();
    if (n == 0) return top;
    size_t i = 0;
    for (;;) {
      const size_t first = 4 * i + 1;
      if (first >= n) break;
      size_t best = first;
      for (size_t k = first + 1; k < std::min(first + 4, n); ++k)
        if (less(h_[k], h_[best])) best = k;
      if (!less(h_[best], last)) break;
      h_[i] = h_[best];
      i = best;
    }
    h_[i] = last;
    return top;
  }

 private:
  static bool less(const Entry& a, const Entry& b) { return a.t < b.t || (a.t == b.t && a.seq < b.seq); }
  std::vector<Entry> h_;
};

void BM_HoldBaseline4aryHeap(benchmark::State& state) {
  const auto n = static_cast<size_t>(state.range(0));
  const std::vector<SimTime> delays = exponential_delays(1 << 16);
  size_t next = 0;
  uint64_t seq = 0;
  auto draw = [&] { return delays[next++ & (delays.size() - 1)].ns(); };
  FourAryHeap q;
  for (size_t i = 0; i < n; ++i) q.push({draw(), seq++});
  for (auto _ : state) {
    const auto e = q.pop();
    q.push({e.t + draw(), seq++});
  }
  state.SetItemsProcessed(state.iterations());
}
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
      if (budget == 0) return;
      --budget;
      sim.schedule_in(SimTime::nanos(static_cast<int64_t>(delay(rng))), tick);
    };
    for (size_t i = 0; i < n; ++i) sim.schedule_at(SimTime::nanos(static_cast<int64_t>(delay(rng))), tick);
    state.ResumeTiming();
    sim.run();
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * 1'000'000);
}

}  // namespace

BENCHMARK(BM_HoldSlot)->Arg(1'000)->Arg(100'000)->Arg(1'000'000);
BENCHMARK(BM_HoldBaseline4aryHeap)->Arg(1'000)->Arg(100'000)->Arg(1'000'000);
BENCHMARK(BM_HoldCallback)->Arg(1'000)->Arg(100'000)->Arg(1'000'000);
BENCHMARK(BM_SimulatorSelfScheduling)->Arg(1'000)->Arg(100'000)->Unit(benchmark::kMillisecond);
BENCHMARK_MAIN();

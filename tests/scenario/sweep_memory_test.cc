// scenario/sweep_memory: a sweep's points started at once fit in memory together, not
// each alone.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <sstream>
#include <string>
#include <thread>

#include "scenario/scenario_file.h"
#include "scenario/sweep_memory.h"
#include "scenario/sweep_plan.h"
#include "scenario/sweep_run.h"
#include "sim/run_estimate.h"
#include "tests/scenario/smoke_scenario.h"

using podsim::scenario::MemoryGate;
using podsim::scenario::PointMemory;
using podsim::scenario::ScenarioFile;
using podsim::scenario::SweepPlan;

namespace {

// The smoke scenario with `limits` text.
std::string smoke(const std::string& limits) { return podsim::testing::kSmokeScenario + limits; }

// By hand (sim/memory_limit.cc, sim/run_estimate.h): the rack, 72 GPUs x (465,964 -
// 100,264) KiB / 27,648 GPUs = 975,200 B; the jobs, 2 x (1.4 kB + 6 events x 42 B) =
// 3,304 B; 100 timeline samples x (118 + 16 x 1 pool) B = 13,400 B.
constexpr double kSmokeBytes = 72 * (465964.0 - 100264.0) * 1024 / 27648 + 2 * (1.4e3 + 6 * 42) + 100 * (118 + 16);

}  // namespace

TEST_CASE("a point's memory: its cluster and its run as counted before anything is built, and its limit") {
  const PointMemory machine = podsim::scenario::point_memory(ScenarioFile::parse("s.textproto", smoke("")), 8e9);
  CHECK(machine.bytes == doctest::Approx(kSmokeBytes));
  CHECK(machine.bytes == doctest::Approx(991904).epsilon(1e-5));
  CHECK(machine.limit == 8e9);
  CHECK_FALSE(machine.limit_is_set);
  const PointMemory set =
      podsim::scenario::point_memory(ScenarioFile::parse("s.textproto", smoke("limits { max_memory_gib: 2 }")), 8e9);
  CHECK(set.limit == 2.0 * (1 << 30));
  CHECK(set.limit_is_set);
  // A comparison in flow mode: its largest explicit all-to-all, 64 x 63 flows x 162 B.
  const PointMemory study = podsim::scenario::point_memory(ScenarioFile::parse("c.textproto", R"(
cluster { pools { name: "nvl72" preset: "nvl72" count: 1 } }
compare { mode: FLOW }
jobs { name: "moe" model { preset: "deepseek-v3" } plan { ep: 8 tp: 8 dp: 8 micro_batch: 1 global_batch: 64 } steps: 1 }
)"), std::nullopt);
  CHECK(study.bytes == doctest::Approx(72 * (465964.0 - 100264.0) * 1024 / 27648 + 8 * 7 * 6106e6 / 37742592));
  CHECK_FALSE(study.limit);
  // An auto-planned job: the widest EP the planner may choose, 256 experts on 1,024
  // devices, 256 x 255 flows (it was counted as none before the planner had chosen).
  const std::string cluster = R"(cluster { pools { name: "nvl72" preset: "nvl72" count: 15 } fat_tree { tiers: 2 radix: 64 } }
compare { mode: FLOW }
)";
  const double nvl72x15 = 15 * 72 * (465964.0 - 100264.0) * 1024 / 27648;
  const PointMemory planned = podsim::scenario::point_memory(ScenarioFile::parse("c.textproto", cluster + R"(
jobs { name: "moe" model { preset: "deepseek-v3" } plan { auto_plan: true global_batch: 1024 } devices: 1024 steps: 1 }
)"), std::nullopt);
  CHECK(planned.bytes == doctest::Approx(nvl72x15 + 256 * 255 * 6106e6 / 37742592));
  // Of several jobs and systems, the widest: a system's own plan for a job counts too.
  const PointMemory systems = podsim::scenario::point_memory(ScenarioFile::parse("c.textproto", R"(
compare { mode: FLOW
  systems { name: "a" cluster { pools { name: "nvl72" preset: "nvl72" count: 1 } } }
  systems { name: "b" cluster { pools { name: "nvl72" preset: "nvl72" count: 1 } }
            plans { job: "moe" plan { ep: 32 dp: 64 micro_batch: 1 global_batch: 64 } } } }
jobs { name: "dense" model { preset: "llama3-8b" } plan { auto_plan: true global_batch: 64 } devices: 64 steps: 1 }
jobs { name: "moe" model { preset: "deepseek-v3" } plan { ep: 8 tp: 8 dp: 8 micro_batch: 1 global_batch: 64 } steps: 1 }
)"), std::nullopt);
  CHECK(systems.bytes == doctest::Approx(72 * (465964.0 - 100264.0) * 1024 / 27648 + 32 * 31 * 6106e6 / 37742592));
  // Analytical mode runs no flows.
  const PointMemory analytical = podsim::scenario::point_memory(
      ScenarioFile::parse("c.textproto", R"(cluster { pools { name: "nvl72" preset: "nvl72" count: 15 } fat_tree { tiers: 2 radix: 64 } }
compare { mode: ANALYTICAL }
jobs { name: "moe" model { preset: "deepseek-v3" } plan { auto_plan: true global_batch: 1024 } devices: 1024 steps: 1 }
)"), std::nullopt);
  CHECK(analytical.bytes == doctest::Approx(nvl72x15));
}

TEST_CASE("the gate lets tickets in in order, and a point in only beside points it fits with") {
  MemoryGate gate;
  SUBCASE("a point alone starts even over its limit") {
    const MemoryGate::Pass a = gate.enter(0, {.bytes = 20, .limit = 10});
    CHECK_FALSE(a.waited());
    CHECK(gate.most_running() == 1);
  }
  SUBCASE("points that fit together run together, one more waits") {
    std::optional<MemoryGate::Pass> a(gate.enter(0, {.bytes = 4, .limit = 10}));
    const MemoryGate::Pass b = gate.enter(1, {.bytes = 6, .limit = 10});
    CHECK_FALSE(b.waited());
    CHECK(gate.most_running() == 2);
    std::atomic<bool> c_in{false};
    std::optional<MemoryGate::Wait> c_waited;
    std::thread c([&] {
      const MemoryGate::Pass pass = gate.enter(2, {.bytes = 1, .limit = 10});
      c_waited = pass.waited();
      c_in = true;
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    CHECK_FALSE(c_in);  // 4 + 6 + 1 > 10
    a.reset();          // 6 + 1 fit
    c.join();
    CHECK(c_in);
    if (c_waited) {  // unless the thread reached the gate only after `a` left
      CHECK(c_waited->running == 2);
      CHECK(c_waited->running_bytes == 10);
    }
    CHECK(gate.most_running() == 2);
  }
  SUBCASE("no limit known: never waits") {
    const MemoryGate::Pass a = gate.enter(0, {.bytes = 1e30, .limit = std::nullopt});
    const MemoryGate::Pass b = gate.enter(1, {.bytes = 1e30, .limit = std::nullopt});
    CHECK(gate.most_running() == 2);
  }
  SUBCASE("ticket 1 waits for ticket 0 however much memory there is") {
    std::atomic<bool> in{false};
    std::thread t([&] {
      const MemoryGate::Pass pass = gate.enter(1, {.bytes = 1, .limit = 10});
      in = true;
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    CHECK_FALSE(in);
    { const MemoryGate::Pass a = gate.enter(0, {.bytes = 1, .limit = 10}); }
    t.join();
    CHECK(in);
  }
}

TEST_CASE("sweep --threads 4: points whose estimates fit one at a time run one at a time, same table") {
  // ~0.99 MB each under a limit of 1.5 MB: one fits, two do not. Each point's own run
  // check (the run's ~17 kB against 1.5 MB) passes: alone, every point runs.
  const std::string limits = "limits { max_memory_gib: 0.0014 }";
  REQUIRE(kSmokeBytes < 0.0014 * (1 << 30));
  REQUIRE(2 * kSmokeBytes > 0.0014 * (1 << 30));
  const SweepPlan plan = SweepPlan::make(ScenarioFile::parse("s.textproto", smoke(limits)), {"seed=1,2,3,4,5,6"});
  std::ostringstream one, four;
  podsim::scenario::run_sweep(plan, {.threads = 1}, one);
  const podsim::scenario::SweepSummary s = podsim::scenario::run_sweep(plan, {.threads = 4}, four);
  CHECK(s.most_at_once == 1);
  CHECK(s.failed == 0);
  CHECK(four.str() == one.str());
  // With room for all, the gate holds none back (how many overlap is up to the threads).
  const SweepPlan roomy = SweepPlan::make(ScenarioFile::parse("s.textproto", smoke("limits { max_memory_gib: 1 }")),
                                          {"seed=1,2,3,4,5,6"});
  std::ostringstream out;
  CHECK(podsim::scenario::run_sweep(roomy, {.threads = 4}, out).most_at_once <= 4);
}

// Each policy on a case small enough to check by hand (one-second reference steps, so a
// job's steps are its run time in seconds), and every policy against one contract.
#include "scheduler/policy.h"

#include <doctest/doctest.h>

#include <random>

#include "engine/error.h"
#include "tests/scheduler/test_support.h"

using namespace podsim::scheduler;
using podsim::scheduler::testing::end_of;
using podsim::scheduler::testing::job;
using podsim::scheduler::testing::run;
using podsim::scheduler::testing::start_of;

namespace {

ClusterRunOptions with(PolicyKind k) { return {.policy = {.kind = k}}; }
Inventory devices(uint32_t n) { return Inventory::uniform({.devices_per_node = n}); }

}  // namespace

TEST_CASE("FIFO: the head blocks the queue") {
  // 4 devices. A holds all 4 for 10 s; B (4 devices, 5 s) waits for it; C (4, 2 s) waits
  // for B even though it is shorter.
  const auto r = run(devices(4), {job("A", 0, 4, 10), job("B", 1, 4, 5), job("C", 2, 4, 2)}, with(PolicyKind::kFifo));
  CHECK(start_of(r, "A") == 0);
  CHECK(start_of(r, "B") == 10);
  CHECK(start_of(r, "C") == 15);
  CHECK(r.summary.makespan_s == 17);
  // Queueing delay 0, 9, 13 -> mean 22/3; JCT 10, 14, 15.
  CHECK(r.summary.queue_delay_s.mean == doctest::Approx(22.0 / 3));
  CHECK(r.summary.jct_s.p50 == 14);
  CHECK(r.summary.utilization == doctest::Approx(1.0));
}

TEST_CASE("SJF: the shortest queued job goes first") {
  // Same jobs: at t = 10, C (2 s) goes before B (5 s).
  const auto r = run(devices(4), {job("A", 0, 4, 10), job("B", 1, 4, 5), job("C", 2, 4, 2)}, with(PolicyKind::kSjf));
  CHECK(start_of(r, "C") == 10);
  CHECK(start_of(r, "B") == 12);
}

TEST_CASE("SRTF: a shorter arrival preempts, and the preempted job restarts from its last checkpoint") {
  // 1 device. A (10 s) runs from 0; B (2 s) arrives at 1 with less remaining than A's 9:
  // B runs 1..3. A has no checkpoint: its 1 s of progress is lost, it restarts at 3 with
  // 10 s left and ends at 13 (a preemption costs what a failure costs).
  const auto r = run(devices(1), {job("A", 0, 1, 10), job("B", 1, 1, 2)}, with(PolicyKind::kSrtf));
  CHECK(start_of(r, "B") == 1);
  CHECK(end_of(r, "B") == 3);
  CHECK(end_of(r, "A") == 13);
  CHECK(testing::find(r, "A").preemptions == 1);
  CHECK(testing::find(r, "A").preemption_times_s == std::vector<double>{1});
  CHECK(testing::find(r, "A").lost_steps == 1);
}

TEST_CASE("LAS: a job that crosses the threshold yields to one that has had less") {
  // 1 device, one threshold at 5 device-seconds. At t = 1 B arrives; A has 1 s of service,
  // the same queue as B, and arrived first: it keeps running. At t = 5 A reaches 5 and
  // drops a queue; B (0 s) preempts it, runs 5..8; A (no checkpoint) restarts from
  // nothing and ends at 8 + 10 = 18.
  ClusterRunOptions o = with(PolicyKind::kLas);
  o.policy.las_thresholds = {5};
  const auto r = run(devices(1), {job("A", 0, 1, 10), job("B", 1, 1, 3)}, o);
  CHECK(start_of(r, "B") == 5);
  CHECK(end_of(r, "B") == 8);
  CHECK(end_of(r, "A") == 18);
}

TEST_CASE("PRIORITY: a higher tier preempts a lower one at once") {
  std::vector<JobRequest> jobs = {job("low", 0, 1, 10), job("high", 2, 1, 3)};
  jobs[1].priority = 1;
  const auto r = run(devices(1), jobs, with(PolicyKind::kPriority));
  CHECK(start_of(r, "high") == 2);
  CHECK(end_of(r, "high") == 5);
  CHECK(end_of(r, "low") == 15);  // preempted at 2 without a checkpoint: 5 + 10
}

TEST_CASE("FAIR_SHARE: the user holding less goes next") {
  // 2 devices; u1 submits a1..a3, u2 submits b1, all at t = 0 and 10 s long. FIFO would
  // run a1, a2 first; fair share runs a1 and b1, then a2, then a3.
  std::vector<JobRequest> jobs = {job("a1", 0, 1, 10), job("a2", 0, 1, 10), job("a3", 0, 1, 10), job("b1", 0, 1, 10)};
  for (int i = 0; i < 3; ++i) jobs[i].user = "u1";
  jobs[3].user = "u2";
  const auto r = run(devices(2), jobs, with(PolicyKind::kFairShare));
  CHECK(start_of(r, "a1") == 0);
  CHECK(start_of(r, "b1") == 0);
  CHECK(start_of(r, "a2") == 10);
  CHECK(start_of(r, "a3") == 10);
}

TEST_CASE("EASY backfill: later jobs jump ahead only if the head's reservation holds") {
  // 4 devices. A (2 dev, 10 s) runs; head B (4 dev) must wait for A: reservation at
  // t = 10, no extra devices. C (2 dev, 5 s, arrives 2) ends at 7 <= 10: backfilled.
  // D (2 dev, 20 s, arrives 3) would end at 23 and use devices B needs: it waits.
  const std::vector<JobRequest> jobs = {job("A", 0, 2, 10), job("B", 1, 4, 5), job("C", 2, 2, 5),
                                        job("D", 3, 2, 20)};
  const auto r = run(devices(4), jobs, with(PolicyKind::kEasyBackfill));
  CHECK(start_of(r, "C") == 2);
  CHECK(start_of(r, "B") == 10);  // exactly its reservation: never delayed
  CHECK(*testing::find(r, "B").reserved_start_s == 10);
  CHECK(start_of(r, "D") == 15);
  const auto fifo = run(devices(4), jobs, with(PolicyKind::kFifo));
  CHECK(start_of(fifo, "C") == 15);
}

TEST_CASE("EASY backfill: a long job may use the devices the head leaves over") {
  // 6 devices. A (4 dev, 10 s) runs; head B (4 dev) reserves t = 10 when A's 4 come
  // back, leaving 6 - 4 = 2 extra. C (2 dev, 100 s) fits in those: starts at once.
  const auto r = run(devices(6), {job("A", 0, 4, 10), job("B", 1, 4, 5), job("C", 2, 2, 100)},
                     with(PolicyKind::kEasyBackfill));
  CHECK(start_of(r, "C") == 2);
  CHECK(start_of(r, "B") == 10);
}

TEST_CASE("EASY backfill: while a failed device leaves the head without a reservation, nothing backfills into its pool") {
  // 4 devices on one node. A (4 dev, 10 s) starts at 0; device 0 fails at 5 and is
  // repaired at 105. A loses its 5 s and waits at the head of the queue, and no
  // reservation exists (3 usable devices < 4). C (1 dev, 1000 s) arrives at 6: started,
  // it would hold a device A needs until 1006. It waits instead: A restarts at 105 and
  // ends at 115, and C starts then.
  ClusterRunOptions o = with(PolicyKind::kEasyBackfill);
  o.failures.scripted = {{.at = podsim::engine::SimTime::seconds(5), .index = 0,
                          .repair = podsim::engine::SimTime::seconds(100)}};
  const auto r = run(devices(4), {job("A", 0, 4, 10), job("C", 6, 1, 1000)}, o);
  CHECK(end_of(r, "A") == 115);
  CHECK(start_of(r, "C") == 115);
}

TEST_CASE("EASY backfill never delays the head: random workloads, every start vs its reservation") {
  // With exact run times (no failures, no contention) each job that was ever a blocked
  // head starts no later than the shadow time it was first promised, however much was
  // backfilled past it.
  std::mt19937_64 rng(3);
  for (int trial = 0; trial < 20; ++trial) {
    std::vector<JobRequest> jobs;
    for (int i = 0; i < 40; ++i)
      jobs.push_back(job("j" + std::to_string(i), static_cast<double>(rng() % 100), 1 + static_cast<uint32_t>(rng() % 8),
                         1 + static_cast<double>(rng() % 40)));
    const auto r = run(devices(8), jobs, with(PolicyKind::kEasyBackfill));
    int reserved = 0;
    for (const JobResult& j : r.jobs) {
      if (!j.reserved_start_s) continue;
      ++reserved;
      CAPTURE(j.name);
      CHECK(*j.first_start_s <= *j.reserved_start_s);
    }
    CHECK(reserved > 0);
  }
}

TEST_CASE("policy contract: capacity never exceeded, every job ends exactly once") {
  const PolicyKind kinds[] = {PolicyKind::kFifo, PolicyKind::kSjf, PolicyKind::kSrtf, PolicyKind::kEasyBackfill,
                              PolicyKind::kLas, PolicyKind::kFairShare, PolicyKind::kPriority};
  const PlacementKind placements[] = {PlacementKind::kFirstFit, PlacementKind::kBestFit, PlacementKind::kTopologyAware,
                                      PlacementKind::kFragmentationAware};
  Inventory inv = Inventory::uniform({.pool = "fast", .relative_speed = 2, .domains = 2, .nodes_per_domain = 2,
                                      .devices_per_node = 4});
  inv.add_uniform_pool({.pool = "slow", .domains = 3, .nodes_per_domain = 1, .devices_per_node = 8});
  std::mt19937_64 rng(11);
  std::vector<JobRequest> jobs;
  for (int i = 0; i < 60; ++i) {
    JobRequest j = job("j" + std::to_string(i), static_cast<double>(rng() % 200), 1 + static_cast<uint32_t>(rng() % 16),
                       1 + static_cast<double>(rng() % 100));
    if (i % 3 == 0) j.pools = {static_cast<uint32_t>(rng() % 2)};
    j.user = "u" + std::to_string(rng() % 3);
    j.priority = static_cast<int>(rng() % 3);
    j.checkpoint = {.interval = CheckpointPolicy::Interval::kFixed, .every = podsim::engine::SimTime::seconds(7),
                    .restart_cost = podsim::engine::SimTime::seconds(2)};
    jobs.push_back(j);
  }
  for (PolicyKind k : kinds) {
    for (PlacementKind p : placements) {
      ClusterRunOptions o{.seed = 5, .policy = {.kind = k}, .placement = p};
      o.failures.kinds = {{.unit = FailureUnit::kNode, .mtbf_hours = 0.5, .repair = podsim::engine::SimTime::seconds(30)}};
      CAPTURE(to_string(k));
      CAPTURE(to_string(p));
      const auto r = run(inv, jobs, o);
      CHECK(r.summary.finished == jobs.size());
      double device_seconds = 0;
      for (const JobResult& j : r.jobs) {
        CHECK(j.end_s.has_value());
        CHECK(*j.end_s >= *j.first_start_s);
        device_seconds += j.held_s * j.devices;
      }
      CHECK(device_seconds <= inv.devices().size() * r.summary.makespan_s * (1 + 1e-9));
      for (const TimelineSample& s : r.timeline) CHECK(s.allocated + s.down <= inv.devices().size() + 1e-6);
      CHECK(r.summary.utilization <= 1.0);
    }
  }
}

TEST_CASE("a job bigger than every pool it may use is an error naming it") {
  Inventory inv = Inventory::uniform({.pool = "a", .devices_per_node = 4});
  inv.add_uniform_pool({.pool = "b", .devices_per_node = 8});
  std::vector<JobRequest> jobs = {job("big", 0, 6, 1)};
  jobs[0].pools = {0};
  CHECK_THROWS_WITH_AS(run(inv, jobs), "job 'big': needs 6 devices, more than any pool it may use has: a (4 usable)",
                       podsim::UserError);
  jobs[0].pools = {7};
  CHECK_THROWS_WITH_AS(run(inv, jobs), doctest::Contains("job 'big': pool index 7 does not exist"), podsim::UserError);
}

TEST_CASE("heterogeneous pools: a job runs at its pool's speed") {
  Inventory inv = Inventory::uniform({.pool = "ref", .devices_per_node = 4});
  inv.add_uniform_pool({.pool = "fast", .relative_speed = 2, .devices_per_node = 4});
  std::vector<JobRequest> jobs = {job("on_fast", 0, 4, 100)};
  jobs[0].pools = {1};
  const auto r = run(inv, jobs);
  CHECK(end_of(r, "on_fast") == 50);
  CHECK(testing::find(r, "on_fast").pool == "fast");
}

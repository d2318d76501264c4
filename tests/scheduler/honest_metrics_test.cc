// Issue 16 item 5, by hand on runs small enough to draw: queueing delay counts every
// wait (first start and after each preemption or requeue), preemption costs a restore
// from the last checkpoint, and utilization is reported with and without the drain tail.
// One-second reference steps at speed 1, so a job's steps are its run time in seconds.
#include <doctest/doctest.h>

#include "tests/scheduler/test_support.h"

using namespace podsim::scheduler;
using podsim::engine::SimTime;
using podsim::scheduler::testing::end_of;
using podsim::scheduler::testing::find;
using podsim::scheduler::testing::job;
using podsim::scheduler::testing::run;

namespace {

Inventory devices(uint32_t n) { return Inventory::uniform({.devices_per_node = n}); }
ClusterRunOptions with(PolicyKind k) { return {.policy = {.kind = k}}; }

}  // namespace

TEST_CASE("queueing delay: the wait after a preemption counts, the first-start delay beside it") {
  // 1 device, SRTF. A (10 s) starts at 0; B (2 s) arrives at 1 and preempts it. A waits
  // 1..3 (2 s), restarts from nothing (no checkpoint) and ends at 13.
  const auto r = run(devices(1), {job("A", 0, 1, 10), job("B", 1, 1, 2)}, with(PolicyKind::kSrtf));
  const JobResult& a = find(r, "A");
  CHECK(a.first_start_delay_s == 0);
  CHECK(a.queue_delay_s == 2);
  CHECK(find(r, "B").queue_delay_s == 0);
  CHECK(r.summary.queue_delay_s.mean == 1);  // (2 + 0) / 2
  CHECK(r.summary.queue_delay_s.p99 == 2);
  CHECK(r.summary.first_start_delay_s.mean == 0);
  CHECK(r.summary.first_start_delay_s.p99 == 0);
}

TEST_CASE("preemption: restore from the last checkpoint, lose what came after, pay restart") {
  // 1 device, PRIORITY. low (10 s) checkpoints every 4 s (free writes) and pays 1 s to
  // restart. It checkpoints at 4 (progress 4); high arrives at 6 and preempts it: 2 s of
  // progress are lost. high runs 6..9; low restarts at 9, pauses 1 s, runs its last 6 s
  // from 10 and ends at 16. It waited 6..9: 3 s.
  std::vector<JobRequest> jobs = {job("low", 0, 1, 10), job("high", 6, 1, 3)};
  jobs[0].checkpoint = {.interval = CheckpointPolicy::Interval::kFixed, .every = SimTime::seconds(4),
                        .restart_cost = SimTime::seconds(1)};
  jobs[1].priority = 1;
  const auto r = run(devices(1), jobs, with(PolicyKind::kPriority));
  const JobResult& low = find(r, "low");
  CHECK(low.preemptions == 1);
  CHECK(low.lost_steps == doctest::Approx(2));
  CHECK(low.lost_seconds == doctest::Approx(2));
  CHECK(end_of(r, "high") == 9);
  CHECK(end_of(r, "low") == 16);
  CHECK(low.queue_delay_s == 3);
  CHECK(low.first_start_delay_s == 0);
  // Goodput: 10 s kept of 13 s held (0..6 and 9..16).
  CHECK(low.goodput == doctest::Approx(10.0 / 13));
}

TEST_CASE("queueing delay: a failure that requeues a job starts a new wait") {
  // 1 device, FIFO. A (50 s) starts at 0; its device fails at 25 and is repaired at 35
  // (no spares): A is requeued, waits 25..35, restarts from nothing, ends at 85.
  ClusterRunOptions o = with(PolicyKind::kFifo);
  o.failures.scripted = {{.at = SimTime::seconds(25), .index = 0, .repair = SimTime::seconds(10)}};
  const auto r = run(devices(1), {job("A", 0, 1, 50)}, o);
  const JobResult& a = find(r, "A");
  CHECK(end_of(r, "A") == 85);
  CHECK(a.queue_delay_s == 10);
  CHECK(a.first_start_delay_s == 0);
  // The queue last emptied at 35: the drain tail is 35..85. Before it the device was
  // held 25 of 35 s (down for the rest); over the whole run 75 of 85 s.
  CHECK(r.summary.drain_tail_s == 50);
  REQUIRE(r.summary.utilization_before_drain.has_value());
  CHECK(*r.summary.utilization_before_drain == doctest::Approx(25.0 / 35));
  CHECK(r.summary.utilization == doctest::Approx(75.0 / 85));
}

TEST_CASE("utilization with and without the drain tail") {
  // 4 devices, FIFO. A (4 devices, 10 s) runs 0..10; B (2 devices, 5 s) arrives at 1,
  // waits for A and runs 10..15. The queue empties at 10, after the last arrival: the
  // tail is 10..15, when only B's 2 of 4 devices are busy.
  const auto r = run(devices(4), {job("A", 0, 4, 10), job("B", 1, 2, 5)}, with(PolicyKind::kFifo));
  CHECK(r.summary.makespan_s == 15);
  CHECK(r.summary.drain_tail_s == 5);
  CHECK(r.summary.utilization == doctest::Approx(50.0 / 60));  // 4 x 10 + 2 x 5 of 4 x 15
  REQUIRE(r.summary.utilization_before_drain.has_value());
  CHECK(*r.summary.utilization_before_drain == doctest::Approx(1.0));  // 40 of 4 x 10
  CHECK(find(r, "B").queue_delay_s == 9);

  SUBCASE("no tail while jobs still wait: a horizon at 5 leaves B queued") {
    ClusterRunOptions o = with(PolicyKind::kFifo);
    o.horizon = SimTime::seconds(5);
    const auto h = run(devices(4), {job("A", 0, 4, 10), job("B", 1, 2, 5)}, o);
    CHECK(h.summary.drain_tail_s == 0);
    REQUIRE(h.summary.utilization_before_drain.has_value());
    CHECK(*h.summary.utilization_before_drain == doctest::Approx(h.summary.utilization));
    CHECK(find(h, "B").queue_delay_s == 4);  // 1..5, still waiting
    CHECK(find(h, "B").first_start_delay_s == 4);
  }
  SUBCASE("all tail: every job starts at its arrival, all at once") {
    const auto t = run(devices(4), {job("A", 0, 2, 10), job("B", 0, 2, 5)}, with(PolicyKind::kFifo));
    CHECK(t.summary.drain_tail_s == 10);
    CHECK_FALSE(t.summary.utilization_before_drain.has_value());
  }
}

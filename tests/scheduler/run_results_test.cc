// make_results: what a run's books mean, by hand.
#include <doctest/doctest.h>

#include "scheduler/run_results.h"

using namespace podsim::scheduler;
using podsim::engine::SimTime;

TEST_CASE("percentiles: mean and nearest rank") {
  // 1..10: mean 5.5; p50 the 5th value (ceil(0.5 x 10)), p99 the 10th (ceil(9.9)).
  const Percentiles p = percentiles({10, 9, 8, 7, 6, 5, 4, 3, 2, 1});
  CHECK(p.mean == doctest::Approx(5.5));
  CHECK(p.p50 == 5);
  CHECK(p.p99 == 10);
  const Percentiles none = percentiles({});
  CHECK(none.mean == 0);
}

TEST_CASE("a finished job and one that never started: JCT, queue delay, goodput by hand") {
  const Inventory inv = Inventory::uniform({.pool = "p", .domains = 1, .nodes_per_domain = 1, .devices_per_node = 4});
  const std::vector<JobRequest> jobs = {
      {.name = "a", .arrival = SimTime::seconds(10), .devices = 4, .steps = 100},
      {.name = "b", .arrival = SimTime::seconds(20), .devices = 4, .steps = 100},
  };
  std::vector<JobTotals> t(2);
  // a: waits 5 s, holds 4 devices 100 s, 90 s useful of which 10 s lost to a failure.
  t[0].first_start = SimTime::seconds(15);
  t[0].end = SimTime::seconds(115);
  t[0].held_s = 100;
  t[0].useful_s = 90;
  t[0].lost_seconds = 10;
  t[0].interruptions = 1;
  t[0].queued_s = 5;
  t[1].queued_s = 95;  // the loop closes a wait still open at the end
  Recorder rec(4);
  rec.note(10, {});
  rec.note(15, {.allocated = 4});
  rec.note(115, {});
  const ClusterRunResult r = make_results(inv, jobs, t, rec,
                                          {.policy = "fifo", .placement = "first-fit", .end_time = SimTime::seconds(115),
                                           .drain_start = SimTime::seconds(115), .events = 7, .finished = 1});
  REQUIRE(r.jobs.size() == 2);
  CHECK(*r.jobs[0].jct_s == doctest::Approx(105));    // 115 - 10
  CHECK(r.jobs[0].queue_delay_s == doctest::Approx(5));
  CHECK(r.jobs[0].goodput == doctest::Approx(0.8));   // (90 - 10) / 100
  CHECK(r.jobs[0].pool == "p");
  CHECK_FALSE(r.jobs[1].end_s.has_value());
  CHECK(r.jobs[1].queue_delay_s == doctest::Approx(95));  // still waiting at the end: 115 - 20
  CHECK(r.jobs[0].first_start_delay_s == doctest::Approx(5));
  CHECK(r.jobs[1].first_start_delay_s == doctest::Approx(95));
  CHECK(r.summary.first_start_delay_s.mean == doctest::Approx(50));
  // b still waited at the end: no drain tail, the two utilizations agree.
  CHECK(r.summary.drain_tail_s == 0);
  REQUIRE(r.summary.utilization_before_drain.has_value());
  CHECK(*r.summary.utilization_before_drain == doctest::Approx(100.0 / 105));
  CHECK(r.summary.makespan_s == doctest::Approx(105));     // first arrival 10 to 115
  CHECK(r.summary.utilization == doctest::Approx(100.0 / 105));  // 4 of 4 devices for 100 of 105 s
  CHECK(r.summary.goodput == doctest::Approx(0.8));  // b held nothing
  CHECK(r.summary.interruptions == 1);
  CHECK(r.summary.events == 7);
  CHECK(r.summary.finished == 1);
  CHECK(r.summary.lost_device_hours == doctest::Approx(40.0 / 3600));
}

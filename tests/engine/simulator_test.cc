#include "engine/simulator.h"

#include <doctest/doctest.h>

#include <random>
#include <string>
#include <vector>

using podsim::engine::RunResult;
using podsim::engine::SimTime;
using podsim::engine::Simulator;
using podsim::engine::StopReason;

TEST_CASE("events run in time order and the clock follows them") {
  Simulator sim(1);
  std::vector<int64_t> seen;
  for (int64_t t : {30, 10, 20}) sim.schedule_at(SimTime::nanos(t), [&sim, &seen] { seen.push_back(sim.now().ns()); });
  RunResult r = sim.run();
  CHECK(r.reason == StopReason::kQueueEmpty);
  CHECK(seen == std::vector<int64_t>{10, 20, 30});
  CHECK(r.end_time == SimTime::nanos(30));
  CHECK(r.events_executed == 3);
}

TEST_CASE("an event scheduled for now runs after those already pending for now") {
  Simulator sim(1);
  std::string order;
  sim.schedule_at(SimTime::nanos(5), [&] {
    order += 'a';
    sim.schedule_in(SimTime::zero(), [&] { order += 'c'; });
  });
  sim.schedule_at(SimTime::nanos(5), [&] { order += 'b'; });
  sim.run();
  CHECK(order == "abc");
}

TEST_CASE("horizon stops before later events, and a second run continues") {
  Simulator sim(1);
  int fired = 0;
  sim.schedule_at(SimTime::seconds(1), [&] { ++fired; });
  sim.schedule_at(SimTime::seconds(3), [&] { ++fired; });
  RunResult r = sim.run({.horizon = SimTime::seconds(2)});
  CHECK(r.reason == StopReason::kHorizon);
  CHECK(fired == 1);
  CHECK(sim.now() == SimTime::seconds(2));
  // Scheduling between the horizon and the pending event is legal.
  sim.schedule_at(SimTime::seconds(2.5), [&] { fired += 10; });
  r = sim.run();
  CHECK(fired == 12);
  CHECK(r.end_time == SimTime::seconds(3));
}

TEST_CASE("predicate and event-limit stops") {
  Simulator sim(1);
  int count = 0;
  for (int i = 1; i <= 100; ++i) sim.schedule_at(SimTime::micros(i), [&] { ++count; });
  RunResult r = sim.run({.stop_when = [&] { return count == 10; }});
  CHECK(r.reason == StopReason::kPredicate);
  CHECK(count == 10);
  r = sim.run({.max_events = 5});
  CHECK(r.reason == StopReason::kEventLimit);
  CHECK(count == 15);
}

TEST_CASE("cancelled events do not run") {
  Simulator sim(1);
  bool ran = false;
  auto h = sim.schedule_at(SimTime::millis(1), [&] { ran = true; });
  sim.schedule_at(SimTime::micros(1), [&] { CHECK(sim.cancel(h)); });
  sim.run();
  CHECK_FALSE(ran);
}

TEST_CASE("scheduling in the past is rejected") {
  Simulator sim(1);
  sim.schedule_at(SimTime::millis(1), [&] {
    CHECK_THROWS_AS(sim.schedule_at(SimTime::micros(1), [] {}), podsim::InternalError);
  });
  sim.run();
}

TEST_CASE("every run ends by the end of time: an event saturated to never does not run") {
  Simulator sim(1);
  bool ran = false, far = false;
  sim.schedule_at(SimTime::seconds(1), [&] {
    // A duration too long for int64 nanoseconds saturates; the sum cannot wrap into the past.
    sim.schedule_at(sim.now() + SimTime::seconds(1e300), [&] { ran = true; });
  });
  sim.schedule_at(SimTime::end_of_time(), [&] { far = true; });  // the last instant still runs
  const RunResult r = sim.run();
  CHECK(far);
  CHECK_FALSE(ran);
  CHECK(r.reason == StopReason::kHorizon);
  CHECK(r.end_time == SimTime::end_of_time());
  // A horizon past the end of time is the end of time.
  Simulator sim2(1);
  sim2.schedule_at(SimTime::max(), [] {});
  CHECK(sim2.run({.horizon = SimTime::max()}).end_time == SimTime::end_of_time());
}

namespace {
// A small stochastic model: jobs arrive (Poisson) and run for random times; the trace of
// completions is the run's fingerprint.
std::vector<int64_t> run_model(uint64_t seed) {
  Simulator sim(seed);
  auto arrivals = sim.random().stream("arrivals");
  auto service = sim.random().stream("service");
  std::exponential_distribution<double> gap(1000.0), work(500.0);
  std::vector<int64_t> done;
  for (int i = 0; i < 500; ++i) {
    const SimTime at = SimTime::seconds(i * 0.001 + gap(arrivals));
    const SimTime len = SimTime::seconds_ceil(work(service));
    sim.schedule_at(at, [&sim, &done, len] { sim.schedule_in(len, [&sim, &done] { done.push_back(sim.now().ns()); }); });
  }
  sim.run();
  return done;
}
}  // namespace

TEST_CASE("the same seed gives the same run, another seed does not") {
  CHECK(run_model(42) == run_model(42));
  CHECK(run_model(42) != run_model(43));
}

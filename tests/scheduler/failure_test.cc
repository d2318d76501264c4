// Failure accounting: a failed job loses exactly its progress since the last checkpoint
// and pays its restart cost.
#include "scheduler/failures.h"

#include <doctest/doctest.h>

#include "tests/scheduler/test_support.h"

using namespace podsim::scheduler;
using podsim::engine::SimTime;
using podsim::scheduler::testing::end_of;
using podsim::scheduler::testing::job;
using podsim::scheduler::testing::run;

namespace {

JobRequest checkpointed_job() {
  JobRequest j = job("train", 0, 1, 100);
  j.checkpoint = {.interval = CheckpointPolicy::Interval::kFixed,
                  .every = SimTime::seconds(10),
                  .restart_cost = SimTime::seconds(5)};
  return j;
}

}  // namespace

TEST_CASE("a device failure loses the work since the last checkpoint") {
  // 1 device, 100 one-second steps, checkpoints at 10 and 20. The device fails at 25:
  // progress 25, checkpointed 20, so 5 steps are lost. Repaired at 35; the job restarts
  // then, pays 5 s, resumes at 40 from step 20 and ends at 40 + 80 = 120.
  ClusterRunOptions o;
  o.failures.scripted = {{.at = SimTime::seconds(25), .index = 0, .repair = SimTime::seconds(10)}};
  const auto r = run(Inventory::uniform({.devices_per_node = 1}), {checkpointed_job()}, o);
  const JobResult& j = testing::find(r, "train");
  CHECK(j.interruptions == 1);
  CHECK(j.interruption_times_s == std::vector<double>{25});
  CHECK(j.lost_steps == doctest::Approx(5));
  CHECK(j.lost_seconds == doctest::Approx(5));
  CHECK(end_of(r, "train") == doctest::Approx(120));
  // Held 25 + 85 = 110 s; progress kept = 100 steps of 1 s.
  CHECK(j.held_s == doctest::Approx(110));
  CHECK(j.goodput == doctest::Approx(100.0 / 110));
  CHECK(r.summary.failures == 1);
}

TEST_CASE("with a hot spare the job restarts at once instead of waiting for the repair") {
  // 2 devices, one held as a spare. Failure at 25: swap in the spare, pay 5 s, resume at
  // 30 from step 20: end 30 + 80 = 110.
  ClusterRunOptions o;
  o.failures.spares_per_pool = 1;
  o.failures.scripted = {{.at = SimTime::seconds(25), .index = 0, .repair = SimTime::seconds(1000)}};
  const auto r = run(Inventory::uniform({.devices_per_node = 2}), {checkpointed_job()}, o);
  CHECK(end_of(r, "train") == doctest::Approx(110));
  CHECK(testing::find(r, "train").lost_steps == doctest::Approx(5));
}

TEST_CASE("checkpoint writes pause training") {
  // Every 10 s of running a 2 s write: 100 steps take 100 s + 9 writes (at 10, 22, ...,
  // the last before the end) x 2 s = 118 s.
  JobRequest j = job("train", 0, 1, 100);
  j.checkpoint = {.interval = CheckpointPolicy::Interval::kFixed, .every = SimTime::seconds(10),
                  .write_cost = SimTime::seconds(2)};
  const auto r = run(Inventory::uniform({.devices_per_node = 1}), {j});
  CHECK(end_of(r, "train") == doctest::Approx(118));
  CHECK(testing::find(r, "train").checkpoints == 9);
}

TEST_CASE("a node failure interrupts every job on the node") {
  ClusterRunOptions o;
  o.failures.scripted = {{.at = SimTime::seconds(5), .unit = FailureUnit::kNode, .index = 0, .repair = SimTime::seconds(1)}};
  const auto r = run(Inventory::uniform({.devices_per_node = 2}), {job("a", 0, 1, 10), job("b", 0, 1, 10)}, o);
  // No checkpoints: both lose 5 steps, restart at 6 (no restart cost), end at 16.
  CHECK(testing::find(r, "a").lost_steps == doctest::Approx(5));
  CHECK(testing::find(r, "b").lost_steps == doctest::Approx(5));
  CHECK(end_of(r, "a") == 16);
  CHECK(end_of(r, "b") == 16);
}

TEST_CASE("Young/Daly interval and the Llama 3 default") {
  // sqrt(2 x 10 s x 1,000 h x 3600 s/h) = sqrt(7.2e7) = 8485.28 s.
  CHECK(young_daly_interval(SimTime::seconds(10), 1000 * 3600.0).to_seconds() == doctest::Approx(8485.28).epsilon(1e-6));
  // 54 d x 24 h x 16,384 GPUs / 419 interruptions.
  CHECK(kLlama3DeviceMtbfHours == doctest::Approx(50677.5).epsilon(1e-4));
  // A 16,384-device job then fails every 50,677.5 / 16,384 h = 3.09 h (Llama 3: 419 in
  // 54 days = one per 3.09 h).
  const FailureOptions f{.kinds = {llama3_device_failures()}};
  CHECK(job_mtbf_seconds(f, 16384, 2048) / 3600 == doctest::Approx(54.0 * 24 / 419));
}

TEST_CASE("random failures are deterministic for a seed") {
  ClusterRunOptions o{.seed = 9};
  o.failures.kinds = {{.mtbf_hours = 0.01, .weibull_shape = 0.7, .repair = SimTime::seconds(10)}};
  JobRequest j = checkpointed_job();
  const auto a = run(Inventory::uniform({.devices_per_node = 4}), {j}, o);
  const auto b = run(Inventory::uniform({.devices_per_node = 4}), {j}, o);
  CHECK(a.summary.failures == b.summary.failures);
  CHECK(end_of(a, "train") == end_of(b, "train"));
  CHECK(a.summary.failures > 0);
}

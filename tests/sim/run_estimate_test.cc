// Run-size estimates (sim/run_estimate.h) by hand, and the refusals they lead to
// (issue 17 item 3).
#include "sim/run_estimate.h"

#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <string>

using podsim::sim::estimate_run;
using podsim::sim::expected_run_seconds;
using podsim::sim::JobLoad;
using podsim::sim::RunLoad;
using podsim::sim::run_refusal;

namespace {

// `e` is refused (with `available` bytes of memory, default limits) at `field`, saying `message`.
void check_refused(const podsim::sim::RunEstimate& e, double available, const std::string& field,
                   const std::string& message) {
  const auto r = run_refusal(e, {}, available);
  REQUIRE(r);
  CHECK(r->field == field);
  CHECK(r->message == message);
}

}  // namespace

TEST_CASE("expected_run_seconds: (M + D)(e^{T/M} - 1) per segment of T (restart after each failure)") {
  // No failures: just the work.
  CHECK(expected_run_seconds(100, 0, std::numeric_limits<double>::infinity(), 5) == 100);
  // One segment of 100 s, M = 1000 s, D = 10 s: 1010 x (e^0.1 - 1) = 1010 x 0.105171 = 106.22 s.
  CHECK(expected_run_seconds(100, 0, 1000, 10) == doctest::Approx(106.2227).epsilon(1e-6));
  // Checkpoints every 20 s: 5 segments, each 1010 x (e^0.02 - 1) = 1010 x 0.0202013 = 20.403 s: 102.02 s.
  CHECK(expected_run_seconds(100, 20, 1000, 10) == doctest::Approx(5 * 1010 * std::expm1(0.02)));
  CHECK(expected_run_seconds(100, 20, 1000, 10) == doctest::Approx(102.0168).epsilon(1e-6));
  // A segment 1e6 times the MTBF never ends.
  CHECK(std::isinf(expected_run_seconds(1, 0, 1e-6, 0)));
}

TEST_CASE("estimate_run: jobs and timeline samples from their counts alone") {
  RunLoad load{.jobs = 1e7, .jobs_field = "sources[0].synthetic.jobs", .pools = 2, .timeline_samples = 4294967295.0};
  const auto e = estimate_run(load);
  // Jobs: 1e7 x 6 = 6e7 events; 1e7 x 1.4 kB + 6e7 x 42 B = 1.4e10 + 2.52e9 = 1.652e10 B.
  // Timeline: 4294967295 x (118 + 2 x 16) B = 6.44245e11 B, no events.
  CHECK(e.events == doctest::Approx(6e7));
  CHECK(e.terms[0].bytes == doctest::Approx(1.652e10));
  CHECK(e.terms[1].bytes == doctest::Approx(4294967295.0 * 150));
  CHECK(e.bytes == doctest::Approx(1.652e10 + 4294967295.0 * 150));
  // Against 22.6 GB available: the timeline is what is refused.
  check_refused(e, 22.6e9, "scheduler.timeline_samples",
                "the run would hold ~661 GB of memory (4294967295 timeline samples x 150 B: 644 GB), more than the 22.6 "
                "GB this machine has available (MemAvailable) (expected a smaller run; raise the limit with "
                "--max-memory-gib G or limits.max_memory_gib)");
  // 1e7 jobs alone fit in 22.6 GB (16.5 GB) and in 1e9 events.
  CHECK_FALSE(run_refusal(estimate_run({.jobs = 1e7, .timeline_samples = 100}), {}, 22.6e9));
  // An explicit memory limit replaces MemAvailable.
  CHECK(run_refusal(estimate_run({.jobs = 1e7, .timeline_samples = 100}), {.max_bytes = 1e9}, 22.6e9));
}

TEST_CASE("estimate_run: failures over the horizon, units x span / (MTBF + repair), 7 events each") {
  // 256 devices, MTBF 1 h, repair 0.01 h, horizon 1e6 s: 256 x 1e6 / 3636 = 70,407 failures
  // (podsim run measured 69,995 devices_down events in the same run), 492,849 events.
  RunLoad load{.jobs = 0, .devices = 256, .horizon_s = 1e6, .timeline_samples = 0};
  load.failures.push_back({.field = "failures.kinds[0].mtbf_hours", .units = 256, .devices_per_unit = 1,
                           .mtbf_s = 3600, .repair_s = 36});
  const auto e = estimate_run(load);
  CHECK(e.events == doctest::Approx(256 * 1e6 / 3636 * 7));
  CHECK_FALSE(run_refusal(e, {}, 1e12));
}

TEST_CASE("estimate_run: a job that cannot run between failures makes the run endless: refused at the failure kind") {
  // 72 devices failing every 1e-9 h = 3.6e-6 s (then 3 h of repair); an 8-device job of
  // 1000 s has M = 4.5e-7 s: its one 1000 s segment never completes, the run never ends.
  RunLoad load{.jobs = 1, .devices = 72, .timeline_samples = 100};
  load.failures.push_back({.field = "failures.kinds[0].mtbf_hours", .units = 72, .devices_per_unit = 1,
                           .mtbf_s = 3.6e-6, .repair_s = 10800});
  load.job_loads.push_back({.arrival_s = 0, .devices = 8, .run_s = 1000});
  load.job_names.push_back("first");
  const auto e = estimate_run(load);
  CHECK(std::isinf(e.span_s));
  CHECK(std::isinf(e.events));
  const auto r = run_refusal(e, {}, 1e12);
  REQUIRE(r);
  CHECK(r->field == "failures.kinds[0].mtbf_hours");
  CHECK(r->message.starts_with("the run would process unboundedly many events (72 units failing once per 1.08e+04 s "
                               "(MTBF + repair) in a run that never ends (job 'first' is interrupted every 4.5e-07 s "
                               "on average but must run 1e+03 s at a stretch)"));
  // With a horizon it ends there: 72 x 3600 / 10800 = 24 failures in the first hour.
  load.horizon_s = 3600;
  CHECK(estimate_run(load).events == doctest::Approx(6 + 24 * 7));
}

TEST_CASE("estimate_run: a job that never finds enough devices up between repairs makes the run endless") {
  // 32 devices, MTBF 36 s, repair 3600 s: each up a = 36 / 3636 ~ 1% of the time. A
  // 16-device job needs q = 1/2 of them up at once: Chernoff bound exp(-32 KL(1/2 || a))
  // = exp(-32 (0.5 ln(0.5 / a) + 0.5 ln(0.5 / (1 - a)))) = 3.1e-23 (by hand). The run
  // once went on to the end of simulated time (2^62 ns, 53 s of failures).
  RunLoad load{.jobs = 1, .devices = 32, .timeline_samples = 100};
  load.failures.push_back({.field = "failures.kinds[0].mtbf_hours", .units = 32, .devices_per_unit = 1,
                           .mtbf_s = 36, .repair_s = 3600});
  load.job_loads.push_back({.arrival_s = 0, .devices = 16, .run_s = 100});
  load.job_names.push_back("a");
  const auto r = run_refusal(estimate_run(load), {}, 1e12);
  REQUIRE(r);
  CHECK(r->field == "failures.kinds[0].mtbf_hours");
  const double a = 36.0 / 3636;
  const double bound = std::exp(-32 * (0.5 * std::log(0.5 / a) + 0.5 * std::log(0.5 / (1 - a))));
  CHECK(bound == doctest::Approx(3.12e-23).epsilon(0.01));
  CHECK(r->message.find("job 'a' needs 16 devices up at once, but failures keep so many down for repair that the "
                        "chance of that is below 3.12e-23") != std::string::npos);
  // Up half the time (MTBF = repair): half the devices are up on average; not refused.
  load.failures[0].mtbf_s = 3600;
  CHECK_FALSE(run_refusal(estimate_run(load), {}, 1e12));
  // A whole-cluster job on devices up 99.99% of the time: all 1,152 up at once 89% of
  // the time; not refused.
  load.failures[0] = {.field = "f", .units = 1152, .devices_per_unit = 1, .mtbf_s = 9999 * 36, .repair_s = 36};
  load.devices = 1152;
  load.job_loads[0].devices = 1152;
  CHECK_FALSE(run_refusal(estimate_run(load), {}, 1e12));
}

TEST_CASE("estimate_run: checkpoints R / interval per job, 2 events each, named at the field that set them") {
  // interval 1e-9 s, a job of >= 120 s: 1.2e11 checkpoints, 2.4e11 events.
  RunLoad load{.jobs = 1, .devices = 72, .timeline_samples = 100};
  load.checkpoint_fields.push_back("scheduler.checkpoint.interval_s");
  load.job_loads.push_back({.devices = 64, .run_s = 120, .checkpoint_every_s = 1e-9, .checkpoint_field = 0});
  load.job_names.push_back("first");
  const auto e = estimate_run(load);
  CHECK(e.events == doctest::Approx(6 + 2.4e11));
  const auto r = run_refusal(e, {}, 1e15);
  REQUIRE(r);
  CHECK(r->field == "scheduler.checkpoint.interval_s");
  CHECK(r->message ==
        "the run would process ~2.4e+11 events (checkpoints; job 'first' alone writes one every 1e-09 s of its 120 s "
        "of running: ~2.4e+11 events), more than the limit of 1e+09 (expected a smaller run; raise the limit with "
        "--max-events N or limits.max_events)");
  CHECK_FALSE(run_refusal(e, {.max_events = 1e12}, 1e15));  // raised: runs
}

TEST_CASE("estimate_run: LAS counts each job's threshold crossings below its service, 1 event each") {
  // Once uncounted: 20,000 thresholds from 1e-6 device-hours up made 400 synthetic jobs
  // cross ~7e6 of them, 2.1e7 events and 700 MB, whatever --max-events said.
  // By hand: thresholds 5, 100, 28800, 1e6 device-seconds; a job of 8 devices x 3600 s
  // (28800 device-seconds) crosses 5 and 100 (28800 is where it ends); one of 1 x 10 s
  // crosses 5: 3 crossings.
  using podsim::scheduler::PolicyKind;
  RunLoad load{.jobs = 2, .devices = 8, .timeline_samples = 100, .policy = PolicyKind::kLas};
  load.job_loads = {{.devices = 8, .run_s = 3600}, {.devices = 1, .run_s = 10}};
  load.job_names = {"big", "small"};
  load.las_thresholds_s = {5, 100, 28800, 1e6};
  auto e = estimate_run(load);
  REQUIRE(e.terms.size() == 3);
  CHECK(e.terms[2].field == "scheduler.las_thresholds_device_hours");
  CHECK(e.terms[2].events == 3);
  CHECK(e.events == doctest::Approx(2 * 6 + 3));
  CHECK(e.terms[2].how == "3 LAS threshold crossings; job 'big' alone crosses 2 of the 4 thresholds");
  // A horizon of 1 s stops the big job at 8 device-seconds (it crosses 5), the small one
  // at 1 (none).
  load.horizon_s = 1;
  CHECK(estimate_run(load).terms[2].events == 1);
  load.policy = PolicyKind::kSrtf;  // other policies have no levels
  CHECK(estimate_run(load).terms.size() == 2);
}

TEST_CASE("estimate_run: the queue's passes cost each policy's measured ns per class of waiting job") {
  using podsim::scheduler::PolicyKind;
  using podsim::sim::queue_ns_per_class_pass;
  // The Deep queues bench at 1,000,000 jobs (one class, ~5e5 waiting): 3.2-7.1 s of CPU
  // whatever the policy (bench/README.md). Priced as FIFO's ~1 ns per waiting job per
  // pass it was 1e6 x 6 x 5e5 / 3000 = 1e9 events and refused. Now a pass costs the
  // policy's ns per class: SJF 1e6 x 6 x 1 x 11 / 2800 = 23.6 event-equivalents.
  RunLoad load{.jobs = 1e6, .jobs_field = "sources[0].synthetic.jobs", .timeline_samples = 100,
               .mean_waiting = 5e5, .policy = PolicyKind::kSjf, .queue_classes = 1};
  auto e = estimate_run(load);
  REQUIRE(e.terms.size() == 3);
  CHECK(e.terms[2].events == doctest::Approx(6e6 * 11 / 2800));
  CHECK(e.events == doctest::Approx(6e6 + 6e6 * 11 / 2800));
  for (PolicyKind k : {PolicyKind::kFifo, PolicyKind::kSjf, PolicyKind::kSrtf, PolicyKind::kEasyBackfill,
                       PolicyKind::kLas, PolicyKind::kFairShare, PolicyKind::kPriority}) {
    CAPTURE(podsim::scheduler::to_string(k));
    load.policy = k;
    CHECK_FALSE(run_refusal(estimate_run(load), {}, 1e12));  // fast: runs
    CHECK(queue_ns_per_class_pass(k) >= 2);
    CHECK(queue_ns_per_class_pass(k) <= 44);
  }
  // Ten million jobs in 5,000 classes (sizes x pools), 5e6 waiting: an SJF pass looks at
  // 5,000 classes, 6e7 x 5000 x 11 ns = 3,300 s of CPU (1.18e9 event-equivalents):
  // refused, naming the policy. FIFO's head blocks: 6e7 x 5000 x 2 ns = 600 s (2.1e8): runs.
  load = {.jobs = 1e7, .jobs_field = "sources[0].synthetic.jobs", .timeline_samples = 100, .mean_waiting = 5e6,
          .policy = PolicyKind::kSjf, .queue_classes = 5000};
  e = estimate_run(load);
  CHECK(e.terms[2].events == doctest::Approx(6e7 * 5000 * 11 / 2800));
  check_refused(e, 1e12, "sources[0].synthetic.jobs",
                "the run would process ~1.24e+09 events (10000000 jobs, ~5e+06 waiting at a time on average in 5000 "
                "classes (devices, constraints, pools): every sjf scheduling pass looks at each class's first job, ~11 "
                "ns each: ~1.18e+09 events), more than the limit of 1e+09 (expected a smaller run; raise the limit with "
                "--max-events N or limits.max_events)");
  load.policy = PolicyKind::kFifo;
  CHECK(estimate_run(load).terms[2].events == doctest::Approx(6e7 * 5000 * 2 / 2800));
  CHECK_FALSE(run_refusal(estimate_run(load), {}, 1e12));
  // Fewer jobs waiting than classes: only classes with a job waiting are looked at.
  load.mean_waiting = 3;
  CHECK(estimate_run(load).terms[2].events == doctest::Approx(6e7 * 3 * 2 / 2800));
}

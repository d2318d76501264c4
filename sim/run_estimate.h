#pragma once
// Run size: the events a cluster run will process and the memory it will hold,
// estimated from its inputs before anything runs, so that a run that would take days
// or outgrow the machine is refused with the field to blame instead of being killed
// halfway (docs/reliability.md, "Run size"; issue 17 item 3).
//
// Each term is a count fixed by the inputs times a measured cost (bench/README.md,
// "Run-size constants", peak RSS and trace event counts of podsim run):
//   jobs:        J jobs x 6 events (submitted, started, finished, cluster samples) and
//                1.4 kB each (request, state, result row)
//   timeline:    S samples x (118 B + 16 B per pool)
//   failures:    per kind, units x span / (MTBF + repair) unit failures, 7 events each
//                (down, repaired, the job's failure and restart, cluster samples)
//   checkpoints: per job, R / interval checkpoints (R: its running time), 2 events each
//   LAS levels:  per job, the thresholds below its attained service (devices x
//                running time) that it crosses, 1 event each at least (the pass that
//                moves it down a level; a preemption it causes costs more)
//   every event: 42 B kept (the timeline's change points, interruption times)
//   the queue:   each scheduling pass looks at the first waiting job of each class
//                of waiting jobs (equal devices, constraints and pools named: they fit
//                or not alike; scheduler/class_queue.h, queue_index.h), at a cost per
//                class that depends on the policy (queue_ns_per_class_pass):
//                J x 6 x min(mean jobs waiting, classes) x that / 2.8 us (an event)
//                event-equivalents. Until 2026-12-06 the sorting policies sorted the
//                whole queue at every pass (8.5-14 ns per waiting job per pass, so runs
//                quadratic in J), and the estimate priced every policy at FIFO's then
//                ~1 ns per waiting job: 1,000,000 jobs were refused as ~1e9 events
//                though they take 3-7 s (bench/README.md "Deep queues").
//
// The span of a run without a horizon is at least the last arrival plus the longest
// job's expected time to finish under failures. A job that must run T seconds between
// checkpoints with mean time between interruptions M and restart cost D needs on
// average (M + D)(e^{T/M} - 1) seconds per such segment (restart after each failure;
// e.g. Daly, "A higher order estimate of the optimum checkpoint interval for restart
// dumps", FGCS 22(3), 2006, eq. 2): a segment far longer than M never ends, and the
// estimate says so (+inf events) rather than letting the run go on forever.
//
// Where the inputs do not fix a time (an explicit job's running time before the step
// model has run), the caller gives a lower bound (its FLOPs at its devices' peak), so
// the estimate errs low: a refused run would certainly have passed the limit.
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "scheduler/policy.h"

namespace podsim::sim {

// One failure kind (scheduler::FailureKind) over the whole cluster.
struct FailureLoad {
  std::string field;        // "failures.kinds[0].mtbf_hours"
  double units = 0;         // devices or nodes that fail independently
  double devices_per_unit = 1;
  double mtbf_s = 0;        // of one unit; > 0
  double repair_s = 0;
};

// One job as the estimate sees it.
struct JobLoad {
  double arrival_s = 0;
  double devices = 1;
  double run_s = 0;               // running time it needs without failures (lower bound)
  double checkpoint_every_s = 0;  // running time between checkpoints; 0: none
  double restart_s = 0;
  size_t checkpoint_field = 0;    // index into RunLoad::checkpoint_fields
};

struct RunLoad {
  double jobs = 0;                  // how many (job_loads, when given, has one per job)
  std::string jobs_field = "jobs";  // where most of them come from
  std::vector<JobLoad> job_loads;   // empty: only the count is known yet
  std::vector<std::string> checkpoint_fields;  // "scheduler.checkpoint.interval_s", ...
  std::vector<std::string> job_names;          // of job_loads, for messages
  double devices = 0;
  double pools = 1;
  std::optional<double> horizon_s;
  std::vector<FailureLoad> failures;
  double timeline_samples = 100;
  double mean_waiting = 0;  // jobs waiting, on average over the run (mean_waiting_*)
  scheduler::PolicyKind policy = scheduler::PolicyKind::kFifo;
  // Distinct classes of job (devices, placement constraints, pools named); a lower
  // bound when the jobs are not known yet.
  double queue_classes = 1;
  // kLas: its thresholds in device-seconds of attained service, ascending (empty: none
  // counted), and the field they come from.
  std::vector<double> las_thresholds_s;
  std::string las_field = "scheduler.las_thresholds_device_hours";
};

// The largest contributor is named in a refusal.
struct RunTerm {
  std::string field;  // scenario field to change
  std::string how;    // "10000000 jobs x 1.4 kB"
  double events = 0;
  double bytes = 0;
};

struct RunEstimate {
  double events = 0;  // may be +inf
  double bytes = 0;   // may be +inf
  double span_s = 0;  // simulated seconds the failures were counted over
  std::vector<RunTerm> terms;
};

// Measured costs (see above).
inline constexpr double kEventsPerJob = 6;
inline constexpr double kBytesPerJob = 1.4e3;
inline constexpr double kBytesPerSample = 118;
inline constexpr double kBytesPerSamplePool = 16;
inline constexpr double kEventsPerFailure = 7;
inline constexpr double kEventsPerCheckpoint = 2;
inline constexpr double kEventsPerLasCrossing = 1;
inline constexpr double kBytesPerEvent = 42;
// An event costs ~2.8 us of CPU (~0.36 M events/s on one core, bench/README.md).
inline constexpr double kNsPerEvent = 2.8e3;
// What a scheduling pass costs per class of waiting job, in ns, by policy. Measured
// 2026-12-06 21:31-21:33 UTC (bench/README.md "Run-size constants re-measured": command,
// runs, load) on two workloads, each run with few and with many classes, user CPU
// medians of 5; the difference over the estimate's 6 passes per job and the extra
// classes: (A) the Deep queues bench, 100,000 jobs of 8 devices (1 class) vs 1..32
// (32 classes), 1.86e7 more class-passes; (B) the 3,000-job mix
// (bench/scheduler_bench_mix3000.textproto) at 30,000 jobs, 10 vs 24 classes, 2.52e6
// more. A / B: FIFO 4 / 2 ns, SJF 20 / 11, SRTF 28 / 37, EASY 19 / 13, LAS 44 / 44,
// fair share 45 / 12, priority 22 / 36. The estimate takes the lower of the two, so it
// errs low as it does where inputs leave a time open (a refused run would pass the
// limit on either workload).
double queue_ns_per_class_pass(scheduler::PolicyKind policy);
// Default limit on events: ~0.36 M events/s on one core (bench/README.md), so 1e9 is
// about 45 minutes of simulation.
inline constexpr double kDefaultMaxEvents = 1e9;

// Jobs waiting on average over the arrivals, in a fluid model of the queue: each job
// brings devices x run_s device-seconds of work, the cluster drains `devices`
// device-seconds per second. REQUIRES: jobs sorted by arrival.
double mean_waiting_fluid(const std::vector<JobLoad>& jobs, double devices);
// The same for `jobs` alike jobs arriving every `gap_s` seconds with `work`
// device-seconds each: J (1 - 1/rho) / 2 when the load rho = work / (gap_s x devices)
// is above 1 (the queue grows linearly), else 0.
double mean_waiting_uniform(double jobs, double gap_s, double work, double devices);

// Expected seconds to run `run_s` seconds of work in segments of `every_s` (0: one
// segment) when interruptions come at mean interval `mtbf_s` (+inf: never) and each
// costs `restart_s`. +inf when it would never finish in practice.
double expected_run_seconds(double run_s, double every_s, double mtbf_s, double restart_s);

RunEstimate estimate_run(const RunLoad& load);

struct RunLimits {
  double max_events = kDefaultMaxEvents;
  std::optional<double> max_bytes;  // nullopt: MemAvailable (sim/memory_limit.h)
};

// A refusal of `estimate` under `limits`, or nullopt. `available` as memory_refusal
// takes it. The refusal names the term's field (first) and reads:
//   "FIELD: the run would process ~1.2e+11 events (HOW), more than the limit of 1e+09
//    (expected a smaller run; raise the limit with --max-events N or limits.max_events)"
struct RunRefusal {
  std::string field;
  std::string message;
};
std::optional<RunRefusal> run_refusal(const RunEstimate& estimate, const RunLimits& limits,
                                      std::optional<double> available);

}  // namespace podsim::sim

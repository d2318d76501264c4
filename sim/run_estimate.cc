#include "sim/run_estimate.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "engine/printable.h"
#include "sim/memory_limit.h"

namespace podsim::sim {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

std::string count(double n) { return std::isfinite(n) ? fmt::format("~{:.3g}", n) : "unboundedly many"; }

// The job's mean time between interruptions: its units fail independently.
double job_mtbf_s(const RunLoad& load, const JobLoad& job) {
  double rate = 0;
  for (const FailureLoad& f : load.failures) {
    const double hit = std::min(f.units, std::ceil(job.devices / std::max(f.devices_per_unit, 1.0)));
    rate += hit / f.mtbf_s;
  }
  return rate > 0 ? 1 / rate : kInf;
}

// A job runs only while enough of its units are up at once. Failure kind f keeps a unit
// down for repair_s of every mtbf_s + repair_s on average, so the units up at a moment
// are binomial: U trials, each up with a = mtbf / (mtbf + repair). The chance that at
// least k are up is at most exp(-U KL(k/U || a)) when k/U > a (the Chernoff bound), and
// both kinds must hold at once, so the least bound over the kinds bounds it too. Nothing
// is refused on it unless that chance is below 1e-12: such a job essentially never starts
// and the run goes on to the end of simulated time (32 devices, MTBF 0.01 h, repair 1 h:
// each up 1% of the time, a 16-device job never ran, 53 s to reach 2^62 ns).
double chance_enough_up(const RunLoad& load, const JobLoad& job) {
  double chance = 1;
  for (const FailureLoad& f : load.failures) {
    if (!(f.repair_s > 0) || !(f.units > 0)) continue;
    const double a = f.mtbf_s / (f.mtbf_s + f.repair_s);
    const double q = std::min(1.0, std::ceil(job.devices / std::max(f.devices_per_unit, 1.0)) / f.units);
    if (!(q > a)) continue;
    const double kl = q * std::log(q / a) + (q < 1 ? (1 - q) * std::log((1 - q) / (1 - a)) : 0);
    chance = std::min(chance, std::exp(-f.units * kl));
  }
  return chance;
}

}  // namespace

double mean_waiting_fluid(const std::vector<JobLoad>& jobs, double devices) {
  if (jobs.empty() || !(devices > 0)) return 0;
  double work = 0;
  for (const JobLoad& j : jobs) work += j.devices * j.run_s;
  const double per_job = work / static_cast<double>(jobs.size());
  if (!(per_job > 0)) return 0;
  double backlog = 0, waiting = 0, last = jobs.front().arrival_s;
  for (const JobLoad& j : jobs) {
    backlog = std::max(0.0, backlog - devices * (j.arrival_s - last)) + j.devices * j.run_s;
    last = j.arrival_s;
    waiting += backlog / per_job;
  }
  return waiting / static_cast<double>(jobs.size());
}

double mean_waiting_uniform(double jobs, double gap_s, double work, double devices) {
  if (!(devices > 0) || !(gap_s > 0)) return 0;
  const double rho = work / (gap_s * devices);
  return rho > 1 ? jobs * (1 - 1 / rho) / 2 : 0;
}

double expected_run_seconds(double run_s, double every_s, double mtbf_s, double restart_s) {
  if (!(run_s > 0)) return 0;
  if (!std::isfinite(mtbf_s)) return run_s;
  const double segment = every_s > 0 && every_s < run_s ? every_s : run_s;
  const double x = segment / mtbf_s;
  if (x > 700) return kInf;  // e^700 overflows a double long before it matters
  return run_s / segment * (mtbf_s + restart_s) * std::expm1(x);
}

double queue_ns_per_class_pass(scheduler::PolicyKind policy) {
  switch (policy) {  // measured on two workloads, the lower of the two: see the header
    case scheduler::PolicyKind::kFifo: return 2;
    case scheduler::PolicyKind::kSjf: return 11;
    case scheduler::PolicyKind::kSrtf: return 28;
    case scheduler::PolicyKind::kEasyBackfill: return 13;
    case scheduler::PolicyKind::kLas: return 44;
    case scheduler::PolicyKind::kFairShare: return 12;
    case scheduler::PolicyKind::kPriority: return 22;
  }
  return 44;  // the dearest
}

RunEstimate estimate_run(const RunLoad& load) {
  RunEstimate e;
  e.terms.push_back({.field = load.jobs_field,
                     .how = fmt::format("{:.0f} jobs, {} events and {} each", load.jobs, kEventsPerJob,
                                        format_bytes(kBytesPerJob)),
                     .events = load.jobs * kEventsPerJob,
                     .bytes = load.jobs * kBytesPerJob});
  const double per_sample = kBytesPerSample + kBytesPerSamplePool * load.pools;
  e.terms.push_back({.field = "scheduler.timeline_samples",
                     .how = fmt::format("{:.0f} timeline samples x {:.0f} B", load.timeline_samples, per_sample),
                     .events = 0,
                     .bytes = load.timeline_samples * per_sample});

  // The span failures are counted over: the horizon, or what the jobs need at least.
  double span = 0;
  std::string stuck;  // why the span has no end
  if (!load.job_loads.empty()) {
    double work = 0;  // device-seconds
    for (size_t k = 0; k < load.job_loads.size(); ++k) {
      const JobLoad& j = load.job_loads[k];
      const double m = job_mtbf_s(load, j);
      double w = expected_run_seconds(j.run_s, j.checkpoint_every_s, m, j.restart_s);
      const std::string name = k < load.job_names.size() ? load.job_names[k] : fmt::format("{}", k);
      if (!std::isfinite(w) && stuck.empty())
        stuck = fmt::format("job '{}' is interrupted every {:.3g} s on average but must run {:.3g} s at a stretch",
                            printable(name), m, j.checkpoint_every_s > 0 ? std::min(j.checkpoint_every_s, j.run_s) : j.run_s);
      if (const double chance = chance_enough_up(load, j); chance < 1e-12) {
        w = kInf;
        if (stuck.empty())
          stuck = fmt::format("job '{}' needs {:.0f} devices up at once, but failures keep so many down for repair "
                              "that the chance of that is below {:.3g}",
                              printable(name), j.devices, std::max(chance, 1e-300));
      }
      span = std::max(span, j.arrival_s + w);
      work += j.run_s * j.devices;
    }
    if (load.devices > 0) span = std::max(span, work / load.devices);
  }
  if (load.horizon_s) span = load.job_loads.empty() ? *load.horizon_s : std::min(span, *load.horizon_s);
  e.span_s = span;
  for (const FailureLoad& f : load.failures) {
    const double n = span > 0 ? f.units * span / (f.mtbf_s + f.repair_s) : 0;
    const std::string over = std::isfinite(span) ? fmt::format("over {:.3g} s", span)
                                                 : fmt::format("in a run that never ends ({})", stuck);
    e.terms.push_back({.field = f.field,
                       .how = fmt::format("{:.0f} units failing once per {:.3g} s (MTBF + repair) {}", f.units,
                                          f.mtbf_s + f.repair_s, over),
                       .events = n * kEventsPerFailure,
                       .bytes = 0});
  }

  // Checkpoints, by the field that set each job's interval; the job with the most named.
  for (size_t field = 0; field < load.checkpoint_fields.size(); ++field) {
    double n = 0, most = -1;
    size_t worst = 0;
    for (size_t k = 0; k < load.job_loads.size(); ++k) {
      const JobLoad& j = load.job_loads[k];
      if (j.checkpoint_field != field || !(j.checkpoint_every_s > 0)) continue;
      const double run = load.horizon_s ? std::min(j.run_s, *load.horizon_s) : j.run_s;
      const double c = run / j.checkpoint_every_s;
      n += c;
      if (c > most) most = c, worst = k;
    }
    if (n <= 0) continue;
    const JobLoad& w = load.job_loads[worst];
    const std::string name = worst < load.job_names.size() ? load.job_names[worst] : fmt::format("{}", worst);
    e.terms.push_back({.field = load.checkpoint_fields[field],
                       .how = fmt::format("checkpoints; job '{}' alone writes one every {:.3g} s of its {:.3g} s of "
                                          "running",
                                          printable(name), w.checkpoint_every_s, w.run_s),
                       .events = n * kEventsPerCheckpoint,
                       .bytes = 0});
  }
  // LAS threshold crossings: 20,000 thresholds from 1e-6 device-hours up made 400 jobs
  // cross ~7e6 of them (5.5e6 preemptions, 2.1e7 events, 700 MB) uncounted. A binary
  // search per job: the count of jobs times thresholds can be 1e12.
  if (load.policy == scheduler::PolicyKind::kLas && !load.las_thresholds_s.empty()) {
    double n = 0, most = -1;
    size_t worst = 0;
    for (size_t k = 0; k < load.job_loads.size(); ++k) {
      const JobLoad& j = load.job_loads[k];
      const double run = load.horizon_s ? std::min(j.run_s, *load.horizon_s) : j.run_s;
      const double c = static_cast<double>(std::lower_bound(load.las_thresholds_s.begin(), load.las_thresholds_s.end(),
                                                            j.devices * run) -
                                           load.las_thresholds_s.begin());
      n += c;
      if (c > most) most = c, worst = k;
    }
    if (n > 0) {
      const std::string name = worst < load.job_names.size() ? load.job_names[worst] : fmt::format("{}", worst);
      e.terms.push_back({.field = load.las_field,
                         .how = fmt::format("{:.3g} LAS threshold crossings; job '{}' alone crosses {:.0f} of the {} "
                                            "thresholds",
                                            n, printable(name), most, load.las_thresholds_s.size()),
                         .events = n * kEventsPerLasCrossing,
                         .bytes = 0});
    }
  }
  for (RunTerm& t : e.terms) {
    t.bytes += t.events * kBytesPerEvent;
    e.events += t.events;
    e.bytes += t.bytes;
  }
  // The queue's passes keep nothing: events only.
  const double looked_at = std::min(load.mean_waiting, std::max(load.queue_classes, 1.0));
  if (looked_at >= 1) {
    e.terms.push_back({.field = load.jobs_field,
                       .how = fmt::format("{:.0f} jobs, ~{:.3g} waiting at a time on average in {:.0f} classes (devices, "
                                          "constraints, pools): every {} scheduling pass looks at each class's first "
                                          "job, ~{:.3g} ns each",
                                          load.jobs, load.mean_waiting, load.queue_classes,
                                          scheduler::to_string(load.policy), queue_ns_per_class_pass(load.policy)),
                       .events = load.jobs * kEventsPerJob * looked_at * queue_ns_per_class_pass(load.policy) / kNsPerEvent,
                       .bytes = 0});
    e.events += e.terms.back().events;
  }
  return e;
}

std::optional<RunRefusal> run_refusal(const RunEstimate& estimate, const RunLimits& limits,
                                      std::optional<double> available) {
  if (estimate.terms.empty()) return std::nullopt;
  const auto largest = [&](auto member) {
    return *std::max_element(estimate.terms.begin(), estimate.terms.end(),
                             [&](const RunTerm& a, const RunTerm& b) { return a.*member < b.*member; });
  };
  if (!(estimate.events <= limits.max_events)) {
    const RunTerm& t = largest(&RunTerm::events);
    return RunRefusal{t.field, fmt::format("the run would process {} events ({}: {} events), more than the limit of "
                                           "{:.3g} (expected a smaller run; raise the limit with --max-events N or "
                                           "limits.max_events)",
                                           count(estimate.events), t.how, count(t.events), limits.max_events)};
  }
  const std::optional<double> cap = limits.max_bytes ? limits.max_bytes : available;
  if (cap && !(estimate.bytes <= *cap)) {
    const RunTerm& t = largest(&RunTerm::bytes);
    const std::string have = limits.max_bytes ? fmt::format("the limit of {}", format_bytes(*cap))
                                              : fmt::format("the {} this machine has available ({})",
                                                            format_bytes(*cap), available_memory_source());
    return RunRefusal{t.field, fmt::format("the run would hold {} of memory ({}: {}), more than {} (expected a "
                                           "smaller run; raise the limit with --max-memory-gib G or "
                                           "limits.max_memory_gib)",
                                           std::isfinite(estimate.bytes) ? "~" + format_bytes(estimate.bytes)
                                                                         : "unboundedly much",
                                           t.how, std::isfinite(t.bytes) ? format_bytes(t.bytes) : "unbounded", have)};
  }
  return std::nullopt;
}

}  // namespace podsim::sim

#include "io/cluster_results.h"

#include <fmt/format.h>

#include <cmath>
#include <filesystem>
#include <optional>
#include <string>

#include "engine/error.h"
#include "io/atomic_file.h"
#include "io/csv_writer.h"
#include "io/json_writer.h"

namespace podsim::io {
namespace {

using scheduler::ClusterSummary;
using scheduler::JobResult;
using scheduler::TimelineSample;

std::string hours(double s) { return fmt::format("{:.2f} h", s / 3600); }

// Jobs with a known MFU (their FLOPs are known); trace jobs carry only durations.
size_t jobs_with_mfu(const scheduler::ClusterRunResult& r) {
  size_t n = 0;
  for (const JobResult& j : r.jobs) n += j.mfu.has_value();
  return n;
}

// The MFU-weighted utilization, nullopt when no job's FLOPs are known (it would read 0).
std::optional<double> mfu_utilization(const scheduler::ClusterRunResult& r) {
  if (jobs_with_mfu(r) == 0) return std::nullopt;
  return r.summary.mfu_utilization;
}

// One summary field: a number (nullopt: unknown) or a text.
struct Field {
  std::string name;
  std::optional<double> number;
  std::optional<std::string> text;
};

// The summary's fields, shared by the CSV and JSON writers. Durations in seconds, energy
// in joules, shares as fractions: one convention for every machine-read output.
std::vector<Field> summary_fields(const scheduler::ClusterRunResult& r) {
  const ClusterSummary& s = r.summary;
  const auto num = [](const char* name, std::optional<double> v) { return Field{name, v, std::nullopt}; };
  const std::optional<scheduler::Percentiles> jct = scheduler::finished_jct(s);
  return {{"policy", std::nullopt, s.policy},
          {"placement", std::nullopt, s.placement},
          num("devices", s.devices),
          num("jobs", s.jobs),
          num("finished", s.finished),
          num("makespan_s", s.makespan_s),
          num("jct_mean_s", jct ? std::optional(jct->mean) : std::nullopt),
          num("jct_p50_s", jct ? std::optional(jct->p50) : std::nullopt),
          num("jct_p99_s", jct ? std::optional(jct->p99) : std::nullopt),
          num("queue_delay_mean_s", s.queue_delay_s.mean),
          num("queue_delay_p50_s", s.queue_delay_s.p50),
          num("queue_delay_p99_s", s.queue_delay_s.p99),
          num("first_start_delay_mean_s", s.first_start_delay_s.mean),
          num("first_start_delay_p50_s", s.first_start_delay_s.p50),
          num("first_start_delay_p99_s", s.first_start_delay_s.p99),
          num("utilization_frac", s.utilization),
          num("utilization_before_drain_frac", s.utilization_before_drain),
          num("drain_tail_s", s.drain_tail_s),
          num("mfu_utilization_frac", mfu_utilization(r)),
          num("fragmentation_frac", s.fragmentation),
          num("energy_j", s.energy_j),
          num("goodput_frac", s.goodput),
          num("interruptions", s.interruptions),
          num("preemptions", s.preemptions),
          num("failures", s.failures),
          num("lost_device_s", s.lost_device_hours * 3600),
          num("events", static_cast<double>(s.events)),
          num("step_estimates", s.step_estimates)};
}

const std::vector<std::string> kJobColumns = {
    "name",         "devices",       "pool",  "arrival_s",    "first_start_s", "end_s",
    "queue_delay_s", "first_start_delay_s", "jct_s",        "time_to_train_s", "held_s", "mfu_frac", "goodput_frac",
    "interruptions", "preemptions",  "checkpoints",     "lost_steps", "lost_s"};

const std::vector<std::string> kTimelineColumns = {
    "t_s",           "allocated_devices", "down_devices", "utilization_frac", "mfu_utilization_frac",
    "fragmentation_frac", "queued_jobs",  "running_jobs", "power_w"};

// A JSON number, or null when unknown; non-finite numbers are refused by write_json.
Json json_value(const std::optional<double>& v) { return v ? Json(*v) : Json(nullptr); }
// Counts as JSON integers, not 3.0.
Json json_count(double v) { return Json(static_cast<int64_t>(v)); }

}  // namespace

void write_summary_table(const scheduler::ClusterRunResult& r, std::ostream& out) {
  const ClusterSummary& s = r.summary;
  out << fmt::format("policy          {} / {} placement\n", s.policy, s.placement);
  out << fmt::format("devices         {}\n", s.devices);
  out << fmt::format("jobs            {} finished of {}\n", s.finished, s.jobs);
  out << fmt::format("makespan        {}\n", hours(s.makespan_s));
  if (const auto jct = scheduler::finished_jct(s))
    out << fmt::format("JCT             mean {}  p50 {}  p99 {}\n", hours(jct->mean), hours(jct->p50), hours(jct->p99));
  else
    out << "JCT             n/a (no job finished)\n";
  out << fmt::format("queueing delay  mean {}  p50 {}  p99 {}  (every wait, restarts included)\n",
                     hours(s.queue_delay_s.mean), hours(s.queue_delay_s.p50), hours(s.queue_delay_s.p99));
  out << fmt::format("first start     mean {}  p50 {}  p99 {}  (arrival to first start)\n",
                     hours(s.first_start_delay_s.mean), hours(s.first_start_delay_s.p50), hours(s.first_start_delay_s.p99));
  // MFU needs a job's FLOPs; a trace job is only a duration. Unknown is said, not shown
  // as 0.0%; a mix says how many jobs count 0.
  const size_t with_mfu = jobs_with_mfu(r);
  std::string mfu;
  if (with_mfu == 0)
    mfu = "n/a MFU-weighted (no job's FLOPs are known: trace jobs carry only durations)";
  else if (with_mfu < r.jobs.size())
    mfu = fmt::format("{:.1f}% MFU-weighted ({} of {} jobs without known FLOPs count 0)", 100 * s.mfu_utilization,
                      r.jobs.size() - with_mfu, r.jobs.size());
  else
    mfu = fmt::format("{:.1f}% MFU-weighted", 100 * s.mfu_utilization);
  out << fmt::format("utilization     {:.1f}% allocated, {}\n", 100 * s.utilization, mfu);
  // The drain tail: the queue is empty and nothing is left to arrive (result.h).
  if (s.utilization_before_drain)
    out << fmt::format("drain tail      {} after the queue last emptied; {:.1f}% allocated before it\n",
                       hours(s.drain_tail_s), 100 * *s.utilization_before_drain);
  else
    out << fmt::format("drain tail      {}, the whole run (every job started as it arrived); n/a before it\n",
                       hours(s.drain_tail_s));
  out << fmt::format("fragmentation   {:.1f}% of free device-time on partly used nodes\n", 100 * s.fragmentation);
  out << fmt::format("goodput         {:.1f}% of held device-time kept\n", 100 * s.goodput);
  out << fmt::format("failures        {} ({} job interruptions, {:.1f} device-hours lost), {} preemptions\n", s.failures,
                     s.interruptions, s.lost_device_hours, s.preemptions);
  out << fmt::format("energy          {:.3f} MWh\n", s.energy_j / 3.6e9);
}

void write_jobs_csv(const scheduler::ClusterRunResult& r, std::ostream& out) {
  CsvWriter csv(out, kJobColumns);
  for (const JobResult& j : r.jobs) {
    csv.text(j.name).integer(j.devices).text(j.pool).number(j.arrival_s).number(j.first_start_s).number(j.end_s);
    csv.number(j.queue_delay_s).number(j.first_start_delay_s).number(j.jct_s).number(j.time_to_train_s).number(j.held_s).number(j.mfu);
    csv.number(j.goodput).integer(j.interruptions).integer(j.preemptions).integer(j.checkpoints);
    csv.number(j.lost_steps).number(j.lost_seconds).end_row();
  }
}

void write_timeline_csv(const scheduler::ClusterRunResult& r, std::ostream& out) {
  CsvWriter csv(out, kTimelineColumns);
  const bool mfu_known = jobs_with_mfu(r) > 0;
  for (const TimelineSample& s : r.timeline) {
    csv.number(s.t_s).number(s.allocated).number(s.down).number(s.utilization);
    csv.number(mfu_known ? std::optional(s.mfu_utilization) : std::nullopt);
    csv.number(s.fragmentation).number(s.queued).number(s.running).number(s.power_w).end_row();
  }
}

void write_summary_csv(const scheduler::ClusterRunResult& r, std::ostream& out) {
  const std::vector<Field> fields = summary_fields(r);
  std::vector<std::string> columns;
  for (const Field& f : fields) columns.push_back(f.name);
  CsvWriter csv(out, columns);
  for (const Field& f : fields) {
    if (f.text)
      csv.text(*f.text);
    else
      csv.number(f.number);
  }
  csv.end_row();
}

Json results_json(const scheduler::ClusterRunResult& r) {
  Json doc = Json::object();
  Json& summary = doc["summary"] = Json::object();
  for (const Field& f : summary_fields(r)) {
    if (f.text)
      summary[f.name] = *f.text;
    else if (f.number && *f.number == std::floor(*f.number) && std::abs(*f.number) < 9e15)
      summary[f.name] = json_count(*f.number);
    else
      summary[f.name] = json_value(f.number);
  }
  Json& jobs = doc["jobs"] = Json::array();
  for (const JobResult& j : r.jobs) {
    const std::optional<double> values[] = {j.arrival_s,       j.first_start_s, j.end_s, j.queue_delay_s,
                                            j.first_start_delay_s, j.jct_s,     j.time_to_train_s,
                                            j.held_s,          j.mfu,           j.goodput};
    Json job = Json::object();
    job["name"] = j.name;
    job["devices"] = j.devices;
    job["pool"] = j.pool;
    for (size_t i = 0; i < std::size(values); ++i) job[kJobColumns[3 + i]] = json_value(values[i]);
    job["interruptions"] = j.interruptions;
    job["preemptions"] = j.preemptions;
    job["checkpoints"] = j.checkpoints;
    job["lost_steps"] = j.lost_steps;
    job["lost_s"] = j.lost_seconds;
    jobs.push_back(std::move(job));
  }
  Json& timeline = doc["timeline"] = Json::array();
  const bool mfu_known = jobs_with_mfu(r) > 0;
  for (const TimelineSample& s : r.timeline) {
    const std::optional<double> values[] = {s.t_s,         s.allocated, s.down,
                                            s.utilization, mfu_known ? std::optional(s.mfu_utilization) : std::nullopt,
                                            s.fragmentation, s.queued, s.running, s.power_w};
    Json sample = Json::object();
    for (size_t i = 0; i < std::size(values); ++i) sample[kTimelineColumns[i]] = json_value(values[i]);
    timeline.push_back(std::move(sample));
  }
  return doc;
}

void write_results_json(const scheduler::ClusterRunResult& r, std::ostream& out) { io::write_json(results_json(r), out); }

void print_cluster_run(const sim::ClusterRunOutput& r, std::ostream& out) {
  write_summary_table(r.result, out);
  if (!r.duration_reference.empty()) out << "durations       " << r.duration_reference << '\n';
  // One line per reason a node list's machine is not in the cluster, then per reason a
  // trace row was not replayed.
  for (const auto& [reason, count] : r.skipped_machines)
    out << fmt::format("skipped         {} node-list machines: {}\n", count, reason);
  for (const auto& [reason, count] : r.skipped_by_reason)
    out << fmt::format("skipped         {} trace rows: {}\n", count, reason);
  if (r.skipped_oversized > 0)
    out << fmt::format("skipped         {} trace jobs: more devices than any pool they may use (skip_oversized)\n",
                       r.skipped_oversized);
}

void write_cluster_outputs(const scheduler::ClusterRunResult& r, const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw UserError(fmt::format("{}: cannot create output directory: {}", dir.string(), ec.message()));
  write_atomically(dir / kClusterOutputFiles[0].name, [&](std::ostream& o) { write_summary_csv(r, o); });
  write_atomically(dir / kClusterOutputFiles[1].name, [&](std::ostream& o) { write_jobs_csv(r, o); });
  write_atomically(dir / kClusterOutputFiles[2].name, [&](std::ostream& o) { write_timeline_csv(r, o); });
  write_atomically(dir / kClusterOutputFiles[3].name, [&](std::ostream& o) { write_results_json(r, o); });
}

}  // namespace podsim::io

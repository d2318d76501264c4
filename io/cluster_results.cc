#include "io/cluster_results.h"

#include <fmt/format.h>

#include <filesystem>

#include <optional>
#include <string>

#include "engine/error.h"
#include "io/atomic_file.h"

namespace podsim::io {
namespace {

using scheduler::ClusterSummary;
using scheduler::JobResult;
using scheduler::TimelineSample;

std::string opt(const std::optional<double>& v) { return v ? fmt::format("{:.6g}", *v) : ""; }
std::string json_opt(const std::optional<double>& v) { return v ? fmt::format("{:.9g}", *v) : "null"; }

std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (static_cast<unsigned char>(c) < 0x20) out += fmt::format("\\u{:04x}", c);
    else out += c;
  }
  return out + "\"";
}

std::string hours(double s) { return fmt::format("{:.2f} h", s / 3600); }

// (name, value) pairs of the summary, shared by the CSV and JSON writers.
std::vector<std::pair<std::string, std::string>> summary_fields(const ClusterSummary& s) {
  auto num = [](double v) { return fmt::format("{:.9g}", v); };
  return {{"policy", json_string(s.policy)},
          {"placement", json_string(s.placement)},
          {"devices", num(s.devices)},
          {"jobs", num(s.jobs)},
          {"finished", num(s.finished)},
          {"makespan_s", num(s.makespan_s)},
          {"jct_mean_s", num(s.jct_s.mean)},
          {"jct_p50_s", num(s.jct_s.p50)},
          {"jct_p99_s", num(s.jct_s.p99)},
          {"queue_delay_mean_s", num(s.queue_delay_s.mean)},
          {"queue_delay_p50_s", num(s.queue_delay_s.p50)},
          {"queue_delay_p99_s", num(s.queue_delay_s.p99)},
          {"utilization", num(s.utilization)},
          {"mfu_utilization", num(s.mfu_utilization)},
          {"fragmentation", num(s.fragmentation)},
          {"energy_j", num(s.energy_j)},
          {"goodput", num(s.goodput)},
          {"interruptions", num(s.interruptions)},
          {"preemptions", num(s.preemptions)},
          {"failures", num(s.failures)},
          {"lost_device_hours", num(s.lost_device_hours)},
          {"events", num(static_cast<double>(s.events))},
          {"step_estimates", num(s.step_estimates)}};
}

}  // namespace

void write_summary_table(const scheduler::ClusterRunResult& r, std::ostream& out) {
  const ClusterSummary& s = r.summary;
  out << fmt::format("policy          {} / {} placement\n", s.policy, s.placement);
  out << fmt::format("devices         {}\n", s.devices);
  out << fmt::format("jobs            {} finished of {}\n", s.finished, s.jobs);
  out << fmt::format("makespan        {}\n", hours(s.makespan_s));
  out << fmt::format("JCT             mean {}  p50 {}  p99 {}\n", hours(s.jct_s.mean), hours(s.jct_s.p50), hours(s.jct_s.p99));
  out << fmt::format("queueing delay  mean {}  p50 {}  p99 {}\n", hours(s.queue_delay_s.mean), hours(s.queue_delay_s.p50),
                     hours(s.queue_delay_s.p99));
  out << fmt::format("utilization     {:.1f}% allocated, {:.1f}% MFU-weighted\n", 100 * s.utilization, 100 * s.mfu_utilization);
  out << fmt::format("fragmentation   {:.1f}% of free device-time on partly used nodes\n", 100 * s.fragmentation);
  out << fmt::format("goodput         {:.1f}% of held device-time kept\n", 100 * s.goodput);
  out << fmt::format("failures        {} ({} job interruptions, {:.1f} device-hours lost), {} preemptions\n", s.failures,
                     s.interruptions, s.lost_device_hours, s.preemptions);
  out << fmt::format("energy          {:.3f} MWh\n", s.energy_j / 3.6e9);
}

void write_jobs_csv(const scheduler::ClusterRunResult& r, std::ostream& out) {
  out << "name,devices,pool,arrival_s,first_start_s,end_s,queue_delay_s,jct_s,time_to_train_s,held_s,mfu,goodput,"
         "interruptions,preemptions,checkpoints,lost_steps,lost_seconds\n";
  for (const JobResult& j : r.jobs)
    out << fmt::format("{},{},{},{:.6g},{},{},{:.6g},{},{},{:.6g},{},{:.6g},{},{},{},{:.6g},{:.6g}\n", j.name, j.devices,
                       j.pool, j.arrival_s, opt(j.first_start_s), opt(j.end_s), j.queue_delay_s, opt(j.jct_s),
                       opt(j.time_to_train_s), j.held_s, opt(j.mfu), j.goodput, j.interruptions, j.preemptions,
                       j.checkpoints, j.lost_steps, j.lost_seconds);
}

void write_timeline_csv(const scheduler::ClusterRunResult& r, std::ostream& out) {
  out << "t_s,allocated,down,utilization,mfu_utilization,fragmentation,queued,running,power_w\n";
  for (const TimelineSample& s : r.timeline)
    out << fmt::format("{:.6g},{:.6g},{:.6g},{:.6g},{:.6g},{:.6g},{:.6g},{:.6g},{:.6g}\n", s.t_s, s.allocated, s.down,
                       s.utilization, s.mfu_utilization, s.fragmentation, s.queued, s.running, s.power_w);
}

void write_summary_csv(const scheduler::ClusterRunResult& r, std::ostream& out) {
  const auto fields = summary_fields(r.summary);
  std::string head, row;
  for (const auto& [k, v] : fields) {
    head += (head.empty() ? "" : ",") + k;
    row += (row.empty() ? "" : ",") + (v.front() == '"' ? v.substr(1, v.size() - 2) : v);
  }
  out << head << '\n' << row << '\n';
}

void write_json(const scheduler::ClusterRunResult& r, std::ostream& out) {
  out << "{\n  \"summary\": {";
  bool first = true;
  for (const auto& [k, v] : summary_fields(r.summary)) {
    out << (first ? "\n" : ",\n") << "    " << json_string(k) << ": " << v;
    first = false;
  }
  out << "\n  },\n  \"jobs\": [";
  first = true;
  for (const JobResult& j : r.jobs) {
    out << (first ? "\n" : ",\n")
        << fmt::format("    {{\"name\": {}, \"devices\": {}, \"pool\": {}, \"arrival_s\": {:.9g}, \"first_start_s\": {}, "
                       "\"end_s\": {}, \"queue_delay_s\": {:.9g}, \"jct_s\": {}, \"time_to_train_s\": {}, \"held_s\": {:.9g}, "
                       "\"mfu\": {}, \"goodput\": {:.9g}, \"interruptions\": {}, \"preemptions\": {}, \"checkpoints\": {}, "
                       "\"lost_steps\": {:.9g}, \"lost_seconds\": {:.9g}}}",
                       json_string(j.name), j.devices, json_string(j.pool), j.arrival_s, json_opt(j.first_start_s),
                       json_opt(j.end_s), j.queue_delay_s, json_opt(j.jct_s), json_opt(j.time_to_train_s), j.held_s,
                       json_opt(j.mfu), j.goodput, j.interruptions, j.preemptions, j.checkpoints, j.lost_steps,
                       j.lost_seconds);
    first = false;
  }
  out << "\n  ],\n  \"timeline\": [";
  first = true;
  for (const TimelineSample& s : r.timeline) {
    out << (first ? "\n" : ",\n")
        << fmt::format("    {{\"t_s\": {:.9g}, \"allocated\": {:.9g}, \"down\": {:.9g}, \"utilization\": {:.9g}, "
                       "\"mfu_utilization\": {:.9g}, \"fragmentation\": {:.9g}, \"queued\": {:.9g}, \"running\": {:.9g}, "
                       "\"power_w\": {:.9g}}}",
                       s.t_s, s.allocated, s.down, s.utilization, s.mfu_utilization, s.fragmentation, s.queued, s.running,
                       s.power_w);
    first = false;
  }
  out << "\n  ]\n}\n";
}

void print_cluster_run(const sim::ClusterRunOutput& r, std::ostream& out) {
  write_summary_table(r.result, out);
  if (r.skipped_rows + r.skipped_oversized > 0)
    out << fmt::format("skipped         {} trace rows (CPU-only or never started), {} oversized jobs\n", r.skipped_rows,
                       r.skipped_oversized);
}

void write_cluster_outputs(const scheduler::ClusterRunResult& r, const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw UserError(fmt::format("{}: cannot create output directory: {}", dir.string(), ec.message()));
  write_atomically(dir / "summary.csv", [&](std::ostream& o) { write_summary_csv(r, o); });
  write_atomically(dir / "jobs.csv", [&](std::ostream& o) { write_jobs_csv(r, o); });
  write_atomically(dir / "timeline.csv", [&](std::ostream& o) { write_timeline_csv(r, o); });
  write_atomically(dir / "results.json", [&](std::ostream& o) { write_json(r, o); });
}

}  // namespace podsim::io

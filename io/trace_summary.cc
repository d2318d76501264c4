#include "io/trace_summary.h"

#include <fmt/format.h>

#include <algorithm>

#include "io/trace_reader.h"

namespace podsim::io {
namespace {

double seconds(int64_t ns) { return static_cast<double>(ns) / 1e9; }

const char* level_name(v1::TraceLevel level) {
  switch (level) {
    case v1::TRACE_LEVEL_JOBS: return "jobs";
    case v1::TRACE_LEVEL_STEPS: return "steps";
    case v1::TRACE_LEVEL_FLOWS: return "flows";
    default: return "?";
  }
}

std::string opt_seconds(const std::optional<double>& s) { return s ? fmt::format("{:.1f}", *s) : "-"; }

}  // namespace

TraceSummary summarize_trace(const std::filesystem::path& path) {
  TraceSummary s;
  s.path = path.string();
  // Per job while reading: since when it queues or runs (ns), if it does.
  std::vector<std::optional<int64_t>> queued_since, running_since;
  auto close_run = [&](uint32_t j, int64_t t) {
    if (running_since[j]) s.jobs[j].running_s += seconds(t - *running_since[j]);
    running_since[j].reset();
  };
  auto close_queue = [&](uint32_t j, int64_t t) {
    if (queued_since[j]) s.jobs[j].queued_s += seconds(t - *queued_since[j]);
    queued_since[j].reset();
  };
  // Flows finish before their collective (trace.proto): by (job, collective id), the
  // flows and bytes of collectives not yet seen.
  std::map<std::pair<uint32_t, uint32_t>, std::pair<uint64_t, double>> pending_flows;
  bool first = true;
  const TraceReadStats stats = read_trace_file(
      path, [&](const v1::TraceHeader& h) { s.header = h; },
      [&](const v1::TraceEvent& e) {
        const int64_t t = e.t_ns();
        if (first) s.first_s = seconds(t);
        first = false;
        ++s.by_kind[static_cast<size_t>(e.event_case())];
        using E = v1::TraceEvent;
        switch (e.event_case()) {
          case E::kSubmitted:
          {
            std::string name = e.submitted().name();
            // A study's cell: the job on its system.
            if (s.header.comparison() && e.submitted().pools_size() > 0)
              name += " on " + s.header.pools(static_cast<int>(e.submitted().pools(0))).name();
            s.jobs.push_back({.name = std::move(name), .devices = e.submitted().devices(), .submitted_s = seconds(t)});
          }
            queued_since.emplace_back(t);
            running_since.emplace_back();
            break;
          case E::kStarted: {
            const uint32_t j = e.started().job();
            TraceJobTotals& job = s.jobs[j];
            close_queue(j, t);
            close_run(j, t);
            running_since[j] = t;
            if (!job.first_start_s) job.first_start_s = seconds(t);
            ++job.starts;
            break;
          }
          case E::kPreempted: {
            const uint32_t j = e.preempted().job();
            ++s.jobs[j].preemptions;
            s.jobs[j].lost_steps += e.preempted().lost_steps();
            close_run(j, t);
            queued_since[j] = t;
            break;
          }
          case E::kFailed: {
            const uint32_t j = e.failed().job();
            ++s.jobs[j].failures;
            s.jobs[j].lost_steps += e.failed().lost_steps();
            if (e.failed().requeued()) {
              close_run(j, t);
              queued_since[j] = t;
            }
            break;
          }
          case E::kCheckpointed: ++s.jobs[e.checkpointed().job()].checkpoints; break;
          case E::kRestarted: ++s.jobs[e.restarted().job()].restarts; break;
          case E::kFinished: {
            const uint32_t j = e.finished().job();
            close_run(j, t);
            close_queue(j, t);
            s.jobs[j].end_s = seconds(t);
            break;
          }
          case E::kStepTraced: ++s.traced_steps; break;
          case E::kCollective: {
            const v1::CollectiveRun& c = e.collective();
            CollectiveTotals& k = s.collectives[c.kind()];
            ++k.runs;
            k.collectives += c.count();
            k.bytes += c.bytes() * c.count();
            k.seconds += seconds(c.end_ns() - c.start_ns());
            if (auto it = pending_flows.find({c.job(), c.id()}); it != pending_flows.end()) {
              k.flows += it->second.first;
              k.flow_bytes += it->second.second;
              pending_flows.erase(it);
            }
            break;
          }
          case E::kCollectiveFlow: {
            const v1::CollectiveFlow& f = e.collective_flow();
            auto& [flows, bytes] = pending_flows[{f.job(), f.collective()}];
            ++flows;
            bytes += f.bytes();
            break;
          }
          case E::kStepTraceEnded:
            // Flows of no collective of the step (none in a well-formed trace).
            for (auto it = pending_flows.begin(); it != pending_flows.end();) {
              if (it->first.first != e.step_trace_ended().job()) {
                ++it;
                continue;
              }
              CollectiveTotals& k = s.collectives["(no collective)"];
              k.flows += it->second.first;
              k.flow_bytes += it->second.second;
              it = pending_flows.erase(it);
            }
            break;
          case E::kCluster: s.peak_queued = std::max(s.peak_queued, e.cluster().queued()); break;
          case E::kRunEnded:
            s.end_s = seconds(t);
            s.finished = e.run_ended().finished();
            s.unfinished = e.run_ended().unfinished();
            for (uint32_t j = 0; j < s.jobs.size(); ++j) {
              close_run(j, t);
              close_queue(j, t);
            }
            break;
          default: break;
        }
      });
  s.bytes = stats.bytes;
  s.events = stats.events;
  return s;
}

void print_trace_summary(const TraceSummary& s, std::ostream& out) {
  const v1::TraceHeader& h = s.header;
  out << fmt::format("trace           {} ({} bytes, {} events)\n", s.path, s.bytes, s.events);
  out << fmt::format("scenario        {} (seed {}), level {}\n", h.scenario(), h.seed(), level_name(h.level()));
  std::string pools;
  for (const v1::TracePool& p : h.pools()) pools += fmt::format("{}{} ({} devices)", pools.empty() ? "" : ", ", p.name(), p.devices());
  if (h.comparison())
    out << fmt::format("systems         {} (a comparison study: each job alone on each system, one step)\n", pools);
  else
    out << fmt::format("cluster         {} devices, {} leaves: {}\n", h.devices(), h.leaves(), pools);
  out << fmt::format("time span       {:.3f} s .. {:.3f} s ({:.2f} h)\n", s.first_s, s.end_s, (s.end_s - s.first_s) / 3600);
  out << "events\n";
  for (int k = 1; k < static_cast<int>(s.by_kind.size()); ++k) {
    if (s.by_kind[static_cast<size_t>(k)] == 0) continue;
    const google::protobuf::FieldDescriptor* f = v1::TraceEvent::descriptor()->FindFieldByNumber(k);
    out << fmt::format("  {:<18}{}\n", f ? f->name() : "?", s.by_kind[static_cast<size_t>(k)]);
  }
  out << fmt::format("jobs            {} submitted, {} finished, {} unfinished; queue peak {}\n", s.jobs.size(),
                     s.finished, s.unfinished, s.peak_queued);
  if (!s.collectives.empty()) {
    out << fmt::format("collectives     of {} traced steps (one simulated step each; times from the step's start)\n",
                       s.traced_steps);
    out << fmt::format("  {:<24} {:>8} {:>12} {:>14} {:>12} {:>10} {:>14}\n", "kind", "runs", "collectives", "GB/rank",
                       "time_s", "flows", "flow_GB");
    for (const auto& [kind, k] : s.collectives)
      out << fmt::format("  {:<24} {:>8} {:>12} {:>14.3f} {:>12.6f} {:>10} {:>14.3f}\n", kind, k.runs, k.collectives,
                         k.bytes / 1e9, k.seconds, k.flows, k.flow_bytes / 1e9);
  }
  if (s.jobs.empty()) return;
  out << fmt::format("{:<24} {:>7} {:>12} {:>12} {:>12} {:>6} {:>7} {:>6} {:>6} {:>8} {:>12} {:>12} {:>10}\n", "job",
                     "devices", "submitted_s", "start_s", "end_s", "starts", "preempt", "failed", "ckpts", "restarts",
                     "queued_s", "running_s", "lost_steps");
  for (const TraceJobTotals& j : s.jobs)
    out << fmt::format("{:<24} {:>7} {:>12.1f} {:>12} {:>12} {:>6} {:>7} {:>6} {:>6} {:>8} {:>12.1f} {:>12.1f} {:>10.1f}\n",
                       j.name, j.devices, j.submitted_s, opt_seconds(j.first_start_s), opt_seconds(j.end_s), j.starts,
                       j.preemptions, j.failures, j.checkpoints, j.restarts, j.queued_s, j.running_s, j.lost_steps);
}

}  // namespace podsim::io

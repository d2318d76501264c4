#include "scenario/jobs_from_proto.h"

#include <fmt/format.h>

#include <cmath>
#include <filesystem>
#include <map>
#include <set>

#include "scenario/field_ranges.h"
#include "scenario/job_from_proto.h"
#include "scenario/scenario_files.h"
#include "scenario/scenario_check.h"
#include "scenario/trace_classes.h"
#include "engine/error.h"
#include "io/input_file.h"
#include "scheduler/placement.h"
#include "scheduler/synthetic.h"
#include "scheduler/trace_classes.h"
#include "scheduler/trace_declared.h"
#include "scheduler/traces.h"

namespace podsim::scenario {
namespace {

using engine::SimTime;

// Times and lengths in seconds stay within 1e9 (~31.7 years), as horizon_s and
// arrival_s do: every simulated instant fits int64 nanoseconds.
constexpr double kMaxSeconds = 1e9;

scheduler::CheckpointPolicy checkpoint(const v1::Checkpoint& c, const v1::Checkpoint& fallback, const std::string& at,
                                       Problems& problems) {
  // Its numbers are in range (scenario/field_ranges.cc).
  const v1::Checkpoint& use = c.ByteSizeLong() > 0 ? c : fallback;
  if (use.young_daly() && !(use.write_s() > 0))
    problems.add(at + ".young_daly", "needs write_s > 0 (the interval is sqrt(2 x write_s x MTBF))");
  scheduler::CheckpointPolicy p;
  if (use.young_daly()) p.interval = scheduler::CheckpointPolicy::Interval::kYoungDaly;
  else if (use.interval_s() > 0) p.interval = scheduler::CheckpointPolicy::Interval::kFixed;
  p.every = SimTime::seconds(use.interval_s());
  p.write_cost = SimTime::seconds(use.write_s());
  p.restart_cost = SimTime::seconds(use.restart_s());
  return p;
}

std::vector<uint32_t> pools(const google::protobuf::RepeatedPtrField<std::string>& names,
                            const scheduler::Inventory& inv, const std::string& at, Problems& problems) {
  std::vector<uint32_t> out;
  for (int i = 0; i < names.size(); ++i) {
    if (auto p = inv.find_pool(names[i])) {
      out.push_back(*p);
      continue;
    }
    std::string known;
    for (const auto& p : inv.pools()) known += (known.empty() ? "" : ", ") + p.name;
    problems.add(fmt::format("{}[{}]", at, i), fmt::format("unknown pool '{}' (pools: {})", names[i], known));
  }
  return out;
}

uint32_t biggest_pool(const scheduler::Inventory& inv, const std::vector<uint32_t>& allowed) {
  uint32_t n = 0;
  for (uint32_t p = 0; p < inv.pools().size(); ++p)
    if (allowed.empty() || std::find(allowed.begin(), allowed.end(), p) != allowed.end()) n = std::max(n, inv.pool_size(p));
  return n;
}

scheduler::TimeUnit unit(v1::TraceColumns::Unit u) {
  switch (u) {
    case v1::TraceColumns::MS: return scheduler::TimeUnit::kMilliseconds;
    case v1::TraceColumns::MIN: return scheduler::TimeUnit::kMinutes;
    case v1::TraceColumns::H: return scheduler::TimeUnit::kHours;
    default: return scheduler::TimeUnit::kSeconds;
  }
}

scheduler::TimeColumn time_column(const v1::TraceColumns::Time& t) {
  scheduler::TimeColumn c{.name = t.name(), .unit = unit(t.unit())};
  switch (t.format()) {
    case v1::TraceColumns::ISO8601: c.format = scheduler::TimeFormat::kIso8601; break;
    case v1::TraceColumns::OFFSET: c.format = scheduler::TimeFormat::kOffset; break;
    case v1::TraceColumns::INTERVAL: c.format = scheduler::TimeFormat::kInterval; break;
    default: c.format = scheduler::TimeFormat::kEpoch; break;
  }
  return c;
}

// A trace's declared columns, checked: what the reader needs to find a job in a row.
scheduler::TraceColumns trace_columns(const v1::TraceSource& t, const std::string& at, Problems& problems) {
  const v1::TraceColumns& d = t.columns();
  scheduler::TraceColumns c{.job_id = d.job_id(),
                            .submit = time_column(d.submit()),
                            .start = time_column(d.start()),
                            .end = time_column(d.end()),
                            .duration = {.name = d.duration().name(), .unit = unit(d.duration().unit())},
                            .gpus = d.gpus(),
                            .nodes = d.nodes(),
                            .gpu_milli = d.gpu_milli(),
                            .gpus_per_node = d.gpus_per_node(),
                            .gpu_type = d.gpu_type(),
                            .user = d.user(),
                            .queue = d.queue(),
                            .priority = d.priority(),
                            .status = d.status(),
                            .keep_status = {d.keep_status().begin(), d.keep_status().end()},
                            .round_up_fractional = d.round_up_fractional()};
  if (t.format() != v1::TraceSource::FORMAT_UNSPECIFIED)
    problems.add(at + ".format", "a trace declared by its columns has no format (unset one of them)");
  if (c.submit.name.empty()) problems.add(at + ".columns.submit.name", "missing (expected the submit time's column)");
  if (c.duration.name.empty() && (c.start.name.empty() || c.end.name.empty()))
    problems.add(at + ".columns", "needs duration, or start and end (the run time is end - start)");
  if (!c.duration.name.empty() && (!c.start.name.empty() || !c.end.name.empty()))
    problems.add(at + ".columns.duration", "set either duration or start and end, not both");
  for (auto [name, tc] : {std::pair{"start", &c.start}, {"end", &c.end}})
    if (tc->format == scheduler::TimeFormat::kInterval)
      problems.add(fmt::format("{}.columns.{}.format", at, name), "INTERVAL is for submit only (gaps between submissions)");
  if (c.gpus.empty() && c.nodes.empty()) problems.add(at + ".columns.gpus", "missing (expected gpus or nodes)");
  if (!c.nodes.empty() && c.gpus.empty() && (c.gpus_per_node == 0 || c.gpus_per_node > 10000))
    problems.add(at + ".columns.gpus_per_node",
                 fmt::format("expected 1 to 10000 GPUs per node with nodes and no gpus column, got {}", c.gpus_per_node));
  if (c.gpus_per_node != 0 && (c.nodes.empty() || !c.gpus.empty()))
    problems.add(at + ".columns.gpus_per_node", "only with nodes and no gpus column");
  if (!c.keep_status.empty() && c.status.empty())
    problems.add(at + ".columns.keep_status", "needs the status column (columns.status)");
  return c;
}

// Why a job with placement constraints can run in no pool it may use, or nullopt.
std::optional<std::string> never_placed(const scheduler::Inventory& inv, const scheduler::JobRequest& r) {
  if (!r.placement.any()) return std::nullopt;
  std::string why;
  for (uint32_t p = 0; p < inv.pools().size(); ++p) {
    if (!r.pools.empty() && std::find(r.pools.begin(), r.pools.end(), p) == r.pools.end()) continue;
    const std::optional<std::string> problem = scheduler::constraint_problem(inv, p, r.devices, r.placement);
    if (!problem) return std::nullopt;
    why += (why.empty() ? "" : "; ") + *problem;
  }
  return why;
}

}  // namespace

sim::SchedulerJobs scheduler_jobs(const ScenarioFile& file, const scheduler::Inventory& inv) {
  const v1::Scenario& s = file.scenario();
  Problems problems(file);
  check_field_ranges(file, s, "", problems);  // the conversions below assume every number in range
  problems.throw_if_any();
  sim::SchedulerJobs out;
  const v1::Checkpoint& default_cp = s.scheduler().checkpoint();
  checkpoint(default_cp, default_cp, "scheduler.checkpoint", problems);

  // Explicit jobs, with their settings by name.
  std::map<std::string, int> settings;
  for (int i = 0; i < s.job_settings_size(); ++i) {
    const std::string& name = s.job_settings(i).job();
    bool known = false;
    for (const auto& j : s.jobs()) known |= j.name() == name;
    if (!known) problems.add(fmt::format("job_settings[{}].job", i), fmt::format("no job named '{}' in jobs", name));
    else settings[name] = i;
  }
  if (s.jobs_size() > 0) {
    out.models = training_jobs(file);  // throws with every model/plan problem
    for (int i = 0; i < s.jobs_size(); ++i) {
      const workloads::TrainingJob& t = out.models[static_cast<size_t>(i)];
      scheduler::JobRequest r{.name = t.name,
                              .arrival = SimTime::seconds(t.arrival_s),
                              .devices = static_cast<uint32_t>(t.devices),
                              .steps = static_cast<double>(t.steps()),
                              .user = t.name,
                              .workload = static_cast<uint32_t>(i) + 1};
      r.checkpoint = checkpoint(default_cp, default_cp, "scheduler.checkpoint", problems);
      if (auto it = settings.find(t.name); it != settings.end()) {
        const v1::JobSettings& js = s.job_settings(it->second);
        const std::string at = fmt::format("job_settings[{}]", it->second);
        r.pools = pools(js.pools(), inv, at + ".pools", problems);
        r.priority = js.priority();
        if (!js.user().empty()) r.user = js.user();
        if (js.weight() != 0) r.weight = js.weight();
        r.checkpoint = checkpoint(js.checkpoint(), default_cp, at + ".checkpoint", problems);
        r.placement = placement_constraints(js.placement(), at + ".placement", problems);
        if (auto why = never_placed(inv, r)) problems.add(at + ".placement", fmt::format("job '{}': {}", t.name, *why));
      }
      if (r.devices > biggest_pool(inv, r.pools))
        problems.add(fmt::format("jobs[{}].devices", i),
                     fmt::format("job '{}' needs {} devices; the largest pool it may use has {}", t.name, r.devices,
                                 biggest_pool(inv, r.pools)));
      out.jobs.push_back(std::move(r));
    }
  }
  out.explicit_jobs = out.jobs.size();

  engine::RandomStreams streams(s.seed());
  for (int i = 0; i < s.sources_size(); ++i) {
    const v1::JobSource& src = s.sources(i);
    const std::string at = fmt::format("sources[{}]", i);
    if (src.has_trace()) {
      const v1::TraceSource& t = src.trace();
      if (t.path().empty()) {
        problems.add(at + ".trace.path", "missing (expected a CSV file, relative to the scenario)");
        continue;
      }
      const std::vector<uint32_t> allowed = pools(t.pools(), inv, at + ".trace.pools", problems);
      const scheduler::CheckpointPolicy cp = checkpoint(t.checkpoint(), default_cp, at + ".trace.checkpoint", problems);
      const std::string path = trace_source_path(file, i);
      io::check_input_file(path, "CSV trace file");  // no FIFO, device or endless file; at most 1 GiB
      SourceClasses classes(file, t, at + ".trace", inv, problems);
      scheduler::Trace trace;
      if (t.has_columns()) {
        scheduler::TraceColumns columns = trace_columns(t, at + ".trace", problems);
        columns.keep_columns = classes.columns();
        if (!problems.empty()) continue;
        trace = scheduler::read_declared_trace_file(path, columns);  // throws FILE:LINE
      } else {
        const auto format =
            t.format() == v1::TraceSource::SLURM ? scheduler::TraceFormat::kSlurm : scheduler::TraceFormat::kItp;
        if (!problems.empty()) continue;
        trace = scheduler::read_trace_file(path, format);  // throws FILE:LINE
      }
      out.skipped_rows += trace.skipped;
      for (const auto& [reason, count] : trace.skipped_by_reason) out.skipped_by_reason[reason] += count;
      const size_t n = t.max_jobs() > 0 ? std::min<size_t>(t.max_jobs(), trace.jobs.size()) : trace.jobs.size();
      for (size_t k = 0; k < n; ++k) {
        const scheduler::TraceJob& tj = trace.jobs[k];
        // A declared GPU type narrows the pools to those of that name or GPU type.
        std::vector<uint32_t> job_pools = allowed;
        if (!tj.gpu_type.empty()) {
          job_pools.clear();
          size_t from = 0;
          for (;;) {
            const size_t bar = tj.gpu_type.find('|', from);
            const std::string name = tj.gpu_type.substr(from, bar == std::string::npos ? bar : bar - from);
            for (uint32_t p = 0; p < inv.pools().size(); ++p)  // by name, or by a node list's GPU type
              if (!name.empty() && (inv.pools()[p].name == name || inv.pools()[p].gpu_type == name) &&
                  (allowed.empty() || std::find(allowed.begin(), allowed.end(), p) != allowed.end()) &&
                  std::find(job_pools.begin(), job_pools.end(), p) == job_pools.end())
                job_pools.push_back(p);
            if (bar == std::string::npos) break;
            from = bar + 1;
          }
          if (job_pools.empty()) {
            ++out.skipped_rows;
            ++out.skipped_by_reason["GPU type names no pool it may use"];
            continue;
          }
        }
        const uint32_t biggest = biggest_pool(inv, job_pools);
        if (tj.devices > biggest) {
          if (t.skip_oversized()) {
            ++out.skipped_oversized;
            continue;
          }
          throw UserError(fmt::format("{}:{}: job '{}' needs {} GPUs; the largest pool it may use has {} ({}: set "
                                      "skip_oversized to drop such jobs)",
                                      path, tj.line, tj.id, tj.devices, biggest, file.where(at + ".trace")));
        }
        scheduler::JobRequest r{.name = fmt::format("{}#{}", tj.id, i),
                                .arrival = SimTime::seconds(t.start_s() + tj.submit_s),
                                .devices = tj.devices,
                                .pools = job_pools,
                                .steps = std::max(tj.duration_s, 1.0),  // a 0 s job still starts and ends
                                .priority = tj.priority,
                                .user = !tj.user.empty() ? tj.user : !tj.queue.empty() ? tj.queue : "trace",
                                .checkpoint = cp};
        if (!classes.empty()) {
          const std::optional<size_t> c = scheduler::match_class(classes.rules(), tj);
          if (!c && !t.unmatched_as_durations()) {
            ++out.skipped_rows;
            ++out.skipped_by_reason["no class matches (unmatched_as_durations replays them as run times)"];
            continue;
          }
          if (c) {
            const std::optional<uint32_t> w = classes.workload(*c, tj.devices, out);
            if (!w) {
              ++out.skipped_rows;
              ++out.skipped_by_reason[fmt::format("class '{}': its plan cannot cut {} GPUs", classes.name(*c), tj.devices)];
              continue;
            }
            r.workload = *w;
            r.placement = classes.placement(*c);
            if (auto why = never_placed(inv, r)) {
              if (t.skip_oversized()) {
                ++out.skipped_oversized;
                continue;
              }
              throw UserError(fmt::format("{}:{}: job '{}' of class '{}': {} ({}: set skip_oversized to drop such jobs)",
                                          path, tj.line, tj.id, classes.name(*c), *why,
                                          file.where(classes.field(*c) + ".placement")));
            }
            out.class_work.push_back({.job = out.jobs.size(), .duration_s = tj.duration_s,
                                      .reference_pool = classes.reference_pool(), .source = at});
          }
        }
        out.jobs.push_back(std::move(r));
      }
      classes.throw_if_unusable();
    } else if (src.has_synthetic()) {
      const v1::SyntheticSource& g = src.synthetic();
      scheduler::SyntheticOptions o{.jobs = g.jobs(), .mean_interarrival_s = g.mean_interarrival_s(),
                                    .start_s = g.start_s()};
      if (g.templates_size() == 0) problems.add(at + ".synthetic.templates", "missing (expected at least one template)");
      for (int k = 0; k < g.templates_size(); ++k) {
        const v1::JobTemplate& tp = g.templates(k);
        const std::string tat = fmt::format("{}.synthetic.templates[{}]", at, k);
        scheduler::JobTemplate jt{.name = tp.name(), .weight = tp.weight() == 0 ? 1 : tp.weight(),
                                  .median_steps = tp.median_hours() * 3600, .sigma = tp.sigma(),
                                  .pools = pools(tp.pools(), inv, tat + ".pools", problems), .priority = tp.priority(),
                                  .user = tp.user(), .checkpoint = checkpoint(tp.checkpoint(), default_cp, tat + ".checkpoint", problems)};
        if (tp.name().empty()) problems.add(tat + ".name", "missing");
        if (tp.devices_size() == 0) problems.add(tat + ".devices", "missing (expected at least one { count: N })");
        for (int c = 0; c < tp.devices_size(); ++c) {
          const uint32_t count = tp.devices(c).count();
          if (count > biggest_pool(inv, jt.pools))
            problems.add(fmt::format("{}.devices[{}].count", tat, c),
                         fmt::format("{} devices: expected 1 to {} (the largest pool it may use)", count,
                                     biggest_pool(inv, jt.pools)));
          jt.devices.emplace_back(count, tp.devices(c).weight() == 0 ? 1 : tp.devices(c).weight());
        }
        o.templates.push_back(std::move(jt));
      }
      if (!problems.empty()) continue;
      // One stream per source, so adding a source never shifts another's arrivals.
      engine::RandomEngine rng = streams.stream(fmt::format("arrivals/{}", i));
      o.name_prefix = s.sources_size() > 1 ? fmt::format("s{}/", i) : "";
      std::vector<scheduler::JobRequest> made;
      try {
        made = scheduler::generate_jobs(o, rng);
      } catch (const std::invalid_argument& e) {  // arrivals past 1e9 s
        problems.add(at + ".synthetic.mean_interarrival_s",
                     fmt::format("{} ({} jobs, one every {} s on average; expected arrivals within 1e9 s: fewer "
                                 "jobs or a shorter mean_interarrival_s)",
                                 e.what(), g.jobs(), g.mean_interarrival_s()));
        continue;
      }
      for (scheduler::JobRequest& r : made) {
        // A draw far in the log-normal's tail cannot be simulated (int64 nanoseconds);
        // say which template and field made it.
        if (r.steps > kMaxSeconds) {
          const std::string tname = r.name.substr(o.name_prefix.size(), r.name.rfind('-') - o.name_prefix.size());
          int k = 0;
          while (k + 1 < g.templates_size() && g.templates(k).name() != tname) ++k;
          const v1::JobTemplate& tp = g.templates(k);
          const std::string tat = fmt::format("{}.synthetic.templates[{}]", at, k);
          problems.add(tp.sigma() > 0 ? tat + ".sigma" : tat + ".median_hours",
                       fmt::format("job '{}' drew a length of {:.3g} hours (median_hours {}, sigma {}); expected at "
                                   "most 1e9 s ({:.0f} hours): lower median_hours or sigma",
                                   r.name, r.steps / 3600, tp.median_hours(), tp.sigma(), kMaxSeconds / 3600));
          break;
        }
        out.jobs.push_back(std::move(r));
      }
    } else {
      problems.add(at, "empty (expected trace { ... } or synthetic { ... })");
    }
  }
  std::set<std::string> names;
  for (const scheduler::JobRequest& r : out.jobs)
    if (!names.insert(r.name).second) problems.add("sources", fmt::format("two jobs are named '{}'", r.name));
  problems.throw_if_any();
  return out;
}

scheduler::FailureOptions failure_options(const ScenarioFile& file) {
  const v1::Failures& f = file.scenario().failures();
  Problems problems(file);
  check_field_ranges(file, file.scenario(), "", problems);  // the conversions below assume every number in range
  problems.throw_if_any();
  scheduler::FailureOptions o{.spares_per_pool = f.spares_per_pool()};
  if (f.llama3_device_rate()) o.kinds.push_back(scheduler::llama3_device_failures());
  for (int i = 0; i < f.kinds_size(); ++i) {
    const v1::FailureKind& k = f.kinds(i);
    scheduler::FailureKind fk{.mtbf_hours = k.mtbf_hours(), .weibull_shape = k.weibull_shape() == 0 ? 1 : k.weibull_shape()};
    fk.unit = k.unit() == v1::FailureKind::NODE   ? scheduler::FailureUnit::kNode
              : k.unit() == v1::FailureKind::LINK ? scheduler::FailureUnit::kLink
                                                  : scheduler::FailureUnit::kDevice;
    if (k.repair_hours() > 0) fk.repair = SimTime::seconds(k.repair_hours() * 3600);
    o.kinds.push_back(fk);
  }
  return o;
}

}  // namespace podsim::scenario

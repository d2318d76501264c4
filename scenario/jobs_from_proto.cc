#include "scenario/jobs_from_proto.h"

#include <fmt/format.h>

#include <iterator>
#include <map>
#include <set>

#include "scenario/field_ranges.h"
#include "scenario/job_from_proto.h"
#include "scenario/scenario_files.h"
#include "scenario/scenario_check.h"
#include "scenario/trace_classes.h"
#include "engine/error.h"
#include "engine/printable.h"
#include "io/input_file.h"
#include "scheduler/trace_declared.h"
#include "scheduler/traces.h"

namespace podsim::scenario {
namespace {

using engine::SimTime;

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

std::vector<std::string> names(const google::protobuf::RepeatedPtrField<std::string>& pools) {
  return {pools.begin(), pools.end()};
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

// A declared header: names a row can be read by, so each one once and none empty.
void check_header(const std::vector<std::string>& header, const std::string& at, Problems& problems) {
  constexpr size_t kMaxColumns = 10000;  // far beyond any published job table (PAI's widest: 16)
  if (header.size() > kMaxColumns)
    problems.add(at, fmt::format("expected at most {} column names, got {}", kMaxColumns, header.size()));
  std::set<std::string> seen;
  for (size_t i = 0; i < header.size(); ++i) {
    if (header[i].empty()) problems.add(fmt::format("{}[{}]", at, i), "empty (expected the column's name)");
    else if (!seen.insert(header[i]).second)
      problems.add(fmt::format("{}[{}]", at, i), fmt::format("'{}' named twice (expected unique names)", printable(header[i])));
  }
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
                            .round_up_fractional = d.round_up_fractional(),
                            .header = {d.header().begin(), d.header().end()}};
  if (d.gpus_unit() == v1::TraceColumns::PERCENT) c.gpus_unit = scheduler::GpuUnit::kPercent;
  // Any format (ITP, SLURM, SWF) beside columns would be ignored: the columns say how to read the file.
  if (t.format() != v1::TraceSource::FORMAT_UNSPECIFIED)
    problems.add(at + ".format", fmt::format("{} set beside columns (expected one of them: columns for a declared "
                                             "table, or format for the built-in ITP, SLURM or SWF reader)",
                                             v1::TraceSource::Format_Name(t.format())));
  if (c.submit.name.empty()) problems.add(at + ".columns.submit.name", "missing (expected the submit time's column)");
  if (c.duration.name.empty() && (c.start.name.empty() || c.end.name.empty()))
    problems.add(at + ".columns", "needs duration, or start and end (the run time is end - start)");
  if (!c.duration.name.empty() && (!c.start.name.empty() || !c.end.name.empty()))
    problems.add(at + ".columns.duration", "set either duration or start and end, not both");
  for (auto [name, tc] : {std::pair{"start", &c.start}, {"end", &c.end}})
    if (tc->format == scheduler::TimeFormat::kInterval)
      problems.add(fmt::format("{}.columns.{}.format", at, name), "INTERVAL is for submit only (gaps between submissions)");
  // The run time is end - start: both must be points on one clock. A start since 1970
  // and an end since the trace's zero made every row "an end before its start".
  const auto format_name = [](v1::TraceColumns::TimeFormat f) {
    return f == v1::TraceColumns::TIME_FORMAT_UNSPECIFIED ? std::string("EPOCH (the default)")
                                                          : v1::TraceColumns::TimeFormat_Name(f);
  };
  const auto calendar = [](scheduler::TimeFormat f) {
    return f == scheduler::TimeFormat::kEpoch || f == scheduler::TimeFormat::kIso8601;
  };
  if (!c.start.name.empty() && !c.end.name.empty() && c.start.format != scheduler::TimeFormat::kInterval &&
      c.end.format != scheduler::TimeFormat::kInterval && calendar(c.start.format) != calendar(c.end.format))
    problems.add(at + ".columns.end.format",
                 fmt::format("{} beside start's {} (expected both on one clock: EPOCH or ISO8601 for both, or OFFSET "
                             "for both; the run time is end - start)",
                             format_name(d.end().format()), format_name(d.start().format())));
  // One column read as two quantities (a GPU count and a duration) is a slip of the
  // declaration: every row would give both the same number. A submit column that is
  // also the start column is kept: a log of started jobs has no other submission time.
  const std::pair<const char*, const std::string*> quantities[] = {
      {"submit.name", &c.submit.name}, {"start.name", &c.start.name}, {"end.name", &c.end.name},
      {"duration.name", &c.duration.name}, {"gpus", &c.gpus}, {"nodes", &c.nodes}, {"gpu_milli", &c.gpu_milli}};
  for (size_t k = 1; k < std::size(quantities); ++k)
    for (size_t j = 0; j < k; ++j)
      if (!quantities[k].second->empty() && *quantities[k].second == *quantities[j].second && !(j == 0 && k == 1)) {
        problems.add(fmt::format("{}.columns.{}", at, quantities[k].first),
                     fmt::format("'{}' is also columns.{} (expected a column of its own: each row would give both "
                                 "the same number)",
                                 printable(*quantities[k].second), quantities[j].first));
        break;
      }
  if (c.gpus.empty() && c.nodes.empty()) problems.add(at + ".columns.gpus", "missing (expected gpus or nodes)");
  if (!c.nodes.empty() && c.gpus.empty() && (c.gpus_per_node == 0 || c.gpus_per_node > 10000))
    problems.add(at + ".columns.gpus_per_node",
                 fmt::format("expected 1 to 10000 GPUs per node with nodes and no gpus column, got {}", c.gpus_per_node));
  if (c.gpus_per_node != 0 && (c.nodes.empty() || !c.gpus.empty()))
    problems.add(at + ".columns.gpus_per_node", "only with nodes and no gpus column");
  if (d.gpus_unit() == v1::TraceColumns::PERCENT && c.gpus.empty())
    problems.add(at + ".columns.gpus_unit", "PERCENT needs the gpus column (columns.gpus)");
  check_header(c.header, at + ".columns.header", problems);
  if (!c.keep_status.empty() && c.status.empty())
    problems.add(at + ".columns.keep_status", "needs the status column (columns.status)");
  return c;
}

}  // namespace

void job_sources(const ScenarioFile& file, sim::ClusterRunSpec& spec) {
  const v1::Scenario& s = file.scenario();
  Problems problems(file);
  check_field_ranges(file, s, "", problems);  // the conversions below assume every number in range
  problems.throw_if_any();
  const v1::Checkpoint& default_cp = s.scheduler().checkpoint();
  checkpoint(default_cp, default_cp, "scheduler.checkpoint", problems);

  // Explicit jobs, with their settings by name.
  const std::map<std::string, int> settings = job_settings_by_name(s, problems);
  if (s.jobs_size() > 0) {
    std::vector<workloads::TrainingJob> models = training_jobs(file);  // throws with every model/plan problem
    for (int i = 0; i < s.jobs_size(); ++i) {
      sim::ExplicitJob e{.model = std::move(models[static_cast<size_t>(i)]), .auto_plan = s.jobs(i).plan().auto_plan()};
      e.checkpoint = checkpoint(default_cp, default_cp, "scheduler.checkpoint", problems);
      if (auto it = settings.find(e.model.name); it != settings.end()) {
        const v1::JobSettings& js = s.job_settings(it->second);
        e.settings_field = fmt::format("job_settings[{}]", it->second);
        e.pools = names(js.pools());
        e.priority = js.priority();
        e.user = js.user();
        if (js.weight() != 0) e.weight = js.weight();
        e.checkpoint = checkpoint(js.checkpoint(), default_cp, e.settings_field + ".checkpoint", problems);
        e.placement = placement_constraints(js.placement(), e.settings_field + ".placement", problems);
      }
      spec.jobs.push_back(std::move(e));
    }
  }

  for (int i = 0; i < s.sources_size(); ++i) {
    const v1::JobSource& src = s.sources(i);
    const std::string at = fmt::format("sources[{}]", i);
    if (src.has_trace()) {
      const v1::TraceSource& t = src.trace();
      if (t.path().empty()) {
        problems.add(at + ".trace.path", "missing (expected a CSV file, relative to the scenario)");
        continue;
      }
      sim::TraceJobs jobs{.path = trace_source_path(file, i),
                          .pools = names(t.pools()),
                          .checkpoint = checkpoint(t.checkpoint(), default_cp, at + ".trace.checkpoint", problems),
                          .start_s = t.start_s(),
                          .max_jobs = t.max_jobs(),
                          .skip_oversized = t.skip_oversized(),
                          .reference_pool = t.reference().pool(),
                          .unmatched_as_durations = t.unmatched_as_durations()};
      io::check_input_file(jobs.path, "CSV trace file");  // no FIFO, device or endless file; at most 1 GiB
      std::vector<std::string> columns;
      jobs.classes = trace_classes(file, t, at + ".trace", problems, columns);
      if (t.has_columns()) {
        scheduler::TraceColumns declared = trace_columns(t, at + ".trace", problems);
        declared.keep_columns = std::move(columns);
        if (!problems.empty()) continue;
        jobs.trace = scheduler::read_declared_trace_file(jobs.path, declared, jobs.max_jobs);  // throws FILE:LINE
      } else {
        const auto format = t.format() == v1::TraceSource::SLURM ? scheduler::TraceFormat::kSlurm
                            : t.format() == v1::TraceSource::SWF ? scheduler::TraceFormat::kSwf
                                                                  : scheduler::TraceFormat::kItp;
        if (!problems.empty()) continue;
        jobs.trace = scheduler::read_trace_file(jobs.path, format, jobs.max_jobs);  // throws FILE:LINE
      }
      spec.sources.emplace_back(std::move(jobs));
    } else if (src.has_synthetic()) {
      const v1::SyntheticSource& g = src.synthetic();
      sim::SyntheticJobs jobs{.jobs = g.jobs(), .mean_interarrival_s = g.mean_interarrival_s(), .start_s = g.start_s()};
      for (int k = 0; k < g.templates_size(); ++k) {
        const v1::JobTemplate& tp = g.templates(k);
        const std::string tat = fmt::format("{}.synthetic.templates[{}]", at, k);
        sim::SyntheticTemplate jt{.name = tp.name(), .weight = tp.weight() == 0 ? 1 : tp.weight(),
                                  .median_hours = tp.median_hours(), .sigma = tp.sigma(), .pools = names(tp.pools()),
                                  .priority = tp.priority(), .user = tp.user(),
                                  .checkpoint = checkpoint(tp.checkpoint(), default_cp, tat + ".checkpoint", problems)};
        for (int c = 0; c < tp.devices_size(); ++c)
          jt.devices.emplace_back(tp.devices(c).count(), tp.devices(c).weight() == 0 ? 1 : tp.devices(c).weight());
        jobs.templates.push_back(std::move(jt));
      }
      spec.sources.emplace_back(std::move(jobs));
    } else {
      problems.add(at, "empty (expected trace { ... } or synthetic { ... })");
    }
  }
  problems.throw_if_any();
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

#include "sim/job_sources.h"

#include <fmt/format.h>

#include <map>
#include <string_view>
#include <stdexcept>

#include "engine/printable.h"
#include "engine/random.h"
#include "scheduler/synthetic.h"
#include "sim/job_pools.h"
#include "sim/trace_jobs.h"

namespace podsim::sim {
namespace {

using engine::SimTime;

// Times and lengths in seconds stay within 1e9 (~31.7 years), as horizon_s and
// arrival_s do: every simulated instant fits int64 nanoseconds.
constexpr double kMaxSeconds = 1e9;

void add_explicit_jobs(const std::vector<ExplicitJob>& jobs, const scheduler::Inventory& inv, uint32_t spares,
                       SchedulerJobs& out, FieldProblems& problems) {
  for (size_t i = 0; i < jobs.size(); ++i) {
    const ExplicitJob& e = jobs[i];
    const workloads::TrainingJob& t = e.model;
    const std::string at = e.settings_field.empty() ? fmt::format("jobs[{}]", i) : e.settings_field;
    scheduler::JobRequest r{.name = t.name,
                            .arrival = SimTime::seconds(t.arrival_s),
                            .devices = static_cast<uint32_t>(t.devices),
                            .pools = named_pools(e.pools, inv, at + ".pools", problems),
                            .steps = static_cast<double>(t.steps()),
                            .priority = e.priority,
                            .user = e.user.empty() ? t.name : e.user,
                            .weight = e.weight,
                            .checkpoint = e.checkpoint,
                            .workload = static_cast<uint32_t>(i) + 1,
                            .placement = e.placement};
    if (auto why = never_placed(inv, r)) problems.add(at + ".placement", fmt::format("job '{}': {}", printable(t.name), *why));
    if (const uint32_t room = biggest_pool(inv, r.pools, spares); r.devices > room)
      problems.add(fmt::format("jobs[{}].devices", i),
                   fmt::format("job '{}' needs {} devices; the largest pool it may use has {}", printable(t.name), r.devices,
                               pool_room(room, spares)));
    out.models.push_back(t);
    out.jobs.push_back(std::move(r));
  }
  out.explicit_jobs = out.jobs.size();
  for (const ExplicitJob& e : jobs) out.auto_plan.push_back(e.auto_plan);
}

void add_synthetic_jobs(const SyntheticJobs& g, size_t index, size_t sources, engine::RandomStreams& streams,
                        const scheduler::Inventory& inv, uint32_t spares, SchedulerJobs& out, FieldProblems& problems) {
  const std::string at = fmt::format("sources[{}]", index);
  scheduler::SyntheticOptions o{.jobs = g.jobs, .mean_interarrival_s = g.mean_interarrival_s, .start_s = g.start_s};
  if (g.templates.empty()) problems.add(at + ".synthetic.templates", "missing (expected at least one template)");
  for (size_t k = 0; k < g.templates.size(); ++k) {
    const SyntheticTemplate& tp = g.templates[k];
    const std::string tat = fmt::format("{}.synthetic.templates[{}]", at, k);
    scheduler::JobTemplate jt{.name = tp.name, .weight = tp.weight, .median_steps = tp.median_hours * 3600,
                              .sigma = tp.sigma, .pools = named_pools(tp.pools, inv, tat + ".pools", problems),
                              .priority = tp.priority, .user = tp.user, .checkpoint = tp.checkpoint};
    if (tp.name.empty()) problems.add(tat + ".name", "missing");
    if (tp.devices.empty()) problems.add(tat + ".devices", "missing (expected at least one { count: N })");
    for (size_t c = 0; c < tp.devices.size(); ++c) {
      const uint32_t count = tp.devices[c].first;
      if (const uint32_t room = biggest_pool(inv, jt.pools, spares); count > room)
        problems.add(fmt::format("{}.devices[{}].count", tat, c),
                     fmt::format("{} devices: expected 1 to {} (the largest pool it may use{})", count, room,
                                 spares > 0 ? ": " + spares_note(room, spares) : ""));
      jt.devices.push_back(tp.devices[c]);
    }
    o.templates.push_back(std::move(jt));
  }
  if (!problems.empty()) return;
  // One stream per source, so adding a source never shifts another's arrivals.
  engine::RandomEngine rng = streams.stream(fmt::format("arrivals/{}", index));
  o.name_prefix = sources > 1 ? fmt::format("s{}/", index) : "";
  std::vector<scheduler::JobRequest> made;
  try {
    made = scheduler::generate_jobs(o, rng);
  } catch (const std::invalid_argument& e) {  // arrivals past 1e9 s
    problems.add(at + ".synthetic.mean_interarrival_s",
                 fmt::format("{} ({} jobs, one every {} s on average; expected arrivals within 1e9 s: fewer "
                             "jobs or a shorter mean_interarrival_s)",
                             e.what(), g.jobs, g.mean_interarrival_s));
    return;
  }
  for (scheduler::JobRequest& r : made) {
    // A draw far in the log-normal's tail cannot be simulated (int64 nanoseconds);
    // say which template and field made it.
    if (r.steps > kMaxSeconds) {
      const std::string tname = r.name.substr(o.name_prefix.size(), r.name.rfind('-') - o.name_prefix.size());
      size_t k = 0;
      while (k + 1 < g.templates.size() && g.templates[k].name != tname) ++k;
      const SyntheticTemplate& tp = g.templates[k];
      const std::string tat = fmt::format("{}.synthetic.templates[{}]", at, k);
      problems.add(tp.sigma > 0 ? tat + ".sigma" : tat + ".median_hours",
                   fmt::format("job '{}' drew a length of {:.3g} hours (median_hours {}, sigma {}); expected at "
                               "most 1e9 s ({:.0f} hours): lower median_hours or sigma",
                               printable(r.name), r.steps / 3600, tp.median_hours, tp.sigma, kMaxSeconds / 3600));
      break;
    }
    out.jobs.push_back(std::move(r));
  }
}

}  // namespace

SchedulerJobs scheduler_jobs(const ClusterRunSpec& spec, const scheduler::Inventory& inv) {
  SchedulerJobs out;
  FieldProblems problems;
  // Hot spares are held back in every pool: a pool they would empty is refused here, at
  // the field (the scheduler's own refusal named no file), and jobs fit what is left.
  const uint32_t spares = spec.options.failures.spares_per_pool;
  for (uint32_t p = 0; p < inv.pools().size(); ++p)
    if (spares > 0 && spares >= inv.pool_size(p)) {
      problems.add("failures.spares_per_pool",
                   fmt::format("{} hot spares leave no device in pool '{}' ({} devices; expected fewer spares than "
                               "the smallest pool's devices)",
                               spares, printable(inv.pools()[p].name), inv.pool_size(p)));
      problems.throw_if_any();  // every job would be refused too: one line says it
    }
  add_explicit_jobs(spec.jobs, inv, spares, out, problems);
  engine::RandomStreams streams(spec.options.seed);
  for (size_t i = 0; i < spec.sources.size(); ++i) {
    if (const auto* t = std::get_if<TraceJobs>(&spec.sources[i])) add_trace_jobs(*t, i, inv, spares, out, problems);
    else
      add_synthetic_jobs(std::get<SyntheticJobs>(spec.sources[i]), i, spec.sources.size(), streams, inv, spares, out,
                         problems);
  }
  // An explicit job may take a name podsim gives a source's job: said at the job's name
  // (once "sources: two jobs are named 'a#0'", no line).
  std::map<std::string_view, size_t> names;
  for (size_t j = 0; j < out.jobs.size(); ++j) {
    const auto [first, fresh] = names.try_emplace(out.jobs[j].name, j);
    if (fresh) continue;
    if (first->second < out.explicit_jobs)
      problems.add(fmt::format("jobs[{}].name", first->second),
                   fmt::format("'{}' is also the name podsim gives a job of the sources ('<id>#<source>' for a trace "
                               "row, '<template>-<k>' for a synthetic job; expected another name)",
                               printable(out.jobs[j].name)));
    else
      problems.add("sources", fmt::format("two jobs are named '{}'", printable(out.jobs[j].name)));
  }
  problems.throw_if_any();
  return out;
}

}  // namespace podsim::sim

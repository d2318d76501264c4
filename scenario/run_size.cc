#include "scenario/run_size.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "io/input_file.h"
#include "scenario/cluster_from_proto.h"
#include "scenario/scenario_check.h"
#include "scenario/scenario_files.h"
#include "sim/memory_limit.h"
#include "workloads/accounting.h"

namespace podsim::scenario {
namespace {

// Devices of the scenario's cluster, from its parameters (nothing is built).
double cluster_devices(const ScenarioFile& file) {
  double devices = 0;
  for (const topologies::PoolParams& pool : cluster_params(file).pools) {
    const topologies::SystemShape s = topologies::shape(pool.system);
    devices += static_cast<double>(pool.count) * s.nodes * s.devices_per_node;
  }
  return devices;
}

// `extra`: terms counted here, beyond sim::estimate_run's.
void refuse_if_over(const ScenarioFile& file, const sim::RunLoad& load, const std::vector<sim::RunTerm>& extra = {}) {
  sim::RunEstimate e = sim::estimate_run(load);
  for (const sim::RunTerm& t : extra) {
    e.bytes += t.bytes;
    e.events += t.events;
    e.terms.push_back(t);
  }
  if (auto r = sim::run_refusal(e, run_limits(file), sim::available_memory_bytes())) {
    Problems problems(file);
    problems.add(r->field, r->message);
    problems.throw_if_any();
  }
}

// The jobs the scenario asks for, and the field most of them come from.
sim::RunLoad counted_jobs(const ScenarioFile& file) {
  const v1::Scenario& s = file.scenario();
  sim::RunLoad load;
  load.jobs = s.jobs_size();
  double most = s.jobs_size();
  for (int i = 0; i < s.sources_size(); ++i) {
    double n = 0;
    std::string field;
    if (s.sources(i).has_synthetic()) {
      n = s.sources(i).synthetic().jobs();
      field = fmt::format("sources[{}].synthetic.jobs", i);
    } else if (s.sources(i).has_trace() && !s.sources(i).trace().path().empty()) {
      // One job per row at most; the file is read with the 1 GiB cap (io/input_file.h).
      const std::optional<uint64_t> lines = io::count_lines(trace_source_path(file, i), "CSV trace file");
      n = lines ? static_cast<double>(*lines) : 0;
      if (s.sources(i).trace().max_jobs() > 0) n = std::min(n, static_cast<double>(s.sources(i).trace().max_jobs()));
      field = fmt::format("sources[{}].trace.path", i);
    }
    load.jobs += n;
    if (n > most) most = n, load.jobs_field = field;
  }
  return load;
}

// Where job `request`'s checkpoint interval was set: the field whose values match it.
size_t checkpoint_field(const ScenarioFile& file, const scheduler::CheckpointPolicy& cp,
                        std::vector<std::string>& fields) {
  const v1::Scenario& s = file.scenario();
  const auto matches = [&](const v1::Checkpoint& c) {
    if (c.young_daly() != (cp.interval == scheduler::CheckpointPolicy::Interval::kYoungDaly)) return false;
    const double v = c.young_daly() ? c.write_s() : c.interval_s();
    const double have = (c.young_daly() ? cp.write_cost : cp.every).to_seconds();
    return std::abs(v - have) <= 1e-9 + 1e-9 * std::abs(v);
  };
  const auto field_of = [&](const std::string& at, const v1::Checkpoint& c) {
    return at + (c.young_daly() ? ".write_s" : ".interval_s");
  };
  std::string field;
  if (matches(s.scheduler().checkpoint())) field = field_of("scheduler.checkpoint", s.scheduler().checkpoint());
  for (int i = 0; field.empty() && i < s.job_settings_size(); ++i)
    if (s.job_settings(i).has_checkpoint() && matches(s.job_settings(i).checkpoint()))
      field = field_of(fmt::format("job_settings[{}].checkpoint", i), s.job_settings(i).checkpoint());
  for (int i = 0; field.empty() && i < s.sources_size(); ++i) {
    const v1::JobSource& src = s.sources(i);
    if (src.has_trace() && src.trace().has_checkpoint() && matches(src.trace().checkpoint()))
      field = field_of(fmt::format("sources[{}].trace.checkpoint", i), src.trace().checkpoint());
    for (int t = 0; field.empty() && src.has_synthetic() && t < src.synthetic().templates_size(); ++t)
      if (src.synthetic().templates(t).has_checkpoint() && matches(src.synthetic().templates(t).checkpoint()))
        field = field_of(fmt::format("sources[{}].synthetic.templates[{}].checkpoint", i, t),
                         src.synthetic().templates(t).checkpoint());
  }
  if (field.empty()) field = "scheduler.checkpoint.interval_s";
  const auto it = std::find(fields.begin(), fields.end(), field);
  if (it != fields.end()) return static_cast<size_t>(it - fields.begin());
  fields.push_back(field);
  return fields.size() - 1;
}

}  // namespace

double job_pool_indices(const std::vector<scheduler::JobRequest>& jobs) {
  double n = 0;
  for (const scheduler::JobRequest& j : jobs) n += static_cast<double>(j.pools.size());
  return n;
}

sim::RunLimits run_limits(const ScenarioFile& file) {
  const v1::Limits& l = file.scenario().limits();
  Problems problems(file);
  sim::RunLimits limits;
  if (!std::isfinite(l.max_events()) || l.max_events() < 0 || l.max_events() > 1e18)
    problems.add("limits.max_events", fmt::format("expected a count in [0, 1e18] (0: 1e9), got {}", l.max_events()));
  else if (l.max_events() > 0)
    limits.max_events = l.max_events();
  if (!std::isfinite(l.max_memory_gib()) || l.max_memory_gib() < 0 || l.max_memory_gib() > 1e9)
    problems.add("limits.max_memory_gib",
                 fmt::format("expected GiB in [0, 1e9] (0: what the machine has available), got {}", l.max_memory_gib()));
  else if (l.max_memory_gib() > 0)
    limits.max_bytes = l.max_memory_gib() * (1ULL << 30);
  problems.throw_if_any();
  return limits;
}

namespace {

// The run as its fields count it, before anything is built or drawn.
sim::RunLoad load_before_build(const ScenarioFile& file, scheduler::PolicyKind policy) {
  sim::RunLoad load = counted_jobs(file);
  load.policy = policy;
  // Classes of queued job (devices, pools named) the synthetic templates can draw: a
  // lower bound (trace and explicit jobs are not read yet).
  std::set<std::pair<uint32_t, std::vector<std::string>>> classes;
  // Synthetic sources: their queue from the templates' mean work, before any is drawn.
  const v1::Scenario& s = file.scenario();
  const double devices = cluster_devices(file);
  for (int i = 0; i < s.sources_size(); ++i)
    if (s.sources(i).has_synthetic()) {
      const v1::SyntheticSource& syn = s.sources(i).synthetic();
      double weights = 0, work = 0;
      for (const v1::JobTemplate& t : syn.templates()) {
        const double w = t.weight() > 0 ? t.weight() : 1;
        double dw = 0, dn = 0;
        for (const v1::DeviceChoice& d : t.devices()) {
          const double dwt = d.weight() > 0 ? d.weight() : 1;
          dw += dwt;
          dn += dwt * d.count();
          classes.emplace(d.count(), std::vector<std::string>(t.pools().begin(), t.pools().end()));
        }
        // A log-normal's mean is its median x e^{sigma^2 / 2}.
        const double seconds = t.median_hours() * 3600 * std::exp(std::min(t.sigma() * t.sigma() / 2, 700.0));
        weights += w;
        work += w * (dw > 0 ? dn / dw : 0) * seconds;
      }
      if (weights > 0)
        load.mean_waiting += sim::mean_waiting_uniform(syn.jobs(), syn.mean_interarrival_s(), work / weights, devices);
    }
  load.queue_classes = std::max<double>(1, static_cast<double>(classes.size()));
  const uint32_t samples = file.scenario().scheduler().timeline_samples();
  load.timeline_samples = samples > 0 ? samples : 100;
  // A node list makes one pool per GPU type and size; at least one each before it is read.
  load.pools = std::max(1, file.scenario().cluster().pools_size() + file.scenario().cluster().node_lists_size());
  return load;
}

}  // namespace

void check_run_size_before_build(const ScenarioFile& file, scheduler::PolicyKind policy) {
  refuse_if_over(file, load_before_build(file, policy));
}

double cluster_run_bytes(const ScenarioFile& file) {
  // The queue's passes, the one term the policy prices, hold no memory.
  return sim::cluster_build_bytes(cluster_params(file)) +
         sim::estimate_run(load_before_build(file, scheduler::PolicyKind::kFifo)).bytes;
}

void check_run_size(const ScenarioFile& file, const topologies::Cluster& cluster, const scheduler::Inventory& inv,
                    const sim::SchedulerJobs& jobs, const scheduler::ClusterRunOptions& options) {
  sim::RunLoad load = counted_jobs(file);
  load.jobs = static_cast<double>(jobs.jobs.size());
  load.devices = static_cast<double>(inv.devices().size());
  load.pools = static_cast<double>(inv.pools().size());
  load.horizon_s = options.horizon ? std::optional(options.horizon->to_seconds()) : std::nullopt;
  load.timeline_samples = static_cast<double>(options.timeline_samples);
  load.policy = options.policy.kind;
  load.las_thresholds_s = options.policy.las_thresholds;
  std::set<std::tuple<uint32_t, scheduler::PlacementConstraints, std::vector<uint32_t>>> classes;
  for (const scheduler::JobRequest& j : jobs.jobs) classes.emplace(j.devices, j.placement, j.pools);
  load.queue_classes = std::max<double>(1, static_cast<double>(classes.size()));

  const double nodes = std::max<double>(1, inv.node_count());
  const bool llama3 = file.scenario().failures().llama3_device_rate();
  for (size_t k = 0; k < options.failures.kinds.size(); ++k) {
    const scheduler::FailureKind& f = options.failures.kinds[k];
    const bool device = f.unit == scheduler::FailureUnit::kDevice;
    load.failures.push_back(
        {.field = llama3 && k == 0 ? "failures.llama3_device_rate"
                                   : fmt::format("failures.kinds[{}].mtbf_hours", k - (llama3 ? 1 : 0)),
         .units = device ? load.devices : nodes,
         .devices_per_unit = device ? 1 : load.devices / nodes,
         .mtbf_s = f.mtbf_hours * 3600,
         .repair_s = f.repair.to_seconds()});
  }

  // Explicit jobs: FLOPs at the fastest peak of any device is the least time they take.
  double peak = 0;
  for (const auto& d : cluster.devices())
    for (auto p : {d.spec->peak_bf16, d.spec->peak_fp16, d.spec->peak_fp8.value_or(d.spec->peak_bf16),
                   d.spec->peak_int8.value_or(d.spec->peak_bf16), d.spec->peak_fp4.value_or(d.spec->peak_bf16)})
      peak = std::max(peak, p.value());
  double fastest_pool = 0;
  for (const scheduler::PoolInfo& p : inv.pools()) fastest_pool = std::max(fastest_pool, p.relative_speed);
  if (!(fastest_pool > 0)) fastest_pool = 1;

  for (const scheduler::JobRequest& j : jobs.jobs) {
    double run_s = j.steps / fastest_pool;  // trace and synthetic jobs: reference seconds
    if (j.workload > 0 && j.workload <= jobs.models.size() && peak > 0) {
      const workloads::TrainingJob& m = jobs.models[j.workload - 1];
      run_s = j.steps * m.plan.global_batch * workloads::model_flops_per_sample(m.model) / (j.devices * peak);
    }
    double every = 0;
    if (j.checkpoint.interval == scheduler::CheckpointPolicy::Interval::kFixed) every = j.checkpoint.every.to_seconds();
    if (j.checkpoint.interval == scheduler::CheckpointPolicy::Interval::kYoungDaly &&
        j.checkpoint.write_cost > engine::SimTime::zero())
      every = scheduler::young_daly_interval(j.checkpoint.write_cost, scheduler::job_mtbf_seconds(options.failures, j.devices, 1))
                  .to_seconds();
    load.job_loads.push_back({.arrival_s = j.arrival.to_seconds(),
                              .devices = static_cast<double>(j.devices),
                              .run_s = run_s,
                              .checkpoint_every_s = std::isfinite(every) ? every : 0,
                              .restart_s = j.checkpoint.restart_cost.to_seconds(),
                              .checkpoint_field = every > 0 ? checkpoint_field(file, j.checkpoint, load.checkpoint_fields) : 0});
    load.job_names.push_back(j.name);
  }
  std::vector<sim::JobLoad> by_arrival = load.job_loads;
  std::stable_sort(by_arrival.begin(), by_arrival.end(),
                   [](const sim::JobLoad& a, const sim::JobLoad& b) { return a.arrival_s < b.arrival_s; });
  load.mean_waiting = sim::mean_waiting_fluid(by_arrival, load.devices);
  // Jobs whose lists of pools are their own (named pools; class jobs with a plan on
  // only some pools): kBytesPerJob was measured with short lists.
  const double indices = job_pool_indices(jobs.jobs);
  refuse_if_over(file, load,
                 {{.field = load.jobs_field,
                   .how = fmt::format("{:.0f} jobs' lists of the pools each may use, {:.0f} indices x 4 B", load.jobs,
                                      indices),
                   .events = 0,
                   .bytes = indices * sizeof(uint32_t)}});
}

}  // namespace podsim::scenario

#include "scenario/trace_classes.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "scenario/job_from_proto.h"

namespace podsim::scenario {
namespace v1 = podsim::v1;

scheduler::PlacementConstraints placement_constraints(const v1::PlacementConstraints& c, const std::string& field,
                                                      Problems& problems) {
  // Ranges: scenario/field_ranges.cc, checked when the scenario was read.
  scheduler::PlacementConstraints out{.whole_nodes = c.whole_nodes(), .max_domains = c.max_domains()};
  if (c.one_domain()) {
    if (c.max_domains() > 1)
      problems.add(field + ".one_domain", fmt::format("set one_domain or max_domains ({}), not both", c.max_domains()));
    out.max_domains = 1;
  }
  return out;
}

SourceClasses::SourceClasses(const ScenarioFile& file, const v1::TraceSource& t, const std::string& field,
                             const scheduler::Inventory& inv, Problems& problems)
    : file_(file), t_(t), field_(field) {
  // The reference: the pool named, else the slowest (as run-time-only jobs take it).
  const auto& pools = inv.pools();
  for (uint32_t p = 0; p < pools.size(); ++p)
    if (pools[p].relative_speed < pools[reference_].relative_speed) reference_ = p;
  if (!t.reference().pool().empty()) {
    if (auto p = inv.find_pool(t.reference().pool())) {
      reference_ = *p;
    } else {
      std::string known;
      for (const auto& q : pools) known += (known.empty() ? "" : ", ") + q.name;
      problems.add(field + ".reference.pool", fmt::format("unknown pool '{}' (pools: {})", t.reference().pool(), known));
    }
  }
  if (t.classes_size() == 0 && (t.has_reference() || t.unmatched_as_durations()))
    problems.add(field + (t.has_reference() ? ".reference" : ".unmatched_as_durations"),
                 "only with classes (a run-time-only job is work at reference speed)");
  std::set<std::string> names;
  for (int k = 0; k < t.classes_size(); ++k) {
    const v1::JobClass& c = t.classes(k);
    const std::string at = fmt::format("{}.classes[{}]", field, k);
    if (c.name().empty()) problems.add(at + ".name", "missing (expected a class name, e.g. \"finetune\")");
    else if (!names.insert(c.name()).second) problems.add(at + ".name", fmt::format("duplicate class name '{}'", c.name()));
    const v1::ClassMatch& m = c.match();
    scheduler::ClassRule r{.min_gpus = m.min_gpus(), .max_gpus = m.max_gpus(), .min_duration_s = m.min_duration_s(),
                           .max_duration_s = m.max_duration_s(), .users = {m.users().begin(), m.users().end()},
                           .queues = {m.queues().begin(), m.queues().end()}};
    if (m.max_gpus() > 0 && m.min_gpus() > m.max_gpus())
      problems.add(at + ".match.max_gpus", fmt::format("expected >= min_gpus ({}), got {}", m.min_gpus(), m.max_gpus()));
    if (m.max_duration_s() > 0 && m.min_duration_s() > m.max_duration_s())
      problems.add(at + ".match.max_duration_s",
                   fmt::format("expected >= min_duration_s ({}), got {}", m.min_duration_s(), m.max_duration_s()));
    for (int i = 0; i < m.columns_size(); ++i) {
      const v1::ColumnValues& cv = m.columns(i);
      const std::string cat = fmt::format("{}.match.columns[{}]", at, i);
      if (!t.has_columns()) problems.add(cat, "needs a trace declared by its columns (columns { ... })");
      if (cv.name().empty()) problems.add(cat + ".name", "missing (expected a column name of the CSV header)");
      if (cv.values_size() == 0) problems.add(cat + ".values", "missing (expected at least one value)");
      auto it = std::find(columns_.begin(), columns_.end(), cv.name());
      if (it == columns_.end()) it = columns_.insert(columns_.end(), cv.name());
      r.columns.emplace_back(static_cast<size_t>(it - columns_.begin()),
                             std::vector<std::string>(cv.values().begin(), cv.values().end()));
    }
    if (m.users_size() > 0 && t.has_columns() && t.columns().user().empty())
      problems.add(at + ".match.users", "needs the user column (columns.user)");
    if (m.queues_size() > 0 && t.has_columns() && t.columns().queue().empty())
      problems.add(at + ".match.queues", "needs the queue column (columns.queue)");
    if ((m.users_size() > 0 || m.queues_size() > 0) && !t.has_columns())
      problems.add(at + ".match", "users and queues need a trace declared by its columns (columns.user, columns.queue)");
    const v1::Job& w = c.workload();
    if (!c.has_workload()) problems.add(at + ".workload", "missing (expected model { ... } and a plan)");
    if (!w.name().empty()) problems.add(at + ".workload.name", "leave unset (jobs are named by their trace row)");
    if (w.arrival_s() != 0) problems.add(at + ".workload.arrival_s", "leave unset (the row's submit time is the arrival)");
    if (w.has_devices()) problems.add(at + ".workload.devices", "leave unset (the row's GPUs are the devices)");
    if (w.budget_case() != v1::Job::BUDGET_NOT_SET)
      problems.add(at + ".workload", "leave the budget (tokens, samples, steps) unset: the row's run time is the work");
    placement_.push_back(placement_constraints(c.placement(), at + ".placement", problems));
    rules_.push_back(std::move(r));
  }
  used_.assign(rules_.size(), false);
  failed_.resize(rules_.size());
}

std::optional<uint32_t> SourceClasses::workload(size_t k, uint32_t gpus, sim::SchedulerJobs& jobs) {
  auto [it, fresh] = made_.try_emplace({k, gpus});
  if (!fresh) return it->second;
  v1::Job job = t_.classes(static_cast<int>(k)).workload();
  job.set_name(name(k));
  job.set_devices(gpus);
  Problems problems(file_);
  std::optional<workloads::TrainingJob> model = training_job(file_, job, field(k) + ".workload", problems);
  if (!model) {
    if (!failed_[k]) failed_[k].emplace(std::move(problems));
    return std::nullopt;
  }
  used_[k] = true;
  jobs.models.push_back(std::move(*model));
  jobs.class_auto_plan.push_back(job.plan().auto_plan());
  it->second = static_cast<uint32_t>(jobs.models.size());  // workload k + 1 is models[k]
  return it->second;
}

void SourceClasses::throw_if_unusable() const {
  for (size_t k = 0; k < rules_.size(); ++k)
    if (!used_[k] && failed_[k]) failed_[k]->throw_if_any();
}

}  // namespace podsim::scenario

#include "scenario/trace_classes.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "engine/error.h"
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

std::vector<sim::TraceClass> trace_classes(const ScenarioFile& file, const v1::TraceSource& t, const std::string& field,
                                           Problems& problems, std::vector<std::string>& columns) {
  // The reference pool is checked against the cluster once it is built (sim/trace_jobs.h).
  if (t.classes_size() == 0 && (t.has_reference() || t.unmatched_as_durations()))
    problems.add(field + (t.has_reference() ? ".reference" : ".unmatched_as_durations"),
                 "only with classes (a run-time-only job is work at reference speed)");
  std::vector<sim::TraceClass> out;
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
      auto it = std::find(columns.begin(), columns.end(), cv.name());
      if (it == columns.end()) it = columns.insert(columns.end(), cv.name());
      r.columns.emplace_back(static_cast<size_t>(it - columns.begin()),
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
    sim::TraceClass tc{.name = c.name(),
                       .rule = std::move(r),
                       .placement = placement_constraints(c.placement(), at + ".placement", problems),
                       .auto_plan = w.plan().auto_plan()};
    tc.workload = [&file, job = w, name = c.name(), at](uint32_t gpus, std::string& why) {
      v1::Job j = job;
      j.set_name(name);
      j.set_devices(gpus);
      Problems problems(file);
      std::optional<workloads::TrainingJob> model = training_job(file, j, at + ".workload", problems);
      if (!model) {
        try {
          problems.throw_if_any();
        } catch (const UserError& e) {
          why = e.what();
        }
      }
      return model;
    };
    out.push_back(std::move(tc));
  }
  return out;
}

}  // namespace podsim::scenario

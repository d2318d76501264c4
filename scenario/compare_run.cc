#include "scenario/compare_run.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>
#include <vector>

#include "engine/error.h"
#include "engine/printable.h"
#include "scenario/cluster_from_proto.h"
#include "scenario/field_ranges.h"
#include "scenario/job_from_proto.h"
#include "scenario/scenario_check.h"
#include "sim/field_error.h"
#include "sim/memory_limit.h"
#include "topologies/build.h"
#include "topologies/params.h"

namespace podsim::scenario {
namespace {

namespace v1 = podsim::v1;

// The scenario as it runs on compare.systems[index]: its cluster, and its plans in place
// of the jobs' own. Problems are reported at their places in the file (the system's
// cluster and plans, the jobs for the rest), as being about this system.
ScenarioFile variant_file(const ScenarioFile& file, int index) {
  const v1::Variant& variant = file.scenario().compare().systems(index);
  const std::string at = fmt::format("compare.systems[{}]", index);
  v1::Scenario s = file.scenario();
  s.clear_compare();
  *s.mutable_cluster() = variant.cluster();
  std::vector<ScenarioFile::Rename> renames{{"cluster", at + ".cluster"}};
  std::map<std::string, int> planned;  // job -> its plan's index
  for (int m = 0; m < variant.plans_size(); ++m) {
    const v1::JobPlan& jp = variant.plans(m);
    // A second plan for one job once replaced the first without a word.
    if (const auto [it, fresh] = planned.try_emplace(jp.job(), m); !fresh) {
      const std::string job = fmt::format("{}.plans[{}].job", at, m);
      throw UserError(fmt::format("{}: {}: job '{}' has a plan on system '{}' already, at {}.plans[{}] (expected one "
                                  "plan per job and system)",
                                  file.where(job), job, printable(jp.job()), printable(variant.name()), at, it->second));
    }
    bool found = false;
    for (int j = 0; j < s.jobs_size(); ++j) {
      if (s.jobs(j).name() != jp.job()) continue;
      *s.mutable_jobs(j)->mutable_plan() = jp.plan();
      renames.push_back({fmt::format("jobs[{}].plan", j), fmt::format("{}.plans[{}].plan", at, m)});
      found = true;
    }
    if (!found) {
      const std::string job = fmt::format("{}.plans[{}].job", at, m);
      throw UserError(fmt::format("{}: {}: no job named '{}' in jobs (system '{}')", file.where(job), job,
                                  printable(jp.job()), printable(variant.name())));
    }
  }
  return file.derive(std::move(s), std::move(renames), fmt::format("system '{}'", printable(variant.name())));
}

// Each system's name titles its column and names it in traces and reports: required,
// one line, and unique (two systems named alike once made two columns and two trace
// systems no reader could tell apart).
void check_system_names(const ScenarioFile& file) {
  const v1::Comparison& cmp = file.scenario().compare();
  Problems problems(file);
  std::map<std::string, int> names;
  for (int i = 0; i < cmp.systems_size(); ++i) {
    const std::string& name = cmp.systems(i).name();
    const std::string at = fmt::format("compare.systems[{}].name", i);
    if (name.empty()) {
      problems.add(at, "required (expected the system's column title, e.g. name: \"16x GB200 NVL72\")");
      continue;
    }
    check_one_line(at, name, problems);
    if (const auto [it, fresh] = names.try_emplace(name, i); !fresh)
      problems.add(at, fmt::format("'{}' is also the name of compare.systems[{}] (expected unique names: each titles "
                                   "a column and names the system in traces and reports)",
                                   printable(name), it->second));
  }
  problems.throw_if_any();
}

// A FieldError of the study driver, placed in the file.
[[noreturn]] void rethrow_placed(const ScenarioFile& file, const sim::FieldError& e) {
  throw UserError(fmt::format("{}: {}: {}", file.where(e.path()), e.path(), e.message()));
}

// Ranks of an explicit plan's largest all-to-all, as written (sim::largest_all_to_all of
// the plan it becomes).
double all_to_all_ranks(const v1::ParallelPlan& p) {
  double ranks = p.has_ep() ? p.ep() : 1;
  if (p.cp_algorithm() == v1::ParallelPlan::ULYSSES && p.has_cp()) ranks = std::max<double>(ranks, p.cp());
  return ranks;
}

// The flow-mode memory check for the scenario's explicit plans, before any system is built.
void check_flow_memory(const ScenarioFile& file) {
  if (file.scenario().compare().mode() != v1::Comparison::FLOW) return;
  for (const v1::Job& j : file.scenario().jobs()) {
    try {
      if (!j.plan().auto_plan()) sim::check_flow_memory(j.name(), all_to_all_ranks(j.plan()));
    } catch (const sim::FieldError& e) {
      rethrow_placed(file, e);
    }
  }
}

// System `name` as `file` (the scenario, or its variant for a compare.systems entry)
// describes it, every field checked. Throws UserError.
sim::StudySystem study_system(const ScenarioFile& file, const std::string& name) {
  sim::StudySystem out{.name = name, .cluster = cluster_params(file), .jobs = {}};
  const topologies::PoolParams& first = out.cluster.pools.front();
  const engine::DeviceSpec device = topologies::device_spec(first.system, first.device);
  for (workloads::TrainingJob& j : training_jobs(file, &device)) out.jobs.push_back({.job = std::move(j)});
  for (size_t i = 0; i < out.jobs.size(); ++i)
    out.jobs[i].auto_plan = file.scenario().jobs(static_cast<int>(i)).plan().auto_plan();
  const size_t devices = sim::device_count(out.cluster);
  for (size_t i = 0; i < out.jobs.size(); ++i) {
    const workloads::TrainingJob& job = out.jobs[i].job;
    if (static_cast<size_t>(job.devices) > devices)
      throw UserError(fmt::format("{}: jobs[{}]: {} needs {} devices, system '{}' has {}",
                                  file.where(fmt::format("jobs[{}]", i)), i, printable(job.name), job.devices, printable(name), devices));
  }
  return out;
}

}  // namespace

std::vector<io::TracedSystem> study_systems(const ScenarioFile& file) {
  auto describe = [](const std::string& name, const ScenarioFile& f) {
    const topologies::Cluster cluster = topologies::build_cluster(cluster_params(f));
    std::set<uint32_t> pods;
    for (const topologies::Device& d : cluster.devices()) pods.insert(d.pod);
    return io::TracedSystem{.name = name, .devices = static_cast<uint32_t>(cluster.devices().size()),
                        .domains = static_cast<uint32_t>(pods.size())};
  };
  const v1::Scenario& s = file.scenario();
  std::vector<io::TracedSystem> out;
  if (s.compare().systems_size() == 0) {
    if (s.has_cluster()) out.push_back(describe(s.cluster().name().empty() ? "system" : s.cluster().name(), file));
    return out;
  }
  check_system_names(file);
  for (int i = 0; i < s.compare().systems_size(); ++i)
    out.push_back(describe(s.compare().systems(i).name(), variant_file(file, i)));
  return out;
}

namespace {

// A study times each job alone on each system: what only a cluster run reads (its
// scheduler, arrivals, failures, horizon, output files) was once accepted and ignored
// without a word, as was a top-level cluster beside the systems' own.
void refuse_cluster_run_fields(const ScenarioFile& file) {
  const v1::Scenario& s = file.scenario();
  Problems problems(file);
  const auto unused = [&](bool given, const std::string& field) {
    if (given)
      problems.add(field, "not used by a comparison study ('compare' times each job alone on each system: no "
                          "scheduler, arrivals, failures or output files; expected it only in a cluster run)");
  };
  unused(s.has_scheduler(), "scheduler");
  unused(s.has_failures(), "failures");
  unused(s.sources_size() > 0, "sources[0]");
  unused(s.job_settings_size() > 0, "job_settings[0]");
  unused(s.horizon_s() != 0, "horizon_s");
  unused(s.has_outputs(), "outputs");
  if (s.compare().systems_size() > 0 && s.has_cluster())
    problems.add("cluster", "not used beside compare.systems (each system brings its own cluster; expected it inside "
                            "compare.systems, or no systems)");
  problems.throw_if_any();
}

}  // namespace

sim::StudySpec study_spec(const ScenarioFile& file) {
  const v1::Scenario& s = file.scenario();
  const v1::Comparison& cmp = s.compare();
  {
    // Every number in range before any is read. The systems' own fields are checked as
    // each system is read (study_system), where their problems name the system.
    v1::Scenario top = s;
    top.mutable_compare()->clear_systems();
    Problems problems(file);
    check_field_ranges(file, top, "", problems);
    problems.throw_if_any();
  }
  refuse_cluster_run_fields(file);
  sim::StudySpec spec{.name = s.name(), .description = s.description(),
                      .mode = cmp.mode() == v1::Comparison::FLOW ? engine::CommMode::kFlow : engine::CommMode::kAnalytical};
  if (cmp.has_link_efficiency()) spec.link_efficiency = cmp.link_efficiency();
  for (const v1::Job& j : s.jobs()) spec.jobs.push_back(j.name());
  if (spec.jobs.empty()) throw UserError(fmt::format("{}: compare: the scenario has no jobs to compare", file.path()));
  for (int i = 0; i < cmp.published_size(); ++i) {
    const v1::Published& p = cmp.published(i);
    const std::string at = fmt::format("compare.published[{}]", i);
    if (std::find(spec.jobs.begin(), spec.jobs.end(), p.job()) == spec.jobs.end())
      throw UserError(fmt::format("{}: {}.job: no job named '{}'", file.where(at + ".job"), at, p.job()));
    if (p.metric() == v1::Published::METRIC_UNSPECIFIED)
      throw UserError(fmt::format("{}: {}.metric: missing (expected one of MFU, HW_TFLOPS_PER_DEVICE, "
                                  "MODEL_TFLOPS_PER_DEVICE, STEP_SECONDS, TOKENS_PER_S_PER_DEVICE)",
                                  file.where(at), at));
    spec.published.push_back({p.job(), static_cast<sim::PublishedMetric>(p.metric()), p.value(), p.source()});
  }
  check_flow_memory(file);
  if (cmp.systems_size() == 0) {
    if (!s.has_cluster()) throw UserError(fmt::format("{}: compare: give `systems`, or a `cluster`", file.path()));
    spec.systems.push_back(study_system(file, s.cluster().name().empty() ? "system" : s.cluster().name()));
    return spec;
  }
  check_system_names(file);
  for (int i = 0; i < cmp.systems_size(); ++i) spec.systems.push_back(study_system(variant_file(file, i), cmp.systems(i).name()));
  return spec;
}

sim::StudyResult run_study(const ScenarioFile& file, sim::StudyObserver* observer) {
  const sim::StudySpec spec = study_spec(file);
  try {
    return sim::run_study(spec, observer);
  } catch (const sim::FieldError& e) {
    rethrow_placed(file, e);  // compare.mode: not renamed in a system's variant
  }
}

static_assert(static_cast<int>(sim::PublishedMetric::kMfu) == v1::Published::MFU &&
              static_cast<int>(sim::PublishedMetric::kHwTflopsPerDevice) == v1::Published::HW_TFLOPS_PER_DEVICE &&
              static_cast<int>(sim::PublishedMetric::kModelTflopsPerDevice) == v1::Published::MODEL_TFLOPS_PER_DEVICE &&
              static_cast<int>(sim::PublishedMetric::kStepSeconds) == v1::Published::STEP_SECONDS &&
              static_cast<int>(sim::PublishedMetric::kTokensPerSPerDevice) == v1::Published::TOKENS_PER_S_PER_DEVICE);

double study_memory_bytes(const ScenarioFile& file) {
  const v1::Scenario& s = file.scenario();
  double cluster = 0;
  if (s.compare().systems_size() == 0) {
    if (s.has_cluster()) cluster = sim::cluster_build_bytes(cluster_params(file));
  } else {
    for (int i = 0; i < s.compare().systems_size(); ++i)
      cluster = std::max(cluster, sim::cluster_build_bytes(cluster_params(variant_file(file, i))));
  }
  if (s.compare().mode() != v1::Comparison::FLOW) return cluster;
  // The widest all-to-all of any system's plans (a system may give a job its own plan),
  // an auto plan's at the widest the planner may choose.
  double ranks = 1;
  const auto widest = [&](const ScenarioFile& f) {
    const std::vector<workloads::TrainingJob> jobs = training_jobs(f);
    for (size_t i = 0; i < jobs.size(); ++i)
      ranks = std::max(ranks, f.scenario().jobs(static_cast<int>(i)).plan().auto_plan()
                                  ? sim::largest_auto_all_to_all(jobs[i].model, jobs[i].devices)
                                  : sim::largest_all_to_all(jobs[i].plan));
  };
  if (s.compare().systems_size() == 0) widest(file);
  for (int i = 0; i < s.compare().systems_size(); ++i) widest(variant_file(file, i));
  return cluster + sim::all_to_all_flow_bytes(ranks);
}

}  // namespace podsim::scenario

#include "scenario/run_metrics.h"

#include <fmt/format.h>

#include "engine/check.h"
#include "engine/error.h"
#include "scenario/cluster_run.h"
#include "scenario/compare_run.h"
#include "scenario/scenario_check.h"
#include "workloads/presets.h"

namespace podsim::scenario {
namespace {

// A job is a DiT iff its model is one: a DiT preset or an explicit `dit` section (as
// job_from_proto.cc builds the model).
bool is_dit_job(const v1::Job& job) {
  if (job.model().has_dit()) return true;
  const std::optional<workloads::ModelSpec> preset = workloads::model_preset(job.model().preset());
  return preset && preset->dit.has_value();
}

}  // namespace

std::vector<sim::Metric> headline_metric_names(const ScenarioFile& file) {
  const v1::Scenario& s = file.scenario();
  if (s.has_compare()) {
    std::vector<std::string> systems;
    for (const v1::Variant& v : s.compare().systems()) systems.push_back(v.name());
    if (systems.empty()) systems.push_back(s.cluster().name().empty() ? "system" : s.cluster().name());
    std::vector<sim::Metric> out;
    for (const std::string& system : systems)
      for (const v1::Job& job : s.jobs())
        for (sim::Metric& m : sim::cell_metric_names(system, job.name(), is_dit_job(job))) out.push_back(std::move(m));
    return out;
  }
  if (has_cluster_run(file)) return sim::cluster_metric_names();
  throw UserError(
      fmt::format("{}: no headline metrics: expected a 'compare' study or a 'cluster' with 'jobs' or "
                  "'sources'",
                  file.path()));
}

std::vector<sim::Metric> headline_metrics(const ScenarioFile& file) {
  std::vector<sim::Metric> out;
  if (file.scenario().has_compare()) {
    out = sim::headline_metrics(run_study(file));
  } else {
    check_scenario(file);
    out = sim::headline_metrics(run_cluster(file));
  }
  // The names promised up front must be the names delivered: sweeps write the header
  // before any point has run.
  const std::vector<sim::Metric> names = headline_metric_names(file);
  PODSIM_CHECK(names.size() == out.size(), "headline metrics: names and values differ in count");
  for (size_t i = 0; i < names.size(); ++i) PODSIM_CHECK(names[i].same_kind(out[i]), "headline metrics: name mismatch");
  return out;
}

}  // namespace podsim::scenario

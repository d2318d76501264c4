#include "sim/step_oracle.h"

#include <fmt/format.h>

#include <algorithm>

#include "engine/check.h"
#include "engine/error.h"
#include "sim/representative_placement.h"
#include "sim/scale_out_demand.h"
#include "workloads/step_model.h"

namespace podsim::sim {

ModelStepOracle::ModelStepOracle(const scheduler::Inventory& inv, const topologies::Cluster& cluster,
                                 const std::vector<workloads::TrainingJob>& models, PoolPlans plans,
                                 StepRecorder* recorder)
    : inv_(inv), models_(models), plans_(std::move(plans)), fabric_(cluster), recorder_(recorder) {
  spec_.resize(inv.pools().size(), nullptr);
  for (const topologies::Device& d : cluster.devices())
    if (!spec_[d.pool]) spec_[d.pool] = d.spec.get();
}

scheduler::StepEstimate ModelStepOracle::estimate(const scheduler::JobRequest& job,
                                                  const scheduler::PlacementShape& shape) {
  if (job.workload == 0) return {.step_seconds = 1.0 / inv_.pools()[shape.pool].relative_speed};
  workloads::TrainingJob run = models_.at(job.workload - 1);
  const std::optional<workloads::Plan>& plan = plans_.at(job.workload - 1).at(shape.pool);
  PODSIM_CHECK(plan.has_value(), "step oracle: job placed on a pool its plan does not fit");
  run.plan = *plan;
  const engine::DeviceSpec& device = *spec_[shape.pool];
  const std::vector<engine::DeviceId> placement =
      representative_placement(inv_, shape, static_cast<uint32_t>(run.plan.devices()));
  workloads::StepOptions o{.mode = engine::CommMode::kAnalytical, .watts_per_device = device.tdp_watts};
  if (recorder_) o.observer = recorder_->record({job.workload, job.devices, shape});
  const workloads::StepResult r = [&] {
    try {
      return workloads::simulate_step(run, placement, device, fabric_, o);
    } catch (const engine::EndOfTimeError& e) {
      throw UserError(fmt::format("job '{}' on pool '{}': {} (expected faster devices or links, or a smaller step)",
                                  job.name, inv_.pools()[shape.pool].name, e.what()));
    }
  }();

  double exposed = 0;
  for (workloads::CommClass c : {workloads::CommClass::kEp, workloads::CommClass::kPp, workloads::CommClass::kDp})
    if (r.crosses_domains[static_cast<size_t>(c)]) exposed += r.exposed_s[static_cast<size_t>(c)];
  const double bytes = shape.leaves > 1 ? cross_domain_bytes_per_step(run, placement, fabric_) : 0;
  scheduler::StepEstimate::Breakdown breakdown{.compute_s = r.compute_s, .bubble_s = r.bubble_s, .host_s = r.host_s};
  for (size_t c = 0; c < workloads::kCommClasses; ++c)
    if (r.exposed_s[c] > 0)
      breakdown.exposed_s.emplace_back(workloads::to_string(static_cast<workloads::CommClass>(c)), r.exposed_s[c]);
  return {.step_seconds = r.step_s,
          .mfu = r.mfu,
          .device_watts = device.tdp_watts,
          .scale_out_bytes_per_s_per_leaf = bytes / shape.leaves / r.step_s,
          .scale_out_exposed_fraction = shape.leaves > 1 ? std::min(1.0, exposed / r.step_s) : 0,
          .breakdown = std::move(breakdown)};
}

}  // namespace podsim::sim

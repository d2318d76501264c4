#include "sim/step_oracle.h"

#include <fmt/format.h>

#include <algorithm>
#include <unordered_map>

#include "engine/printable.h"
#include "engine/check.h"
#include "engine/error.h"
#include "sim/representative_placement.h"
#include "sim/scale_out_demand.h"
#include "workloads/step_model.h"

namespace podsim::sim {

ModelStepOracle::ModelStepOracle(const scheduler::Inventory& inv, const topologies::Cluster& cluster,
                                 const std::vector<workloads::TrainingJob>& models, PoolPlans plans,
                                 StepRecorder* recorder)
    : inv_(inv), models_(models), plans_(std::move(plans)), fabric_(cluster), scale_out_(cluster), recorder_(recorder) {
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
                                  printable(job.name), printable(inv_.pools()[shape.pool].name), e.what()));
    }
  }();

  double exposed = 0;
  for (workloads::CommClass c : {workloads::CommClass::kEp, workloads::CommClass::kPp, workloads::CommClass::kDp,
                                 workloads::CommClass::kCp})
    if (r.crosses_domains[static_cast<size_t>(c)]) exposed += r.exposed_s[static_cast<size_t>(c)];
  scheduler::StepEstimate::Breakdown breakdown{.compute_s = r.compute_s, .bubble_s = r.bubble_s, .host_s = r.host_s,
                                                .offload_s = r.offload_s};
  for (size_t c = 0; c < workloads::kCommClasses; ++c)
    if (r.exposed_s[c] > 0)
      breakdown.exposed_s.emplace_back(workloads::to_string(static_cast<workloads::CommClass>(c)), r.exposed_s[c]);
  return {.step_seconds = r.step_s,
          .mfu = r.mfu,
          .device_watts = device.tdp_watts,
          .scale_out_exposed_fraction = shape.domains > 1 ? std::min(1.0, exposed / r.step_s) : 0,
          .breakdown = std::move(breakdown)};
}

const std::vector<std::vector<workloads::CommTotal>>& ModelStepOracle::comms(uint32_t workload, uint32_t pool) {
  auto [it, fresh] = comms_.try_emplace({workload, pool});
  if (fresh) {
    const workloads::Plan& p = *plans_.at(workload - 1).at(pool);
    for (const workloads::StageWork& w : workloads::plan_work(models_.at(workload - 1).model, p))
      it->second.push_back(workloads::comm_per_step(w, p));
  }
  return it->second;
}

std::vector<scheduler::ScaleOutFlow> ModelStepOracle::flows(const scheduler::JobRequest& job,
                                                            const scheduler::StepEstimate& estimate,
                                                            std::span<const uint32_t> devices,
                                                            const scheduler::Inventory& inv) {
  if (job.workload == 0 || devices.empty()) return {};
  const uint32_t domain = inv.devices()[devices.front()].domain;
  if (std::all_of(devices.begin(), devices.end(), [&](uint32_t d) { return inv.devices()[d].domain == domain; }))
    return {};  // no traffic leaves the domain
  const uint32_t pool = inv.devices()[devices.front()].pool;
  const std::optional<workloads::Plan>& plan = plans_.at(job.workload - 1).at(pool);
  PODSIM_CHECK(plan.has_value(), "step oracle: job placed on a pool its plan does not fit");
  std::vector<engine::DeviceId> placement;
  for (size_t r = 0; r < static_cast<size_t>(plan->devices()); ++r) placement.push_back(engine::DeviceId{devices[r]});
  // Bytes per step by (source leaf, destination leaf), and the source's leaf group.
  struct Sum {
    double bytes = 0;
    uint32_t group = 0;
  };
  std::unordered_map<uint64_t, Sum> by_leaves;
  for_each_crossing(*plan, comms(job.workload, pool), placement, fabric_,
                    [&](engine::DeviceId a, engine::DeviceId b, double bytes) {
                      const auto la = scale_out_.leaf(engine::index(a)), lb = scale_out_.leaf(engine::index(b));
                      if (!la || !lb || *la == *lb) return;
                      Sum& s = by_leaves[(static_cast<uint64_t>(*la) << 32) | static_cast<uint64_t>(*lb)];
                      s.bytes += bytes;
                      s.group = inv.devices()[engine::index(a)].leaf;
                    });
  std::vector<std::pair<uint64_t, Sum>> sorted(by_leaves.begin(), by_leaves.end());
  std::sort(sorted.begin(), sorted.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
  std::vector<scheduler::ScaleOutFlow> out;
  for (const auto& [key, sum] : sorted) {
    const std::vector<uint32_t>& route =
        scale_out_.route(static_cast<topologies::VertexId>(key >> 32), static_cast<topologies::VertexId>(key & 0xffffffffu));
    if (route.empty()) continue;
    out.push_back({.route = route, .bytes_per_s = sum.bytes / estimate.step_seconds, .leaf = sum.group});
  }
  return out;
}

}  // namespace podsim::sim

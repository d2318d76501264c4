#include "sim/scale_out_demand.h"

#include <vector>

#include "workloads/step_model.h"

namespace podsim::sim {

double crossing_share(const workloads::Plan& p, const workloads::CommTotal& c, int stage,
                      std::span<const engine::DeviceId> placement, const engine::Fabric& fabric) {
  using workloads::CommKind;
  if (c.group == workloads::CommGroup::kPp) {
    if (p.pp < 2) return 0;
    const int next = stage + 1 < p.pp ? stage + 1 : stage - 1;
    const auto a = workloads::group_devices(p, c.group, stage, placement)[0];
    const auto b = workloads::group_devices(p, c.group, next, placement)[0];
    return fabric.domain(a) != fabric.domain(b) ? 1.0 : 0.0;
  }
  const std::vector<engine::DeviceId> g = workloads::group_devices(p, c.group, stage, placement);
  const size_t n = g.size();
  if (n < 2) return 0;
  const double spread = static_cast<double>(n - 1) / static_cast<double>(n);
  if (c.kind == CommKind::kEpDispatch || c.kind == CommKind::kEpCombine) {
    size_t other = 0;
    for (engine::DeviceId d : g) other += fabric.domain(d) != fabric.domain(g[0]);
    return spread * static_cast<double>(other) / static_cast<double>(n - 1);
  }
  size_t hops = 0;
  for (size_t i = 0; i < n; ++i) hops += fabric.domain(g[i]) != fabric.domain(g[(i + 1) % n]);
  const double wire = c.kind == CommKind::kDpGradAllReduce ? 2 * spread : spread;
  return wire * static_cast<double>(hops) / static_cast<double>(n);
}

double cross_domain_bytes_per_step(const workloads::TrainingJob& job, std::span<const engine::DeviceId> placement,
                                   const engine::Fabric& fabric) {
  const workloads::Plan& p = job.plan;
  const std::vector<workloads::StageWork> work = workloads::plan_work(job.model, p);
  double per_stage_device_sum = 0;
  for (int s = 0; s < p.pp; ++s)
    for (const workloads::CommTotal& c : workloads::comm_per_step(work[static_cast<size_t>(s)], p)) {
      if (c.group == workloads::CommGroup::kTp || c.group == workloads::CommGroup::kCp) continue;
      per_stage_device_sum += c.bytes.value() * crossing_share(p, c, s, placement, fabric);
    }
  return per_stage_device_sum * (p.devices() / p.pp);  // every device of a stage sends alike
}

}  // namespace podsim::sim

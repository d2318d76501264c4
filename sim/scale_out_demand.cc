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

namespace {

using workloads::CommGroup;
using workloads::CommKind;

bool all_to_all(CommKind k) {
  return k == CommKind::kEpDispatch || k == CommKind::kEpCombine || k == CommKind::kCpAllToAll;
}

// Calls fn(ranks) for every group of `group` at `stage`, members in rank order.
template <typename F>
void for_each_group(const workloads::Plan& p, CommGroup group, int stage, F&& fn) {
  auto rank = [&](int t, int c, int d) { return t + p.tp * (c + p.cp * (d + p.dp * stage)); };
  std::vector<int> g;
  switch (group) {
    case CommGroup::kTp:
    case CommGroup::kPp: return;
    case CommGroup::kCp:
      for (int t = 0; t < p.tp; ++t)
        for (int d = 0; d < p.dp; ++d) {
          g.clear();
          for (int c = 0; c < p.cp; ++c) g.push_back(rank(t, c, d));
          fn(g);
        }
      return;
    case CommGroup::kEp:
      for (int t = 0; t < p.tp; ++t)
        for (int c = 0; c < p.cp; ++c)
          for (int d0 = 0; d0 < p.dp; d0 += p.ep) {
            g.clear();
            for (int d = d0; d < d0 + p.ep && d < p.dp; ++d) g.push_back(rank(t, c, d));
            fn(g);
          }
      return;
    case CommGroup::kDp:
      for (int t = 0; t < p.tp; ++t) {
        g.clear();
        for (int d = 0; d < p.dp; ++d)
          for (int c = 0; c < p.cp; ++c) g.push_back(rank(t, c, d));
        fn(g);
      }
      return;
    case CommGroup::kExpertDp:
      for (int t = 0; t < p.tp; ++t)
        for (int e = 0; e < p.ep; ++e) {
          g.clear();
          for (int d = e; d < p.dp; d += p.ep)
            for (int c = 0; c < p.cp; ++c) g.push_back(rank(t, c, d));
          fn(g);
        }
      return;
  }
}

}  // namespace

void for_each_crossing(const workloads::Plan& p, std::span<const std::vector<workloads::CommTotal>> comms,
                       std::span<const engine::DeviceId> placement, const engine::Fabric& fabric, const CrossingFn& fn) {
  auto dev = [&](int r) { return placement[static_cast<size_t>(r)]; };
  auto send = [&](int a, int b, double bytes) {
    const engine::DeviceId x = dev(a), y = dev(b);
    if (bytes > 0 && fabric.domain(x) != fabric.domain(y)) fn(x, y, bytes);
  };
  for (int s = 0; s < p.pp; ++s)
    for (const workloads::CommTotal& c : comms[static_cast<size_t>(s)]) {
      const double S = c.bytes.value();
      if (c.group == CommGroup::kPp) {
        if (p.pp < 2) continue;
        const int next = s + 1 < p.pp ? s + 1 : s - 1;
        const int stride = p.tp * p.cp * p.dp;  // ranks per stage
        for (int r = 0; r < stride; ++r) send(r + stride * s, r + stride * next, S);
        continue;
      }
      for_each_group(p, c.group, s, [&](const std::vector<int>& g) {
        const size_t n = g.size();
        if (n < 2) return;
        const double spread = static_cast<double>(n - 1) / static_cast<double>(n);
        if (all_to_all(c.kind)) {
          for (size_t i = 0; i < n; ++i)
            for (size_t j = 0; j < n; ++j)
              if (i != j) send(g[i], g[j], S / static_cast<double>(n));
          return;
        }
        const double wire = c.kind == CommKind::kDpGradAllReduce ? 2 * spread
                            : c.kind == CommKind::kCpRingKv      ? 1.0
                                                                 : spread;
        for (size_t i = 0; i < n; ++i) send(g[i], g[(i + 1) % n], wire * S);
      });
    }
}

}  // namespace podsim::sim

#include "sim/scale_out_demand.h"

#include <vector>

#include "workloads/step_model.h"

namespace podsim::sim {

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

double cross_domain_bytes_per_step(const workloads::TrainingJob& job, std::span<const engine::DeviceId> placement,
                                   const engine::Fabric& fabric) {
  std::vector<std::vector<workloads::CommTotal>> comms;
  for (const workloads::StageWork& w : workloads::plan_work(job.model, job.plan))
    comms.push_back(workloads::comm_per_step(w, job.plan));
  double total = 0;
  for_each_crossing(job.plan, comms, placement, fabric, [&](engine::DeviceId, engine::DeviceId, double b) { total += b; });
  return total;
}

}  // namespace podsim::sim

#include "scheduler/metrics.h"

#include <algorithm>

namespace podsim::scheduler {
namespace {

void add_scaled(ClusterState& acc, const ClusterState& s, double dt) {
  acc.allocated += s.allocated * dt;
  acc.down += s.down * dt;
  acc.mfu_devices += s.mfu_devices * dt;
  acc.free += s.free * dt;
  acc.free_on_partial_nodes += s.free_on_partial_nodes * dt;
  acc.queued += s.queued * dt;
  acc.running += s.running * dt;
  acc.power_w += s.power_w * dt;
}

}  // namespace

void Recorder::note(double t, const ClusterState& s) {
  if (!points_.empty() && points_.back().t == t) points_.back().s = s;
  else points_.push_back({t, s});
}

ClusterState Recorder::integral(double a, double b) const {
  ClusterState acc;
  // The point in force at a: the last with t <= a.
  auto it = std::upper_bound(points_.begin(), points_.end(), a, [](double t, const Point& p) { return t < p.t; });
  if (it != points_.begin()) --it;
  for (; it != points_.end() && it->t < b; ++it) {
    const double from = std::max(a, it->t);
    const double to = std::min(b, std::next(it) == points_.end() ? b : std::next(it)->t);
    if (to > from) add_scaled(acc, it->s, to - from);
  }
  return acc;
}

Recorder::Totals Recorder::totals(double t0, double t1) const {
  if (t1 <= t0 || capacity_ == 0) return {};
  const ClusterState i = integral(t0, t1);
  const double span = t1 - t0;
  // Fragmentation: the share of free device-time on partly used nodes.
  return {.utilization = i.allocated / (capacity_ * span),
          .mfu_utilization = i.mfu_devices / (capacity_ * span),
          .fragmentation = i.free > 0 ? i.free_on_partial_nodes / i.free : 0,
          .energy_j = i.power_w};
}

std::vector<TimelineSample> Recorder::timeline(double t0, double t1, size_t samples) const {
  std::vector<TimelineSample> out;
  if (t1 <= t0 || samples == 0) return out;
  const double dt = (t1 - t0) / static_cast<double>(samples);
  for (size_t k = 0; k < samples; ++k) {
    const double a = t0 + dt * static_cast<double>(k);
    const ClusterState i = integral(a, a + dt);
    out.push_back({.t_s = a,
                   .allocated = i.allocated / dt,
                   .down = i.down / dt,
                   .utilization = i.allocated / dt / capacity_,
                   .mfu_utilization = i.mfu_devices / dt / capacity_,
                   .fragmentation = i.free > 0 ? i.free_on_partial_nodes / i.free : 0,
                   .queued = i.queued / dt,
                   .running = i.running / dt,
                   .power_w = i.power_w / dt});
  }
  return out;
}

}  // namespace podsim::scheduler

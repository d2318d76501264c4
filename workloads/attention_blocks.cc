#include "workloads/attention_blocks.h"

#include <cmath>
#include <utility>

#include "engine/log2_interpolation.h"

namespace podsim::workloads {
namespace {

double training_rate(double fwd, double bwd) { return 3 / (1 / fwd + 2 / bwd); }

double rate(const AttentionLengthPoint& p, bool causal) {
  return causal ? training_rate(p.causal_fwd, p.causal_bwd) : training_rate(p.full_fwd, p.full_bwd);
}

}  // namespace

double attention_rate_at(const std::vector<AttentionLengthPoint>& points, double length, bool causal) {
  if (points.empty()) return 0;
  return engine::interpolate_log2(points.size(), length,
                                  [&](std::size_t k) { return std::pair{points[k].length, rate(points[k], causal)}; });
}

double ring_attention_factor(const std::vector<AttentionLengthPoint>& points, double seq, int cp, bool causal) {
  if (cp <= 1 || seq <= 0 || points.empty()) return 1;
  const double n = cp;
  const double block = seq / n;
  if (!causal) return attention_rate_at(points, block, false) / attention_rate_at(points, seq, false);
  const double ring = 1 / ((1 / n) / attention_rate_at(points, block, true) +
                           ((n - 1) / n) / attention_rate_at(points, block / std::sqrt(2.0), false));
  return ring / attention_rate_at(points, seq, true);
}

}  // namespace podsim::workloads

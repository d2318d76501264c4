#include "workloads/attention_blocks.h"

#include <cmath>

namespace podsim::workloads {
namespace {

double training_rate(double fwd, double bwd) { return 3 / (1 / fwd + 2 / bwd); }

double rate(const AttentionLengthPoint& p, bool causal) {
  return causal ? training_rate(p.causal_fwd, p.causal_bwd) : training_rate(p.full_fwd, p.full_bwd);
}

}  // namespace

double attention_rate_at(const std::vector<AttentionLengthPoint>& points, double length, bool causal) {
  if (points.empty()) return 0;
  if (length <= points.front().length) return rate(points.front(), causal);
  if (length >= points.back().length) return rate(points.back(), causal);
  for (size_t i = 1; i < points.size(); ++i) {
    const AttentionLengthPoint& a = points[i - 1];
    const AttentionLengthPoint& b = points[i];
    if (length > b.length) continue;
    const double x = std::log2(length / a.length) / std::log2(b.length / a.length);
    return rate(a, causal) + x * (rate(b, causal) - rate(a, causal));
  }
  return rate(points.back(), causal);
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

#include "workloads/gemm_waves.h"

#include <algorithm>
#include <cmath>

namespace podsim::workloads {
namespace {

double oriented(const GemmTiling& t, double rows, double cols, double groups, double tm, double tn) {
  const double tiles = groups * std::ceil(rows / tm) * std::ceil(cols / tn);
  const double waves = std::ceil(tiles / t.sms);
  return groups * rows * cols / (waves * t.sms * tm * tn);
}

}  // namespace

double wave_utilisation(const GemmTiling& t, double rows, double cols, double groups) {
  if (t.sms <= 0 || t.tile_m <= 0 || t.tile_n <= 0 || rows <= 0 || cols <= 0 || groups < 1) return 1;
  return std::max(oriented(t, rows, cols, groups, t.tile_m, t.tile_n),
                  oriented(t, rows, cols, groups, t.tile_n, t.tile_m));
}

double gemm_pass_utilisation(const GemmTiling& t, const GemmShape& s) {
  if (!s.known()) return 1;
  const double rows = s.m / s.groups;  // per group
  const double fwd = wave_utilisation(t, rows, s.n, s.groups);
  const double dgrad = wave_utilisation(t, rows, s.k, s.groups);
  const double wgrad = wave_utilisation(t, s.k, s.n, s.groups);
  return 3 / (1 / fwd + 1 / dgrad + 1 / wgrad);
}

}  // namespace podsim::workloads

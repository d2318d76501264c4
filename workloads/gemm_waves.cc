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

double gemm_pass_utilisation(const GemmTiling& t, const GemmShape& s) { return gemm_pass_factor(&t, s, 0); }

double reduction_utilisation(double k, double k0) {
  if (k0 <= 0 || k <= 0) return 1;
  return k / (k + k0);
}

double gemm_pass_factor(const GemmTiling* t, const GemmShape& s, double k0) {
  if (!s.known()) return 1;
  const double rows = s.m / s.groups;  // per group
  auto u = [&](double r, double c) { return t ? wave_utilisation(*t, r, c, s.groups) : 1.0; };
  const double fwd = u(rows, s.n) * reduction_utilisation(s.k, k0);
  const double dgrad = u(rows, s.k) * reduction_utilisation(s.n, k0);
  const double wgrad = u(s.k, s.n) * reduction_utilisation(rows, k0);
  return 3 / (1 / fwd + 1 / dgrad + 1 / wgrad);
}

}  // namespace podsim::workloads

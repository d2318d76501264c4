#include "workloads/fp8_casts.h"

namespace podsim::workloads {
namespace {

constexpr double kCastBytes = 3;            // read BF16 (2) + write FP8 (1)
constexpr double kSecondOutputBytes = 1;    // the transposed FP8 copy written beside it
constexpr double kTransposeBytes = 2;       // read FP8 (1) + write FP8 (1)

}  // namespace

Fp8CastBytes fp8_cast_bytes(const GemmShape& s, Fp8Sources from) {
  if (!s.known()) return {};
  const double input = s.m * s.k;  // X, [m x k]
  const double grad = s.m * s.n;   // dY, [m x n]
  Fp8CastBytes out;
  out.quantise = (from.input_fused ? 0 : kCastBytes * input) + (from.grad_fused ? 0 : kCastBytes * grad);
  out.transpose = (from.input_fused ? kTransposeBytes : kSecondOutputBytes) * input + kSecondOutputBytes * grad;
  return out;
}

}  // namespace podsim::workloads

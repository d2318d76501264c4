#include "workloads/fp8_casts.h"

namespace podsim::workloads {
namespace {

constexpr double kCastBytes = 3;            // read BF16 (2) + write FP8 (1)
constexpr double kSecondOutputBytes = 1;    // the transposed FP8 copy written beside it
constexpr double kTransposeBytes = 2;       // read FP8 (1) + write FP8 (1)

constexpr double kBf16Read = 2;
constexpr double kNvfp4Copy = 0.5 + 1.0 / 16;  // E2M1 element + its share of an E4M3 scale
constexpr double kNvfp4Copies = 2;             // row-wise and column-wise

double nvfp4_element_bytes(bool amax_fused, bool hadamard) {
  if (hadamard) return kBf16Read + kNvfp4Copies * (kBf16Read + kNvfp4Copy);
  return (amax_fused ? 0 : kBf16Read) + kBf16Read + kNvfp4Copies * kNvfp4Copy;
}

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

double nvfp4_cast_bytes(const GemmShape& s, Fp8Sources from, bool hadamard) {
  if (!s.known()) return 0;
  return s.m * s.k * nvfp4_element_bytes(from.input_fused, hadamard) +
         s.m * s.n * nvfp4_element_bytes(from.grad_fused, hadamard);
}

}  // namespace podsim::workloads

#include "workloads/fp8_casts.h"

#include <utility>

namespace podsim::workloads {
namespace {

constexpr double kBf16Read = 2;
constexpr double kCastBytes = 3;            // read BF16 (2) + write FP8 (1)
constexpr double kSecondOutputBytes = 1;    // the transposed FP8 copy written beside it
constexpr double kTransposeBytes = 2;       // read FP8 (1) + write FP8 (1)
constexpr double kAmaxBytes = 2;            // current scaling's amax kernel reads the BF16 tensor
// Float8BlockScaling: one FP32 scale per 1 x 128 block (quantizer.cpp, Float8BlockQuantizer).
constexpr double kBlockCopy = 1 + 4.0 / 128;
// MXFP8: one E8M0 scale (1 byte) per 32 elements (OCP Microscaling spec v1.0).
constexpr double kMxCopy = 1 + 1.0 / 32;

// Bytes per element of one tensor (X or dY) cast for one GEMM: {every device, TN-only
// devices' transposed copy}. `fused`: a norm, activation or dact produced it.
std::pair<double, double> fp8_element_bytes(Fp8Recipe recipe, bool fused, bool is_input, bool from_norm) {
  switch (recipe) {
    case Fp8Recipe::kTensorwise: return {kCastBytes + (fused ? 0 : kAmaxBytes), kSecondOutputBytes};
    case Fp8Recipe::kBlockwise: return {kBf16Read + 2 * kBlockCopy, 0};
    case Fp8Recipe::kMxfp8: return {fused && !from_norm ? 0 : kBf16Read + 2 * kMxCopy, 0};
    case Fp8Recipe::kDelayed: break;
  }
  // A fused norm writes FP8 row-wise only (a transpose kernel follows); a fused dact
  // writes the transposed copy beside it.
  return {fused ? 0 : kCastBytes, fused && is_input ? kTransposeBytes : kSecondOutputBytes};
}

constexpr double kNvfp4Copy = 0.5 + 1.0 / 16;  // E2M1 element + its share of an E4M3 scale
constexpr double kNvfp4Copies = 2;             // row-wise and column-wise

double nvfp4_element_bytes(bool amax_fused, bool hadamard) {
  if (hadamard) return kBf16Read + kNvfp4Copies * (kBf16Read + kNvfp4Copy);
  return (amax_fused ? 0 : kBf16Read) + kBf16Read + kNvfp4Copies * kNvfp4Copy;
}

}  // namespace

const char* to_string(Fp8Recipe r) {
  switch (r) {
    case Fp8Recipe::kDelayed: return "delayed";
    case Fp8Recipe::kTensorwise: return "tensorwise";
    case Fp8Recipe::kBlockwise: return "blockwise";
    case Fp8Recipe::kMxfp8: return "mxfp8";
  }
  return "?";
}

Fp8CastBytes fp8_cast_bytes(const GemmShape& s, Fp8Sources from, Fp8Recipe recipe) {
  if (!s.known()) return {};
  const double input = s.m * s.k;  // X, [m x k]
  const double grad = s.m * s.n;   // dY, [m x n]
  const auto [x_all, x_tn] = fp8_element_bytes(recipe, from.input_fused, true, from.input_from_norm);
  const auto [g_all, g_tn] = fp8_element_bytes(recipe, from.grad_fused, false, false);
  return Fp8CastBytes{.quantise = x_all * input + g_all * grad, .transpose = x_tn * input + g_tn * grad};
}

double nvfp4_cast_bytes(const GemmShape& s, Fp8Sources from, bool hadamard) {
  if (!s.known()) return 0;
  return s.m * s.k * nvfp4_element_bytes(from.input_fused, hadamard) +
         s.m * s.n * nvfp4_element_bytes(from.grad_fused, hadamard);
}

}  // namespace podsim::workloads

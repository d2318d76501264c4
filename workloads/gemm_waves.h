#pragma once
// GEMM efficiency by shape: tile and wave quantisation (docs/models.md §4.3, "GEMMs by shape").
//
// A GPU GEMM cuts its [rows x cols] output into tiles of tile_m x tile_n, one thread
// block each, and runs them `sms` at a time (one resident tile per SM for the large
// tiles: NVIDIA, "Matrix Multiplication Background User's Guide", DU-09799-001, 2023,
// §3 "Dimension Quantization Effects"). A wave costs the same whether it is full or
// not, and a tile the same whether the matrix fills it, so of the slots paid for
//
//   u(rows, cols) = rows * cols / (W * sms * tile_m * tile_n),
//   C = ceil(rows / tile_m) * ceil(cols / tile_n),  W = ceil(C / sms)
//
// do useful work (the better of the tile's two orientations, as the library picks its
// layout). A grouped GEMM (the experts of a MoE layer) runs its groups' tiles in one
// launch: C is summed over the groups.
//
// A training GEMM [m x k] x [k x n] runs three times: forward (output m x n), data
// gradient (m x k) and weight gradient (k x n), each with the same FLOPs. The step
// model charges backward twice the forward's time, so one factor per op carries all
// three: the harmonic mean 3 / (1/u_fwd + 1/u_dgrad + 1/u_wgrad), which makes the
// forward + backward total exact (the split between them is then the step model's 1:2).
//
// The reduction length (where a device has a measurement of it, efficiency.cc: Hopper's
// FP8 GEMMs). A tile also pays a fixed cost besides its main loop over k -- filling the
// load pipeline before the first step, the epilogue that scales and writes the output
// after the last -- worth k0 elements of that loop, so of the tile's time
//
//   v(k) = k / (k + k0)
//
// is the main loop. Each pass has its own k: forward the GEMM's k, data gradient its n,
// weight gradient its rows (per group). The factor of a pass is then u x v, and the
// harmonic mean above runs over u_pass x v(k_pass).
//
// What is not modelled: the library's smaller tiles for shapes the large ones fit badly
// (so u is a lower bound there), stream-K and split-K, and the per-tile cost on devices
// without a measurement of it (k0 = 0). The efficiency a full wave reaches comes from a
// measurement of the device (efficiency.cc); u and v scale it.

namespace podsim::workloads {

// A GEMM as its kernel sees it: `groups` independent products of [m/groups x k] x
// [k x n] (a dense GEMM is one group; a grouped expert GEMM one group per local expert,
// m being all their rows). Zero: not known (the op is not a GEMM).
struct GemmShape {
  double m = 0, k = 0, n = 0;
  double groups = 1;

  bool known() const { return m > 0 && k > 0 && n > 0 && groups >= 1; }
};

// How a device runs a GEMM's tiles: `sms` at a time, each tile_m x tile_n of output.
struct GemmTiling {
  int sms = 0;
  int tile_m = 0, tile_n = 0;
};

// u above for an output of `groups` x [rows x cols], in (0, 1].
double wave_utilisation(const GemmTiling& t, double rows, double cols, double groups = 1);

// The forward + data-gradient + weight-gradient factor of `s` (harmonic mean above); 1
// when the shape is not known.
double gemm_pass_utilisation(const GemmTiling& t, const GemmShape& s);

// v above: the fraction of a tile's time spent in its main loop over a reduction of `k`
// elements, with a fixed cost worth `k0` of them. 1 when k0 <= 0.
double reduction_utilisation(double k, double k0);

// The same harmonic mean over u_pass x v(k_pass): `t` null, no tiles and waves (u = 1);
// `k0` <= 0, no fixed cost (v = 1). 1 when the shape is not known.
double gemm_pass_factor(const GemmTiling* t, const GemmShape& s, double k0);

}  // namespace podsim::workloads

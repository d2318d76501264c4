#include "engine/network/link_curves.h"

#include <cmath>
#include <span>
#include <utility>

#include "engine/log2_interpolation.h"

namespace podsim::engine {

namespace {

struct Knot {
  double bytes;
  double fraction;
};

// Knots: docs/collectives.md §3 derives each from its source table (the published
// bus bandwidth at that size with podsim's latency terms taken out).
double interpolate(std::span<const Knot> knots, double bytes) {
  return interpolate_log2(knots.size(), bytes, [&](std::size_t k) { return std::pair{knots[k].bytes, knots[k].fraction}; });
}

// Knots: (size in bytes, fraction of line rate), fitted point by point: the fraction
// that makes podsim's time of the algorithm the tuner picks equal the published time,
// keeping podsim's latency (docs/collectives.md §3 lists each fit). Points whose time is
// mostly latency (bandwidth part < 25%) fit nothing and are checks of the latency model.
constexpr double M = 1 << 20, G = 1 << 30;

// HGX H100 ring (and everything not NVLS): 365-370 GB/s bus bandwidth of 450 for 2-8
// GPUs at 2-4 GB (NVIDIA/nccl issue 1455; nccl-tests issue 212: "~20% protocol
// overhead"). Below, the one ring measurement is curve A1 up to 1 MB, which NCCL runs
// as ring LL on this board (nccl-tests issue 309): at 1 MB LL moves its bytes at line
// rate (the fit asks for more; capped). Between 1 and 4 MB: interpolated.
constexpr Knot kNvlink4Links[] = {{1 * M, 1.0}, {4 * M, 368.0 / 450}};
// 8 x H200 NVLS all-reduce, Azure ND H200 v5, NCCL 2.20.5 (curve A1), 4 MB - 8 GB.
constexpr Knot kNvlink4Switch[] = {{4 * M, 0.695}, {8 * M, 0.454},   {16 * M, 0.452}, {32 * M, 0.479},
                                   {64 * M, 0.534}, {128 * M, 0.563}, {256 * M, 0.570}, {512 * M, 0.573},
                                   {1 * G, 0.600},  {2 * G, 0.603},   {4 * G, 0.608},   {8 * G, 0.610}};
// 8 x A100 SXM4 all-reduce, Azure ND A100 v4, NCCL 2.18.5 (curve C1), 2 MB - 8 GB.
constexpr Knot kNvlink3Links[] = {{2 * M, 0.973},   {4 * M, 0.824},   {8 * M, 0.611},   {16 * M, 0.527},
                                  {32 * M, 0.545},  {64 * M, 0.630},  {128 * M, 0.619}, {256 * M, 0.741},
                                  {512 * M, 0.753}, {1 * G, 0.768},   {2 * G, 0.771},   {4 * G, 0.770},
                                  {8 * G, 0.773}};
// 4 x GB200 ring all-reduce, Azure ND GB200 v6, NCCL 2.25.1 (curve D4), 2 MB - 8 GB.
constexpr Knot kNvlink5Links[] = {{2 * M, 0.574},   {4 * M, 0.523},   {32 * M, 0.660},  {64 * M, 0.753},
                                  {128 * M, 0.707}, {256 * M, 0.695}, {512 * M, 0.706}, {1 * G, 0.729},
                                  {2 * G, 0.746},   {4 * G, 0.750},   {8 * G, 0.756}};
// GB200 NVL72, 72 GPUs, all-reduce, CoreWeave, NCCL 2.26.2 (curve D1): NVLS (a ring
// at D4's rate would reach 680 GB/s, not the published 835).
constexpr Knot kNvlink5Switch[] = {{512 * M, 0.336}, {1 * G, 0.388}, {2 * G, 0.429}, {4 * G, 0.474}, {8 * G, 0.471}};
// CloudMatrix384 UB read, 164 (inter-node) - 167 (intra) of 196 GB/s per die (Table 1).
constexpr Knot kUb[] = {{1 * G, 164.0 / 196}};
// NDR 400G ConnectX-7: 46-48 GB/s achievable per NIC of 50 (nccl-tests issues 290,
// 267). No multi-node curve is fitted (link_curves_test.cc, the B1/B2 case).
constexpr Knot kIbNdr[] = {{1 * G, 47.0 / 50}};
// DGX A100 multi-node, 8 x HDR per node: 24 GB/s per NIC of 25 (nccl-tests issue 160).
constexpr Knot kIbHdr[] = {{1 * G, 24.0 / 25}};

}  // namespace

double achieved_fraction(Interconnect ic, CurveKind kind, Bytes size) {
  const double b = size.value();
  const bool sw = kind == CurveKind::kInSwitch;
  switch (ic) {
    case Interconnect::kNvlink3: return interpolate(kNvlink3Links, b);
    case Interconnect::kNvlink4: return interpolate(sw ? std::span<const Knot>(kNvlink4Switch) : kNvlink4Links, b);
    case Interconnect::kNvlink5: return interpolate(sw ? std::span<const Knot>(kNvlink5Switch) : kNvlink5Links, b);
    case Interconnect::kUb: return interpolate(kUb, b);
    case Interconnect::kIbNdr: return interpolate(kIbNdr, b);
    case Interconnect::kIbHdr: return interpolate(kIbHdr, b);
    case Interconnect::kHccs:
    case Interconnect::kRoce:
    case Interconnect::kNone: return 1;
  }
  return 1;
}

SimTime call_overhead(Interconnect scale_up) {
  switch (scale_up) {
    // Curve A1, 4 KB-64 KB: 31.0 us flat (busbw 0.23-3.72 GB/s, 8 ranks) against ring
    // LL's 6.6 + 14 x 0.7 = 16.4 us.
    case Interconnect::kNvlink4: return SimTime::nanos(14'600);
    // Curve C1, 1 KB-16 KB: 42.8-44.8 us against the same 16.4 us.
    case Interconnect::kNvlink3: return SimTime::nanos(27'000);
    // Curve D4, 1 KB-16 KB on 4 ranks: 15.4-16.8 us against ring LL's 6.6 + 6 x 0.7 = 10.8 us.
    case Interconnect::kNvlink5: return SimTime::nanos(5'500);
    default: return SimTime::zero();
  }
}

const char* to_string(Interconnect i) {
  switch (i) {
    case Interconnect::kNone: return "none";
    case Interconnect::kNvlink3: return "NVLink3";
    case Interconnect::kNvlink4: return "NVLink4";
    case Interconnect::kNvlink5: return "NVLink5";
    case Interconnect::kUb: return "UB";
    case Interconnect::kHccs: return "HCCS";
    case Interconnect::kIbHdr: return "IB HDR";
    case Interconnect::kIbNdr: return "IB NDR";
    case Interconnect::kRoce: return "RoCE";
  }
  return "?";
}

}  // namespace podsim::engine

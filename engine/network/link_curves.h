#pragma once
// Achieved bandwidth by message size, per interconnect: the fraction of line rate a
// collective's bytes move at, on top of the library's latency terms (comm_tuner.h).
// Fitted on published nccl-tests bus-bandwidth-vs-size curves (docs/collectives.md has
// every source table, the fit and the residuals); the tests in
// tests/topologies/link_curves_test.cc run podsim's collectives on the presets and
// compare their bus bandwidth with every published point.
//
// A curve is a list of (size, fraction) knots, interpolated linearly in log2(size) and
// flat beyond its ends. Two kinds per interconnect: point-to-point traffic (ring,
// hierarchical, tree, mesh, direct) and in-switch reduction (NVLS), whose published
// rate is not a link rate (nccl-tests issue 212).
#include "engine/network/fabric.h"
#include "engine/units.h"

namespace podsim::engine {

enum class CurveKind : uint8_t { kLinks, kInSwitch };

// In (0, 1]. An interconnect without a published curve is at line rate (1).
double achieved_fraction(Interconnect ic, CurveKind kind, Bytes size);

// The fixed cost of one collective call beyond NCCL's own latency model (kernel launch,
// enqueue, completion): the published small-message floor of the node's NVLink minus
// what NCCL's tables predict for the algorithm it ran there (docs/collectives.md §3).
// 0 where nothing is published.
SimTime call_overhead(Interconnect scale_up);

}  // namespace podsim::engine

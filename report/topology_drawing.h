#pragma once
// Topology drawings for the comparison report: grouped summaries, not every vertex.
//
//   render_scale_up   one scale-up domain: its racks side by side, the nodes in each
//                     rack, the devices in each node; switch chips where the graph puts
//                     them: per node (UB L1: one small square per plane), per rack
//                     (NVSwitch: vertical bars every node's wire crosses), or once per
//                     pod (UB L2: one horizontal bus per plane above the racks, each rack
//                     tapping every bus). Racks that do not fit the width are collapsed
//                     into one "... N more racks" box between the first ones and the last.
//   render_scale_out  the fat tree above the domains: core, spine and leaf tiers as rows
//                     of switches (grouped by fabric pod), bands for the cabling between
//                     tiers, counts and oversubscription at the left.
// Both are functions of a TopologySketch (topology_sketch.h): same sketch, same bytes.
#include <string>

#include "report/topology_sketch.h"

namespace podsim::report {

std::string render_scale_up(const PodSketch& pod, const std::string& id);
std::string render_scale_out(const TopologySketch& s, const std::string& id);

// The caption under render_scale_up: counts and bandwidths in words.
std::string scale_up_note(const PodSketch& pod);
std::string scale_out_note(const TopologySketch& s);

}  // namespace podsim::report

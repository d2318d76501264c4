#pragma once
// Structural measures of a cluster, computed by graph algorithms on a View (not from the
// parameters), so they check the builders as much as they describe the machine.
//
//   max_flow      Boost.Graph push-relabel between two device sets (bytes/s, per direction)
//   bisection     max_flow from the first half of the devices to the second half
//   injection     max_flow from one device to the rest of its pod over scale-up links
//   diameter      the most switches on any device-to-device route
//
// Worked example, NVL72: bisection = 36 GPUs x 18 links x 50 GB/s = 32.4 TB/s (every
// GPU's links are its own cut); injection = 18 x 50 = 900 GB/s; diameter = 1 switch.
#include <cstddef>
#include <functional>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "engine/units.h"
#include "topologies/cluster.h"
#include "topologies/view.h"

namespace podsim::topologies {

// Max-flow from the endpoints of `from` to the endpoints of `to`, over the links `use`
// admits (all if empty). Only switches, NICs and the two device sets carry flow.
// REQUIRES: from and to are disjoint.
engine::Bandwidth max_flow(const View& v, std::span<const DeviceIndex> from, std::span<const DeviceIndex> to,
                           const std::function<bool(const Link&)>& use = {});

// From devices [0, N/2) to [N/2, N): whole pods, racks and nodes on each side whenever
// the counts allow. The true bisection is the minimum over all balanced splits; for the
// symmetric presets this split is a minimal one.
engine::Bandwidth bisection(const View& v);

// Device d into the rest of its pod over scale-up links (0 if its pod has one device).
engine::Bandwidth injection(const Cluster& c, const View& v, DeviceIndex d);

struct Diameter {
  int switch_hops = 0;
  bool exact = true;  // false: measured from a sample of source devices
};
// Shortest routes (the routing cost of view.h, fewest switches among ties) from every
// device when there are at most `exhaustive_up_to`; else from a sample of `sample`
// devices: every device of the first node of each pool (all rails), then an even
// stride. The presets are symmetric enough that the sample finds the maximum.
Diameter diameter(const Cluster& c, const View& v, size_t exhaustive_up_to = 512, size_t sample = 64);

struct Summary {
  std::string name;
  bool hypothetical = false;
  size_t devices = 0, pods = 0, racks = 0, nodes = 0;
  std::map<std::string, size_t> devices_by_model;
  std::map<std::string, size_t> switches_by_role;
  size_t switches = 0, nics = 0, cpus = 0, die_vertices = 0;
  size_t directed_links = 0, cables = 0;  // detailed view; a cable is a lane in both directions
  size_t collapsed_links = 0;
  engine::Bandwidth scale_up_min, scale_up_max, scale_out_min, scale_out_max;  // per device
  engine::Bandwidth bisection;  // collapsed view (equal to the detailed one by construction)
  Diameter diameter;
  engine::FlopRate bf16, fp8, int8;  // summed dense peaks
  size_t devices_without_fp8 = 0, devices_without_int8 = 0;
  engine::Bytes hbm;
  engine::Bandwidth hbm_bandwidth;
  double power_watts = 0;          // system estimates where published, else device TDPs
  size_t devices_without_power = 0;  // neither a system estimate nor a TDP
  std::optional<int> fat_tree_tiers;
};
Summary summarize(const Cluster& c);

}  // namespace podsim::topologies

#pragma once
// What a topology drawing shows of a cluster, counted from its graph and domain tree
// (topologies/cluster.h), not from preset names: per scale-up domain (pod) its racks,
// nodes and devices and the switch tiers that join them with their planes; above the
// pods, the fat tree's tiers, groups and oversubscription. report/topology_drawing.h
// draws it; a resized CloudMatrix or a part-filled fat tree counts as it was built.
#include <optional>
#include <string>
#include <vector>

#include "topologies/cluster.h"

namespace podsim::report {

// One scale-up switch role at one place in the domain tree.
struct SwitchTierSketch {
  std::string role;  // "UB L1", "NVSwitch"
  topologies::DomainLevel level = topologies::DomainLevel::kNode;  // each node, each rack, or once per pod
  int chips = 0;   // per node, per rack or per pod (the most where they differ)
  int planes = 0;  // distinct planes of its links; 0 when its links carry none
};

struct RackSketch {
  std::string name;                   // "rack3" (its name inside the pod)
  std::vector<int> devices_per_node;  // one entry per node
};

// A scale-up domain; identical ones (same shape, switches and bandwidths) are one
// sketch with a count.
struct PodSketch {
  std::string name;  // the first one's
  int count = 1;
  std::string node_word = "node";  // "tray" when the builder names its nodes so (GB200 compute trays)
  std::string device;       // accelerator model
  int devices = 0;          // in one pod
  int dies_per_device = 1;  // endpoints of a device in the detailed view
  int cpus = 0;             // in one pod
  std::vector<RackSketch> racks;
  std::vector<SwitchTierSketch> switches;  // node level first, then rack, then pod
  int cross_rack_cables = 0;  // scale-up cables between switches of different racks
  bool direct_mesh = false;   // devices link to each other with no switch (HCCS full mesh)
  double scale_up_gbytes_per_s = 0;  // per device per direction
  double nic_gbits_per_s = 0;        // per device (0: no NIC)
};

struct FabricSketch {
  int tiers = 2;
  int leaves = 0, spines = 0, cores = 0;
  int fabric_pods = 1;  // 3 tiers: leaf groups sharing a set of spines
  int core_groups = 0;  // 3 tiers: spine j of every pod joins core group j
  int rails = 1;        // distinct rails (NIC planes) at the leaves
  int nics = 0;
  double nic_gbits_per_s = 0;  // the fastest NIC
  // Ports (cables) of the fullest leaf and spine, down and up; a part-filled leaf has
  // fewer down.
  int leaf_down = 0, leaf_up = 0, leaf_down_min = 0;
  int spine_down = 0, spine_up = 0;
};

struct TopologySketch {
  std::string cluster;
  std::vector<PodSketch> pods;  // in domain order, identical neighbours merged
  std::optional<FabricSketch> fabric;
};

TopologySketch sketch(const topologies::Cluster& c);

// "12 racks x 4 nodes x 8 NPUs": the pod's shape in words, from its counts.
std::string shape_text(const PodSketch& p);

}  // namespace podsim::report

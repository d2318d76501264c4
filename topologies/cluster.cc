#include "topologies/cluster.h"

#include <algorithm>

#include "engine/check.h"

namespace podsim::topologies {

const char* to_string(DomainLevel l) {
  switch (l) {
    case DomainLevel::kCluster: return "cluster";
    case DomainLevel::kPod: return "pod";
    case DomainLevel::kRack: return "rack";
    case DomainLevel::kNode: return "node";
  }
  return "?";
}

Cluster::Cluster(std::string name, std::vector<Device> devices, std::vector<Domain> domains,
                 std::vector<SystemInfo> systems, std::optional<int> fat_tree_tiers,
                 std::optional<View> detailed, View collapsed)
    : name_(std::move(name)),
      devices_(std::move(devices)),
      domains_(std::move(domains)),
      systems_(std::move(systems)),
      fat_tree_tiers_(fat_tree_tiers),
      detailed_(std::move(detailed)),
      collapsed_(std::move(collapsed)) {}

const View& Cluster::detailed() const {
  PODSIM_CHECK(detailed_.has_value(), "the cluster was built without its detailed view (ClusterParams::detailed_view)");
  return *detailed_;
}

bool Cluster::hypothetical() const {
  return std::any_of(systems_.begin(), systems_.end(), [](const SystemInfo& s) { return s.hypothetical; });
}

}  // namespace podsim::topologies

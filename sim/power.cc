#include "sim/power.h"

#include <map>

namespace podsim::sim {
namespace {

struct PodPower {
  double estimate_watts = 0;  // sum of its systems' published estimates
  std::vector<topologies::DeviceIndex> devices;
};

// The pods with a published estimate, by Device::pod.
std::map<uint32_t, PodPower> estimated_pods(const topologies::Cluster& cluster) {
  std::map<uint32_t, PodPower> pods;
  for (const topologies::SystemInfo& s : cluster.systems())
    if (s.power_watts) pods[s.pod].estimate_watts += *s.power_watts;
  for (const topologies::Device& d : cluster.devices())
    if (auto it = pods.find(d.pod); it != pods.end()) it->second.devices.push_back(d.index);
  return pods;
}

}  // namespace

ClusterPower cluster_power(const topologies::Cluster& cluster) {
  const auto& devices = cluster.devices();
  ClusterPower out;
  out.busy_watts.resize(devices.size());
  for (const topologies::Device& d : devices) out.busy_watts[d.index] = d.spec->tdp_watts.value_or(0);
  for (const auto& [pod, power] : estimated_pods(cluster)) {
    if (power.devices.empty()) continue;
    double tdp = 0;
    bool known = true;
    for (topologies::DeviceIndex d : power.devices) {
      known &= devices[d].spec->tdp_watts.has_value();
      tdp += devices[d].spec->tdp_watts.value_or(0);
    }
    if (known && power.estimate_watts >= tdp) {
      out.static_watts += power.estimate_watts - tdp;
    } else {
      for (topologies::DeviceIndex d : power.devices)
        out.busy_watts[d] = power.estimate_watts / static_cast<double>(power.devices.size());
    }
  }
  return out;
}

std::optional<double> full_load_watts_per_device(const topologies::Cluster& cluster) {
  const topologies::Device& d0 = cluster.devices().front();
  const std::map<uint32_t, PodPower> pods = estimated_pods(cluster);
  if (auto it = pods.find(d0.pod); it != pods.end())
    return it->second.estimate_watts / static_cast<double>(it->second.devices.size());
  return d0.spec->tdp_watts;
}

}  // namespace podsim::sim

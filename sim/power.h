#pragma once
// Power of a built cluster: one model for cluster runs (the scheduler's Inventory) and
// comparison studies (energy to train).
//
// A device draws its TDP while a job holds it. The rest of its system's published
// whole-system estimate (CPUs, NVLink/UB switches, fans: NVL72 120 kW - 72 x GB200
// TDP; DGX H100 10.2 kW - 8 x 700 W) is static, drawn whether or not jobs run. A system
// with an estimate but no device TDP (or an estimate below its devices' TDP) shares the
// estimate among its devices while busy. Devices draw nothing while idle, and scale-out
// switches nothing: the presets publish neither (TODO(#6): idle device and fabric switch
// power, once sourced).
//
//   NVL72 (120 kW, 72 GPUs of TDP 1,200 W): busy 1,200 W per GPU, static 33.6 kW;
//   at full load 120 kW / 72 = 1,666.7 W per GPU.
#include <optional>
#include <vector>

#include "topologies/cluster.h"

namespace podsim::sim {

struct ClusterPower {
  std::vector<double> busy_watts;  // by device index: drawn while a job holds it (0: unknown)
  double static_watts = 0;         // the whole cluster's, drawn always
};

ClusterPower cluster_power(const topologies::Cluster& cluster);

// Watts per device of the cluster's first system (the pod of device 0) at full load:
// its static and busy power together, which by the model above is its estimate, shared
// by its devices; without an estimate, the device's TDP; nullopt if neither is known.
std::optional<double> full_load_watts_per_device(const topologies::Cluster& cluster);

}  // namespace podsim::sim

#pragma once
// Placement of a job's ranks on a fabric's devices, aligned to scale-up domains.
//
// Ranks are ordered as in step_model.h (TP innermost, then CP, then DP, whose EP
// groups are ep consecutive data ranks, then PP). Laying rank r on device r splits any
// group that straddles a domain boundary: 256 ranks with EP64 on 4 NVL72 racks put
// ranks 64-127 (one EP group) on racks 0 and 1, so its all-to-all runs at scale-out
// speed. Schedulers avoid this: Slurm's topology/block plugin places a job's nodes in
// NVLink blocks (racks), in segments of a size the job asks for (`--segment`; Slurm
// "Topology Guide", topology/block; CoreWeave SUNK "Topology/Block Scheduling" for
// GB200 NVL72), and launchers order ranks so model-parallel groups stay in a block.
// So each domain takes the largest multiple of a block of consecutive ranks that fits
// in it, and leaves the rest of its devices idle:
//   block = the largest of tp cp ep, tp cp, tp that is <= the domain's device count.
// When the aligned domains cannot hold the job, ranks fall back to devices 0..n-1.
#include <vector>

#include "engine/network/fabric.h"
#include "workloads/parallel_plan.h"

namespace podsim::workloads {

// Rank r of `plan` runs on result[r]. REQUIRES: fabric.device_count() >= plan.devices().
// Domains are taken in the order of their first device.
std::vector<engine::DeviceId> aligned_placement(const Plan& plan, const engine::Fabric& fabric);

// The rank block aligned_placement keeps inside one domain of `domain_size` devices.
int aligned_block(const Plan& plan, int domain_size);

}  // namespace podsim::workloads

#pragma once
// The device memory a training process cannot give to the model: what the runtime holds
// (engine::RuntimeReserve: driver, context, math-library workspaces, from the device
// catalog with their sources in docs/hardware.md §1.5) plus the collective library's
// buffers for each collective communicator the plan opens (docs/models.md §4.4).
//
// Collective communicators per device, as Megatron-Core opens them for the large
// collectives: tensor parallel (tp > 1), the data-parallel gradient group (dp x cp > 1),
// and with routed experts the expert-data-parallel group (ep > 1 and dp x cp / ep > 1).
// Pipeline and context parallelism exchange activations point to point, and token
// dispatch runs as grouped sends and receives: NCCL gives those shared per-peer buffers
// that are not counted here (not modelled), nor are the small groups for the loss and
// the gradient norm.
//
//   H100, TP8 DP64: 0.59 (driver) + 0.64 (context) + 0.07 (workspaces)
//                   + 2 x 0.31 (NCCL rings) = 1.92 GB
#include <optional>

#include "engine/device.h"
#include "engine/units.h"
#include "workloads/parallel_plan.h"

namespace podsim::workloads {

struct ReserveBreakdown {
  engine::Bytes driver;
  engine::Bytes context;
  engine::Bytes workspaces;
  engine::Bytes collective;  // per_communicator x communicators
  int communicators = 0;
  // Set: the scenario gave the whole reserve (the parts above are zero).
  std::optional<engine::Bytes> from_scenario;
  engine::Bytes total() const {
    return from_scenario ? *from_scenario : engine::Bytes(driver + context + workspaces + collective);
  }
};

// The collective communicators one device of `plan` holds buffers for (above).
int collective_communicators(const Plan& plan);

// The reserve of `device` under `plan`.
ReserveBreakdown runtime_reserve(const engine::DeviceSpec& device, const Plan& plan);

}  // namespace podsim::workloads

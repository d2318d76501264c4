#pragma once
// FailureEvents: a cluster run's failures as events on its simulator -- each random
// failure of the failure process (failure_process.h) when it happens, the unit's next one
// armed then, and the scripted ones (failures.h) -- handed to the run loop, which
// interrupts jobs and schedules the repair (scheduler/cluster_run.cc).
//
//   FailureEvents failures(inv, options.failures, sim, [&](const auto& devices, SimTime repair) { ... });
#include <cstdint>
#include <functional>
#include <vector>

#include "engine/sim_time.h"
#include "engine/simulator.h"
#include "scheduler/failure_process.h"
#include "scheduler/failures.h"
#include "scheduler/inventory.h"

namespace podsim::scheduler {

class FailureEvents {
 public:
  using OnFailure = std::function<void(const std::vector<uint32_t>& devices, engine::SimTime repair_after)>;

  // Draws from `sim`'s random stream "failures" and schedules on `sim`; `inv`, `options`
  // and `sim` must outlive this. Throws UserError as FailureProcess and
  // check_scripted_failures do.
  FailureEvents(const Inventory& inv, const FailureOptions& options, engine::Simulator& sim, OnFailure on_failure);

 private:
  void arm_next();

  engine::Simulator& sim_;
  FailureProcess process_;
  OnFailure on_failure_;
};

}  // namespace podsim::scheduler

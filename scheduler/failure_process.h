#pragma once
// FailureProcess: when and where a cluster run's random failures happen. Every failing
// unit (device or node) of every failure kind is a renewal process: a time to failure
// drawn from a Weibull of the kind's mean (shape 1: exponential), then the kind's repair
// time, then a fresh draw (failures.h). The run loop asks for the earliest pending
// failure, takes it, and the unit's next one is drawn from its repair on.
//
// Draws come from one random stream in a fixed order (every unit of kind 0, then of
// kind 1, ..., at the start; then one draw per failure taken), so a seed gives the same
// failures whatever the jobs do.
#include <cstdint>
#include <optional>
#include <queue>
#include <tuple>
#include <vector>

#include "engine/random.h"
#include "engine/sim_time.h"
#include "scheduler/failures.h"
#include "scheduler/inventory.h"

namespace podsim::scheduler {

// The devices a failure of `unit` number `index` takes down (a node: all of its devices).
std::vector<uint32_t> unit_devices(const Inventory& inv, FailureUnit unit, uint32_t index);

// Throws UserError when a scripted failure names a device or node the inventory does not have.
void check_scripted_failures(const Inventory& inv, const std::vector<ScriptedFailure>& scripted);

class FailureProcess {
 public:
  struct Failure {
    engine::SimTime at;
    std::vector<uint32_t> devices;
    engine::SimTime repair;  // the devices are back at at + repair
  };

  // Draws every unit's first failure. `kinds` must outlive this. Throws UserError for a
  // kind without a positive mtbf_hours and weibull_shape.
  FailureProcess(const Inventory& inv, const std::vector<FailureKind>& kinds, engine::RandomEngine rng);

  // When the earliest pending failure happens; nullopt without failure kinds.
  std::optional<engine::SimTime> next() const;

  // Takes the earliest pending failure, and draws its unit's next one from the end of
  // its repair. REQUIRES: next().
  Failure take();

 private:
  // One unit's next failure, ordered earliest first.
  struct Pending {
    engine::SimTime at;
    uint32_t kind, unit;
    bool operator>(const Pending& o) const { return std::tie(at, kind, unit) > std::tie(o.at, o.kind, o.unit); }
  };
  void draw(uint32_t kind, uint32_t unit, engine::SimTime from);

  const Inventory& inv_;
  const std::vector<FailureKind>& kinds_;
  engine::RandomEngine rng_;
  std::priority_queue<Pending, std::vector<Pending>, std::greater<>> pending_;
};

}  // namespace podsim::scheduler

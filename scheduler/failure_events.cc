#include "scheduler/failure_events.h"

#include <optional>

namespace podsim::scheduler {

FailureEvents::FailureEvents(const Inventory& inv, const FailureOptions& options, engine::Simulator& sim,
                             OnFailure on_failure)
    : sim_(sim), process_(inv, options.kinds, sim.random().stream("failures")), on_failure_(std::move(on_failure)) {
  arm_next();
  check_scripted_failures(inv, options.scripted);
  for (const ScriptedFailure& f : options.scripted)
    sim_.schedule_at(f.at, [this, devices = unit_devices(inv, f.unit, f.index), repair = f.repair] {
      on_failure_(devices, repair);
    });
}

void FailureEvents::arm_next() {
  const std::optional<engine::SimTime> next = process_.next();
  if (!next) return;
  sim_.schedule_at(*next, [this] {
    const FailureProcess::Failure f = process_.take();
    on_failure_(f.devices, f.repair);
    arm_next();
  });
}

}  // namespace podsim::scheduler

#include "engine/simulator.h"

#include <algorithm>

namespace podsim::engine {

std::string to_string(StopReason r) {
  switch (r) {
    case StopReason::kQueueEmpty: return "queue empty";
    case StopReason::kHorizon: return "horizon reached";
    case StopReason::kPredicate: return "stop condition met";
    case StopReason::kEventLimit: return "event limit reached";
    case StopReason::kStopRequested: return "stop requested";
  }
  return "unknown";
}

EventHandle Simulator::schedule_at(SimTime t, EventCallback cb) {
  PODSIM_CHECK(t >= now_, "event scheduled in the past: simulated time never goes backwards");
  return queue_.push(t, std::move(cb));
}

RunResult Simulator::run(const StopConditions& stop) {
  RunResult result;
  stop_requested_ = false;
  for (;;) {
    if (queue_.empty()) {
      result.reason = StopReason::kQueueEmpty;
      break;
    }
    if (stop.max_events && result.events_executed >= *stop.max_events) {
      result.reason = StopReason::kEventLimit;
      break;
    }
    const SimTime next = queue_.next_time();
    // Every run ends by the end of time: what saturated to "never" never happens.
    const SimTime horizon = std::min(stop.horizon.value_or(SimTime::end_of_time()), SimTime::end_of_time());
    if (next > horizon) {
      now_ = std::max(now_, horizon);
      result.reason = StopReason::kHorizon;
      break;
    }
    auto [t, callback] = queue_.pop();
    PODSIM_CHECK(t >= now_, "simulated time never goes backwards: the next event is before the clock");
    now_ = t;
    callback();
    ++result.events_executed;
    ++executed_;
    if (stop_requested_) {
      result.reason = StopReason::kStopRequested;
      break;
    }
    if (stop.stop_when && stop.stop_when()) {
      result.reason = StopReason::kPredicate;
      break;
    }
  }
  result.end_time = now_;
  return result;
}

}  // namespace podsim::engine

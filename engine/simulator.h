#pragma once
// Simulator: one clock, one event queue, and the run loop that pops events in
// (time, insertion) order and calls them.
//
// A Simulator is a plain object (no global state): a sweep runs many at once, one per
// thread. Callbacks may schedule and cancel events, including at the current instant
// (they run after every event already pending for that instant).
//
//   Simulator sim(/*seed=*/42);
//   sim.schedule_in(SimTime::micros(5), [&] { ... });
//   RunResult r = sim.run({.horizon = SimTime::seconds(60)});
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "engine/event_queue.h"
#include "engine/random.h"
#include "engine/sim_time.h"

namespace podsim::engine {

using EventCallback = std::function<void()>;

struct StopConditions {
  // Events at times <= horizon run; the clock ends at the horizon if events remain.
  std::optional<SimTime> horizon;
  // Checked after every event; true stops the run.
  std::function<bool()> stop_when;
  // Safety net against runaway models: stop (with reason kEventLimit) after this many.
  std::optional<uint64_t> max_events;
};

enum class StopReason { kQueueEmpty, kHorizon, kPredicate, kEventLimit, kStopRequested };
std::string to_string(StopReason r);

struct RunResult {
  StopReason reason = StopReason::kQueueEmpty;
  SimTime end_time;           // the clock when the run stopped
  uint64_t events_executed = 0;  // in this call to run()
};

class Simulator {
 public:
  explicit Simulator(uint64_t seed) : random_(seed) {}
  Simulator(const Simulator&) = delete;
  Simulator& operator=(const Simulator&) = delete;

  SimTime now() const { return now_; }

  // REQUIRES: t >= now() (checked).
  EventHandle schedule_at(SimTime t, EventCallback cb);
  // REQUIRES: delay >= 0 (checked).
  EventHandle schedule_in(SimTime delay, EventCallback cb) { return schedule_at(now_ + delay, std::move(cb)); }
  // True iff the event was pending; it will not run.
  bool cancel(EventHandle h) { return queue_.cancel(h); }

  size_t pending_events() const { return queue_.size(); }
  uint64_t total_events_executed() const { return executed_; }

  // Runs until a stop condition holds. May be called again to continue.
  RunResult run(const StopConditions& stop = {});
  // From inside a callback: stop after it returns.
  void request_stop() { stop_requested_ = true; }

  const RandomStreams& random() const { return random_; }

 private:
  EventQueue<EventCallback> queue_;
  SimTime now_ = SimTime::zero();
  uint64_t executed_ = 0;
  bool stop_requested_ = false;
  RandomStreams random_;
};

}  // namespace podsim::engine

#pragma once
// The flow network's run-time invariants (docs/reliability.md), always on. Each is a
// function so that FlowNetwork states it once and a test can show it firing; each
// throws InternalError (engine/check.h) whose message starts with the invariant.
#include <cstdint>

namespace podsim::engine {

// No link above capacity: the max-min rates put on a link sum to at most its payload
// capacity (relative slack 1e-9: the solver's own rounding is ~1e-12).
void check_link_within_capacity(uint32_t link, double load, double capacity);

// Bytes sent equal bytes received: a flow retires only when what was left of it at its
// last rate change (`bytes_at_last_rate`), drained at that rate up to the completion
// instant, is nothing (`undelivered` <= 0 up to a relative 1e-6 of floating-point
// slack; the finish time is rounded up to whole nanoseconds, so it is usually < 0).
void check_flow_delivered(uint32_t flow, double undelivered, double bytes_at_last_rate);

}  // namespace podsim::engine

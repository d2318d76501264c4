#pragma once
// No inf or NaN reaches an output (docs/reliability.md): every number a run produces
// is checked where the run returns it. With every input in its range
// (scenario/field_ranges.h) none can be infinite, so one that is means a model bug:
// InternalError naming the quantity ("result jobs['a'].mfu is not finite (nan)"), exit 3.
#include "scheduler/result.h"
#include "sim/study.h"

namespace podsim::sim {

// Throws InternalError at the first number of `r` that is not finite.
void check_finite(const scheduler::ClusterRunResult& r);
void check_finite(const StudyResult& r);

}  // namespace podsim::sim

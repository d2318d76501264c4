#pragma once
// The comparison study as `podsim run` prints it: per job, a side-by-side table of the
// systems (plan, step time and its parts, MFU, throughput, time and energy to train,
// published figures and the prediction's error), then the planner's explanations.
#include <ostream>

#include "sim/study.h"

namespace podsim::report {

void print_comparison(const sim::StudyResult& r, std::ostream& out);

}  // namespace podsim::report

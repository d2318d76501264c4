#pragma once
// FAIR_SHARE (scheduler/policy.h): the next job comes from the user holding the fewest
// devices per unit of weight (ties by user name), the user's first queued job that
// fits; a user with nothing that fits drops out for the pass. Not preemptive.
#include <memory>

#include "scheduler/policy.h"

namespace podsim::scheduler {

std::unique_ptr<Policy> make_fair_share();

}  // namespace podsim::scheduler

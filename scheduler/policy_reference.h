#pragma once
// The sorting policies as they were before their queues were kept between passes
// (scheduler/class_queue.h): each pass sorts every queued (and, if preemptive, running)
// job. O(n log n) per pass; kept as the reference the indexed passes are tested against
// (tests/scheduler/queue_index_test.cc), as exhaustive_backfill is for EASY.
#include <memory>

#include "scheduler/policy.h"

namespace podsim::scheduler {

// kSjf, kSrtf, kLas, kPriority, kFairShare; nullptr for the other kinds.
std::unique_ptr<Policy> make_reference_policy(const PolicyOptions& options);

}  // namespace podsim::scheduler

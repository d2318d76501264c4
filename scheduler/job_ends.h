#pragma once
// JobEnds: the run loop's ledger of finished jobs, which holds the invariant "every
// job ends exactly once" (docs/reliability.md). ClusterRun counts finished jobs only
// through it, so the count it stops on and reports cannot hold a job twice.
//
//   JobEnds ends(jobs.size());
//   ends.record(3, "llama-7");   // a second record(3, ...) is an InternalError
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/check.h"

namespace podsim::scheduler {

class JobEnds {
 public:
  explicit JobEnds(size_t jobs) : ended_(jobs, false) {}

  // Records that job `job` (named `name`, for the message) finished.
  void record(uint32_t job, std::string_view name) {
    PODSIM_CHECK(job < ended_.size() && !ended_[job],
                 "every job ends exactly once: job '" + std::string(name) + "' ended a second time");
    ended_[job] = true;
    ++count_;
  }
  size_t count() const { return count_; }

 private:
  std::vector<bool> ended_;
  size_t count_ = 0;
};

}  // namespace podsim::scheduler

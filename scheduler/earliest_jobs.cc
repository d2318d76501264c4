#include "scheduler/earliest_jobs.h"

#include <algorithm>
#include <utility>

namespace podsim::scheduler {
namespace {

// Replay order. Lines are unique, so the order is total and the kept set does not
// depend on the order the rows arrive in.
bool earlier(const TraceJob& a, const TraceJob& b) {
  return a.submit_s < b.submit_s || (a.submit_s == b.submit_s && a.line < b.line);
}

}  // namespace

void EarliestJobs::add(TraceJob job) {
  if (offered_ == 0 || job.submit_s < first_submit_) first_submit_ = job.submit_s;
  if (offered_ == 0 || job.submit_s > latest_submit_) {
    latest_submit_ = job.submit_s;
    latest_line_ = job.line;
  }
  ++offered_;
  if (max_jobs_ == 0) {
    jobs_.push_back(std::move(job));
    return;
  }
  if (jobs_.size() == max_jobs_) {
    if (!earlier(job, jobs_.front())) return;  // later than every kept job
    std::pop_heap(jobs_.begin(), jobs_.end(), earlier);
    jobs_.pop_back();
  }
  jobs_.push_back(std::move(job));
  std::push_heap(jobs_.begin(), jobs_.end(), earlier);
}

std::vector<TraceJob> EarliestJobs::take_in_order() && {
  std::sort(jobs_.begin(), jobs_.end(), earlier);
  return std::move(jobs_);
}

}  // namespace podsim::scheduler

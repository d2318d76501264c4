#pragma once
// The jobs a trace reader keeps: every job, or, for a trace replayed in part
// (TraceSource.max_jobs), only the max_jobs earliest in replay order. Replay order is
// submit time as read, then line in the file (ties keep file order). The earliest are
// held in a max-heap of at most max_jobs jobs while the rows are read, so a trace of
// millions of rows cut to a thousand jobs holds a thousand (a job with its strings is
// ~380 B), not every row; every row is still read and checked.
//
// It also sees every job offered, kept or not: how many, the first submission and the
// latest, for the checks on the whole trace (trace_rows.h, order_trace).
#include <cstddef>
#include <vector>

#include "scheduler/traces.h"

namespace podsim::scheduler {

class EarliestJobs {
 public:
  // max_jobs 0: every job is kept.
  explicit EarliestJobs(size_t max_jobs) : max_jobs_(max_jobs) {}

  // O(log max_jobs); O(1) for a job later than every kept one (a trace in submission
  // order, past the first max_jobs rows).
  void add(TraceJob job);

  size_t offered() const { return offered_; }
  // The kept jobs, in no particular order.
  const std::vector<TraceJob>& kept() const { return jobs_; }
  // Of every job offered. REQUIRES: offered() > 0.
  double first_submit() const { return first_submit_; }
  double latest_submit() const { return latest_submit_; }
  size_t latest_line() const { return latest_line_; }  // the first line of that submit time

  // The kept jobs in replay order.
  std::vector<TraceJob> take_in_order() &&;

 private:
  size_t max_jobs_;
  std::vector<TraceJob> jobs_;  // with max_jobs_ > 0: a max-heap in replay order
  size_t offered_ = 0;
  double first_submit_ = 0, latest_submit_ = 0;
  size_t latest_line_ = 0;
};

}  // namespace podsim::scheduler

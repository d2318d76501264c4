#pragma once
// Recorder: integrates the cluster's state, a step function of time, and resamples it
// into a timeline. The run loop calls note() after every change; nothing is sampled by
// polling, so a quiet week costs nothing.
#include <vector>

#include "scheduler/result.h"

namespace podsim::scheduler {

struct ClusterState {
  double allocated = 0, down = 0, mfu_devices = 0, free = 0, free_on_partial_nodes = 0;
  double queued = 0, running = 0, power_w = 0;
};

class Recorder {
 public:
  explicit Recorder(double capacity) : capacity_(capacity) {}
  // The state from t_s on. REQUIRES: t_s >= every earlier t_s.
  void note(double t_s, const ClusterState& s);

  // Time-averages over [t0, t1] and the energy drawn.
  struct Totals {
    double utilization = 0, mfu_utilization = 0, fragmentation = 0, energy_j = 0;
  };
  Totals totals(double t0, double t1) const;
  // `samples` equal bins over [t0, t1]. REQUIRES: t1 > t0.
  std::vector<TimelineSample> timeline(double t0, double t1, size_t samples) const;

 private:
  struct Point {
    double t;
    ClusterState s;
  };
  // Integral of each field over [a, b].
  ClusterState integral(double a, double b) const;
  double capacity_;
  std::vector<Point> points_;
};

}  // namespace podsim::scheduler

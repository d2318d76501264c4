#pragma once
// Distributions of durations (job completion time, queueing delay) as cumulative
// curves on a log time axis: y = share of jobs with a duration <= x. Each curve is
// evaluated at kCdfPoints log-spaced durations, so its size does not grow with the job
// count; durations below the axis' left end (floor_s at least, e.g. zero waits) count
// at the left end.
#include <string>
#include <vector>

namespace podsim::report {

struct Distribution {
  std::string name;  // legend label
  std::string cls;   // palette class "c0".."c7"
  std::vector<double> values_s;
};

struct CdfChart {
  std::string id, title;
  std::vector<Distribution> series;
  double floor_s = 1;  // the axis never starts below this
  double width = 1080, height = 340;
};

inline constexpr int kCdfPoints = 240;

std::string render_cdf(const CdfChart& chart);

// The share of `sorted` (ascending) that is <= v; 0 for an empty list.
double share_at_most(const std::vector<double>& sorted, double v);

// The log axis' ends for `series`: powers of ten around the smallest value >= floor_s
// and the largest value. {floor_s, 10 floor_s} when there is nothing above floor_s.
struct LogRange {
  double lo = 1, hi = 10;
};
LogRange log_range(const std::vector<Distribution>& series, double floor_s);

}  // namespace podsim::report

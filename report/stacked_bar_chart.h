#pragma once
// Horizontal stacked bars: one bar per row (a system), split into segments (compute,
// pipeline bubble, exposed communication by kind) whose lengths add up to the bar's
// total (the step time), with the total printed after the bar.
#include <string>
#include <vector>

#include "report/grouped_bar_chart.h"

namespace podsim::report {

struct StackedSegment {
  std::string name;  // legend label
  std::string cls;   // CSS class, e.g. "c0" or "bubble"
};

struct StackedBar {
  std::string label;
  std::vector<double> values;  // one per segment, >= 0
};

struct StackedBarChart {
  std::string id, title;
  std::vector<StackedSegment> segments;
  std::vector<StackedBar> bars;
  std::string x_title;
  int decimals = 2;          // of the totals and tooltips
  std::string value_suffix;  // e.g. " s"
  double width = 1080;
};

// Segments as PlacedBar (group = bar, series = segment), zero-length ones left out.
// REQUIRES: each bar has segments.size() values.
BarLayout layout_stacked_bars(const StackedBarChart& chart);
std::string render_stacked_bars(const StackedBarChart& chart);

}  // namespace podsim::report

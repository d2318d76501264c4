#pragma once
// Vertical bars in groups: one group per category (a job), one bar per series (a
// system) in the same colour across groups, each bar labelled with its value. The
// value axis starts at 0, so bar heights compare as ratios.
#include <cstddef>
#include <string>
#include <vector>

#include "report/axis.h"
#include "report/svg.h"

namespace podsim::report {

struct BarGroup {
  std::string label;
  std::vector<double> values;  // one per series, >= 0
};

struct GroupedBarChart {
  std::string id, title;
  std::vector<std::string> series;  // legend labels; bar colour i = "c<i mod 8>"
  std::vector<BarGroup> groups;
  std::string y_title;
  int decimals = 1;          // of the value labels
  std::string value_suffix;  // e.g. " d", "%"
  double width = 1080, height = 360;
};

struct PlacedBar {
  size_t group = 0, series = 0;
  double value = 0;
  double x = 0, y = 0, w = 0, h = 0;  // pixels
};

struct BarLayout {
  Frame frame;
  Ticks ticks;
  double px_per_unit = 0;  // a bar of value v is v x px_per_unit pixels long
  std::vector<PlacedBar> bars;
};

// Where every bar goes. REQUIRES: each group has series.size() values.
BarLayout layout_grouped_bars(const GroupedBarChart& chart);
std::string render_grouped_bars(const GroupedBarChart& chart);

}  // namespace podsim::report

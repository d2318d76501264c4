#pragma once
// A chart of quantities over simulated time, each sample the average over a bin
// [t_i, t_(i+1)) (scheduler::TimelineSample), drawn as steps so that every bin reads
// at its true average: areas for shares of the cluster, lines for counts.
#include <optional>
#include <string>
#include <vector>

namespace podsim::report {

struct TimeSeries {
  std::string name;  // legend label
  std::string cls;   // CSS class: "c0".."c7" (palette), "down"
  std::vector<double> values;  // one per bin
  bool area = false;           // filled down to 0, drawn under the lines
};

struct TimeSeriesChart {
  std::string id;     // SVG element id
  std::string title;  // accessible name
  std::vector<double> bin_start_s;  // ascending, one per value of each series
  double end_s = 0;                 // end of the last bin
  std::vector<TimeSeries> series;
  std::string y_title;                // e.g. "% of devices"
  std::optional<double> y_max;        // fixed top (100 for percentages); default: nice max of the data
  double width = 1080, height = 320;  // pixels
};

// More bins than this are averaged in groups before drawing (a chart is ~1,000 px wide).
inline constexpr size_t kMaxTimeBins = 600;

// The SVG. REQUIRES: every series has bin_start_s.size() values.
std::string render_time_series(const TimeSeriesChart& chart);

}  // namespace podsim::report

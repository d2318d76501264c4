#pragma once
// Axes, gridlines and legends shared by the report's charts. Every chart draws into a
// Frame (its plot area) inside an Svg and labels it with these, so all charts read the
// same way: light gridlines at each tick, tick labels outside the frame, the axis title
// centred along it, the legend in a row above the frame.
#include <string>
#include <string_view>
#include <vector>

#include "report/svg.h"

namespace podsim::report {

// The plot area of a chart, in pixels from the SVG's top-left corner.
struct Frame {
  double left = 0, top = 0, width = 0, height = 0;
  double right() const { return left + width; }
  double bottom() const { return top + height; }
};

struct Tick {
  double px = 0;  // position along the axis, in pixels
  std::string label;
};

// Ticks of `t` placed by `scale`, labelled with t.decimals decimals and `suffix`.
std::vector<Tick> linear_ticks(const Ticks& t, const LinearScale& scale, std::string_view suffix = {});

// Durations on a log axis: ticks at 1 s, 10 s, 1 min, 10 min, 1 h, 10 h, 1 d, 10 d,
// 100 d, 1000 d that fall in [lo_s, hi_s]; when fewer than four do, also at 2 s, 5 s,
// 30 s, 2 min, 5 min, 30 min, 2 h, 5 h, 2 d, 5 d, 20 d, 50 d.
std::vector<Tick> log_time_ticks(const LogScale& scale, double lo_s, double hi_s);

// The unit a time axis spanning `span_s` seconds reads best in: minutes below 2 h,
// hours below 3 days, days beyond.
struct TimeUnit {
  std::string_view name;  // "min", "h", "d"
  double seconds = 1;
};
TimeUnit time_unit_for(double span_s);

// Tick labels and vertical gridlines along the bottom of `frame`, `title` below them.
void bottom_axis(Svg& svg, const Frame& frame, const std::vector<Tick>& ticks, std::string_view title);
// Tick labels and horizontal gridlines along the left of `frame`, `title` rotated.
void left_axis(Svg& svg, const Frame& frame, const std::vector<Tick>& ticks, std::string_view title);

// A legend entry: a filled swatch (bars, areas) or a short line (lines) in class `cls`.
struct LegendEntry {
  std::string label;
  std::string cls;
  bool line = false;
};
// Entries in a row from (x, y) (y is the text baseline), wrapping at `max_x`. Returns
// the baseline of the last row.
double legend(Svg& svg, double x, double y, double max_x, const std::vector<LegendEntry>& entries);

// A rough width of `text` in pixels at the report's 12 px sans-serif, for layout
// (labels are short; SVG text is not measured before the browser renders it).
double text_width(std::string_view text, double font_px = 12);

}  // namespace podsim::report

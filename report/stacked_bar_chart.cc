#include "report/stacked_bar_chart.h"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

namespace podsim::report {
namespace {

constexpr double kRow = 40;  // pixels per bar
constexpr double kBar = 26;

double label_column(const StackedBarChart& c) {
  double w = 0;
  for (const StackedBar& b : c.bars) w = std::max(w, text_width(b.label));
  return std::min(300.0, w + 24);
}

double total(const StackedBar& b) {
  double t = 0;
  for (const double v : b.values) t += std::max(0.0, v);
  return t;
}

}  // namespace

BarLayout layout_stacked_bars(const StackedBarChart& c) {
  BarLayout l;
  const double left = label_column(c);
  l.frame = {.left = left, .top = 36, .width = c.width - left - 110, .height = kRow * static_cast<double>(c.bars.size())};
  double top = 0;
  for (const StackedBar& b : c.bars) {
    if (b.values.size() != c.segments.size())
      throw std::invalid_argument(fmt::format("layout_stacked_bars: bar '{}' has {} values for {} segments", b.label,
                                              b.values.size(), c.segments.size()));
    top = std::max(top, total(b));
  }
  l.ticks = nice_ticks(0, top, 7);
  l.px_per_unit = l.frame.width / l.ticks.values.back();
  for (size_t r = 0; r < c.bars.size(); ++r) {
    double x = l.frame.left;
    const double y = l.frame.top + kRow * static_cast<double>(r) + (kRow - kBar) / 2;
    for (size_t s = 0; s < c.segments.size(); ++s) {
      const double v = std::max(0.0, c.bars[r].values[s]);
      if (v == 0) continue;
      const double w = v * l.px_per_unit;
      l.bars.push_back({.group = r, .series = s, .value = v, .x = x, .y = y, .w = w, .h = kBar});
      x += w;
    }
  }
  return l;
}

std::string render_stacked_bars(const StackedBarChart& c) {
  const BarLayout l = layout_stacked_bars(c);
  Svg svg(c.width, l.frame.bottom() + 50, c.title, c.id);
  std::vector<LegendEntry> entries;
  for (const StackedSegment& s : c.segments) entries.push_back({s.name, s.cls});
  legend(svg, l.frame.left, 18, c.width - 20, entries);
  const LinearScale x(0, l.ticks.values.back(), l.frame.left, l.frame.right());
  bottom_axis(svg, l.frame, linear_ticks(l.ticks, x), c.x_title);
  svg.open_group("bars");
  for (size_t r = 0; r < c.bars.size(); ++r) {
    const double y = l.frame.top + kRow * static_cast<double>(r) + kRow / 2;
    svg.text(l.frame.left - 10, y + 4, c.bars[r].label, "row-label", Anchor::kEnd);
    svg.text(l.frame.left + total(c.bars[r]) * l.px_per_unit + 8, y + 4,
             format_number(total(c.bars[r]), c.decimals) + c.value_suffix, "value-label");
  }
  for (const PlacedBar& b : l.bars)
    svg.rect(b.x, b.y, b.w, b.h, "segment " + c.segments[b.series].cls,
             fmt::format("{}, {}: {}{}", c.bars[b.group].label, c.segments[b.series].name,
                         format_number(b.value, c.decimals), c.value_suffix));
  svg.close_group();
  return std::move(svg).finish();
}

}  // namespace podsim::report

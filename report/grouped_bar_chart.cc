#include "report/grouped_bar_chart.h"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

namespace podsim::report {

BarLayout layout_grouped_bars(const GroupedBarChart& c) {
  BarLayout l;
  l.frame = {.left = 80, .top = 36, .width = c.width - 110, .height = c.height - 36 - 50};
  double top = 0;
  for (const BarGroup& g : c.groups) {
    if (g.values.size() != c.series.size())
      throw std::invalid_argument(fmt::format("layout_grouped_bars: group '{}' has {} values for {} series", g.label,
                                              g.values.size(), c.series.size()));
    for (const double v : g.values) top = std::max(top, v);
  }
  // 8% headroom, so that the value label of the tallest bar stays inside the frame.
  l.ticks = nice_ticks(0, 1.08 * top, 6);
  l.px_per_unit = l.frame.height / l.ticks.values.back();
  if (c.groups.empty() || c.series.empty()) return l;
  const double slot = l.frame.width / static_cast<double>(c.groups.size());
  // Bars fill 70% of a group's slot, at most 90 px each, centred in it.
  const double bar_w = std::min(90.0, 0.7 * slot / static_cast<double>(c.series.size()));
  for (size_t g = 0; g < c.groups.size(); ++g) {
    const double x0 = l.frame.left + slot * (static_cast<double>(g) + 0.5) - bar_w * static_cast<double>(c.series.size()) / 2;
    for (size_t s = 0; s < c.series.size(); ++s) {
      const double v = std::max(0.0, c.groups[g].values[s]);
      const double h = v * l.px_per_unit;
      l.bars.push_back({.group = g, .series = s, .value = v, .x = x0 + bar_w * static_cast<double>(s), .y = l.frame.bottom() - h,
                        .w = bar_w - 4, .h = h});
    }
  }
  return l;
}

std::string render_grouped_bars(const GroupedBarChart& c) {
  const BarLayout l = layout_grouped_bars(c);
  Svg svg(c.width, c.height, c.title, c.id);
  std::vector<LegendEntry> entries;
  for (size_t s = 0; s < c.series.size(); ++s) entries.push_back({c.series[s], fmt::format("c{}", s % 8)});
  legend(svg, l.frame.left, 18, c.width - 20, entries);
  const LinearScale y(0, l.ticks.values.back(), l.frame.bottom(), l.frame.top);
  left_axis(svg, l.frame, linear_ticks(l.ticks, y), c.y_title);
  std::vector<Tick> categories;
  const double slot = c.groups.empty() ? 0 : l.frame.width / static_cast<double>(c.groups.size());
  for (size_t g = 0; g < c.groups.size(); ++g)
    categories.push_back({l.frame.left + slot * (static_cast<double>(g) + 0.5), c.groups[g].label});
  svg.open_group("axis");
  for (const Tick& t : categories) svg.text(t.px, l.frame.bottom() + 18, t.label, "category-label", Anchor::kMiddle);
  svg.line(l.frame.left, l.frame.bottom(), l.frame.right(), l.frame.bottom(), "axis-line");
  svg.close_group();
  svg.open_group("bars");
  for (const PlacedBar& b : l.bars) {
    const std::string value = format_number(b.value, c.decimals) + c.value_suffix;
    svg.rect(b.x, b.y, b.w, b.h, fmt::format("bar c{}", b.series % 8),
             fmt::format("{}, {}: {}", c.groups[b.group].label, c.series[b.series], value));
    svg.text(b.x + b.w / 2, b.y - 5, value, "value-label", Anchor::kMiddle);
  }
  svg.close_group();
  return std::move(svg).finish();
}

}  // namespace podsim::report

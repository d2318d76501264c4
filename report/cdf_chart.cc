#include "report/cdf_chart.h"

#include <algorithm>
#include <cmath>

#include "report/axis.h"
#include "report/svg.h"

namespace podsim::report {

double share_at_most(const std::vector<double>& sorted, double v) {
  if (sorted.empty()) return 0;
  const auto it = std::upper_bound(sorted.begin(), sorted.end(), v);
  return static_cast<double>(it - sorted.begin()) / static_cast<double>(sorted.size());
}

LogRange log_range(const std::vector<Distribution>& series, double floor_s) {
  double lo = 0, hi = 0;
  for (const Distribution& d : series)
    for (const double v : d.values_s) {
      if (v < floor_s) continue;
      lo = lo == 0 ? v : std::min(lo, v);
      hi = std::max(hi, v);
    }
  if (lo == 0) return {floor_s, 10 * floor_s};
  LogRange r{std::pow(10.0, std::floor(std::log10(lo))), std::pow(10.0, std::ceil(std::log10(hi)))};
  r.lo = std::max(r.lo, floor_s);
  if (r.hi <= r.lo) r.hi = 10 * r.lo;
  return r;
}

std::string render_cdf(const CdfChart& c) {
  Svg svg(c.width, c.height, c.title, c.id);
  std::vector<LegendEntry> entries;
  for (const Distribution& d : c.series) entries.push_back({d.name, "series " + d.cls, true});
  legend(svg, 80, 18, c.width - 20, entries);
  const Frame f{.left = 80, .top = 36, .width = c.width - 110, .height = c.height - 36 - 50};

  const LogRange range = log_range(c.series, c.floor_s);
  const LogScale x(range.lo, range.hi, f.left, f.right());
  const Ticks yt = nice_ticks(0, 100, 6);
  const LinearScale y(0, 100, f.bottom(), f.top);
  left_axis(svg, f, linear_ticks(yt, y, "%"), "jobs at or below (cumulative)");
  bottom_axis(svg, f, log_time_ticks(x, range.lo, range.hi), "duration (log scale)");

  const double l0 = std::log10(range.lo), l1 = std::log10(range.hi);
  for (const Distribution& d : c.series) {
    std::vector<double> sorted = d.values_s;
    std::sort(sorted.begin(), sorted.end());
    std::vector<Svg::Point> points;
    for (int i = 0; i <= kCdfPoints; ++i) {
      const double v = std::pow(10.0, l0 + (l1 - l0) * i / kCdfPoints);
      points.push_back({x(v), y(100 * share_at_most(sorted, v))});
    }
    svg.polyline(points, "series " + d.cls);
  }
  return std::move(svg).finish();
}

}  // namespace podsim::report

#include "report/time_series_chart.h"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

#include "report/axis.h"
#include "report/svg.h"

namespace podsim::report {
namespace {

// At most kMaxTimeBins bins: consecutive bins merged in groups, each group's value the
// time-weighted mean of its bins.
struct Binned {
  std::vector<double> start;
  std::vector<std::vector<double>> values;  // per series
};

Binned merge_bins(const TimeSeriesChart& c) {
  const size_t n = c.bin_start_s.size();
  const size_t g = (n + kMaxTimeBins - 1) / kMaxTimeBins;
  Binned b;
  b.values.resize(c.series.size());
  for (size_t i = 0; i < n; i += g) {
    const size_t j_end = std::min(n, i + g);
    b.start.push_back(c.bin_start_s[i]);
    for (size_t s = 0; s < c.series.size(); ++s) {
      double sum = 0, weight = 0;
      for (size_t j = i; j < j_end; ++j) {
        const double w = (j + 1 < n ? c.bin_start_s[j + 1] : c.end_s) - c.bin_start_s[j];
        sum += c.series[s].values[j] * w;
        weight += w;
      }
      b.values[s].push_back(weight > 0 ? sum / weight : c.series[s].values[i]);
    }
  }
  return b;
}

}  // namespace

std::string render_time_series(const TimeSeriesChart& c) {
  for (const TimeSeries& s : c.series)
    if (s.values.size() != c.bin_start_s.size())
      throw std::invalid_argument(fmt::format("render_time_series: series '{}' has {} values for {} bins", s.name,
                                              s.values.size(), c.bin_start_s.size()));
  Svg svg(c.width, c.height, c.title, c.id);
  std::vector<LegendEntry> entries;
  for (const TimeSeries& s : c.series) entries.push_back({s.name, s.cls, !s.area});
  legend(svg, 80, 18, c.width - 20, entries);
  const Frame f{.left = 80, .top = 36, .width = c.width - 110, .height = c.height - 36 - 50};

  const double t0 = c.bin_start_s.empty() ? 0 : c.bin_start_s.front();
  const double t1 = std::max(c.end_s, t0 + 1);
  const TimeUnit unit = time_unit_for(t1 - t0);
  const Ticks xt = nice_ticks(t0 / unit.seconds, t1 / unit.seconds, 8);
  const LinearScale x_unit(xt.values.front(), xt.values.back(), f.left, f.right());
  const auto x = [&](double t_s) { return x_unit(t_s / unit.seconds); };

  double top = 0;
  for (const TimeSeries& s : c.series)
    for (const double v : s.values) top = std::max(top, v);
  const Ticks yt = nice_ticks(0, c.y_max.value_or(top), 6);
  const LinearScale y(yt.values.front(), yt.values.back(), f.bottom(), f.top);

  left_axis(svg, f, linear_ticks(yt, y), c.y_title);
  bottom_axis(svg, f, linear_ticks(xt, x_unit), fmt::format("simulated time ({})", unit.name));

  const Binned b = merge_bins(c);
  auto steps = [&](const std::vector<double>& values) {
    std::vector<Svg::Point> p;
    for (size_t i = 0; i < values.size(); ++i) {
      const double end = i + 1 < b.start.size() ? b.start[i + 1] : c.end_s;
      p.push_back({x(b.start[i]), y(values[i])});
      p.push_back({x(end), y(values[i])});
    }
    return p;
  };
  // Areas first, so that lines stay visible on top of them.
  for (const bool areas : {true, false})
    for (size_t s = 0; s < c.series.size(); ++s) {
      if (c.series[s].area != areas) continue;
      if (areas)
        svg.area(steps(b.values[s]), y(0), "area " + c.series[s].cls);
      else
        svg.polyline(steps(b.values[s]), "series " + c.series[s].cls);
    }
  return std::move(svg).finish();
}

}  // namespace podsim::report

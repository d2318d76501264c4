#include "report/gantt_chart.h"

#include <fmt/format.h>

#include <algorithm>
#include <numeric>

#include "report/axis.h"
#include "report/svg.h"

namespace podsim::report {
namespace {

constexpr double kRowHeight = 22;    // named rows
constexpr double kMaxPlotHeight = 640;  // lane mode
constexpr double kMaxLaneHeight = 10;
constexpr size_t kPalette = 8;

std::string plural(uint32_t n, const char* what) { return fmt::format("{} {}{}", n, what, n == 1 ? "" : "s"); }

std::string hits(const GanttBar& b) {
  std::vector<std::string> parts;
  if (b.interruptions > 0) parts.push_back(plural(b.interruptions, "failure"));
  if (b.preemptions > 0) parts.push_back(plural(b.preemptions, "preemption"));
  std::string s;
  for (const std::string& p : parts) s += (s.empty() ? "" : ", ") + p;
  return s;
}

std::string tooltip(const GanttBar& b, const TimeUnit& u) {
  std::string s = fmt::format("{}: {} devices; arrived {}, ran {} to {} {}{}", b.name, b.devices,
                              format_number(b.arrival_s / u.seconds, 2), format_number(b.start_s / u.seconds, 2),
                              format_number(b.end_s / u.seconds, 2), u.name, b.finished ? "" : " (unfinished)");
  const std::string h = hits(b);
  return h.empty() ? s : s + "; " + h;
}

// `name` cut to about `width` pixels, with an ellipsis where it was cut; cuts fall only
// before the first byte of a UTF-8 character. The tooltip keeps the whole name.
std::string fit(const std::string& name, double width) {
  if (text_width(name) <= width) return name;
  std::string out;
  for (size_t i = 0; i < name.size(); ++i) {
    const bool starts_char = (static_cast<unsigned char>(name[i]) & 0xC0) != 0x80;
    // Room for this character and the ellipsis after it (text_width counts characters).
    if (starts_char && text_width(out) + text_width("m...") > width) break;
    out += name[i];
  }
  return out + "...";
}

bool was_hit(const GanttBar& b) { return b.preemptions > 0 || b.interruptions > 0; }

std::string bar_class(const GanttBar& b) {
  std::string cls = fmt::format("job c{}", b.group % kPalette);
  if (!b.finished) cls += " open";
  return cls;
}

}  // namespace

std::vector<size_t> bars_to_draw(const std::vector<GanttBar>& bars, size_t max_bars) {
  std::vector<size_t> idx(bars.size());
  std::iota(idx.begin(), idx.end(), 0);
  if (bars.size() <= max_bars) return idx;
  auto weight = [&](size_t i) { return bars[i].devices * std::max(0.0, bars[i].end_s - bars[i].start_s); };
  std::stable_sort(idx.begin(), idx.end(), [&](size_t a, size_t b) { return weight(a) > weight(b); });
  idx.resize(max_bars);
  std::sort(idx.begin(), idx.end());
  return idx;
}

std::vector<size_t> pack_lanes(const std::vector<GanttBar>& bars, const std::vector<size_t>& order, double gap_s) {
  std::vector<double> lane_end;  // end of the last bar in each lane
  std::vector<size_t> lane(order.size());
  for (size_t k = 0; k < order.size(); ++k) {
    const GanttBar& b = bars[order[k]];
    size_t l = 0;
    while (l < lane_end.size() && lane_end[l] > b.start_s - gap_s) ++l;
    if (l == lane_end.size()) lane_end.push_back(0);
    lane_end[l] = b.end_s;
    lane[k] = l;
  }
  return lane;
}

GanttRendering render_gantt(const GanttChart& c) {
  GanttRendering r;
  const bool named = c.bars.size() <= c.max_named_rows;
  std::vector<size_t> order = named ? bars_to_draw(c.bars, c.bars.size()) : bars_to_draw(c.bars, c.max_bars);
  r.shown = order.size();

  double label_width = 0;
  if (named)
    for (const GanttBar& b : c.bars) label_width = std::max(label_width, text_width(b.name));
  const double left = named ? std::min(280.0, label_width + 24) : 80;
  const double plot_width = c.width - left - (named ? 130 : 30);  // room for hit notes
  const double t1 = std::max(c.t1_s, c.t0_s + 1);
  const TimeUnit unit = time_unit_for(t1 - c.t0_s);
  const Ticks xt = nice_ticks(c.t0_s / unit.seconds, t1 / unit.seconds, 8);
  const LinearScale x_unit(xt.values.front(), xt.values.back(), left, left + plot_width);
  const auto x = [&](double t_s) { return x_unit(t_s / unit.seconds); };

  // Rows: one per job, or lanes.
  std::vector<size_t> row(order.size());
  if (named) {
    std::iota(row.begin(), row.end(), 0);
    r.lanes = order.size();
  } else {
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return c.bars[a].start_s < c.bars[b].start_s; });
    // One pixel between neighbours in a lane, so that two bars never read as one.
    const double gap_s = x_unit.k() > 0 ? unit.seconds / x_unit.k() : 0;
    row = pack_lanes(c.bars, order, gap_s);
    r.lanes = row.empty() ? 0 : *std::max_element(row.begin(), row.end()) + 1;
  }
  const double row_h = named ? kRowHeight : std::min(kMaxLaneHeight, kMaxPlotHeight / std::max<size_t>(r.lanes, 1));
  const Frame f{.left = left, .top = 36, .width = plot_width, .height = std::max(row_h * r.lanes, 40.0)};
  const double height = f.bottom() + 50;

  Svg svg(c.width, height, c.title, c.id);
  std::vector<LegendEntry> entries;
  // Only the groups of the bars drawn: a capped chart may leave a group out.
  std::vector<bool> drawn(c.groups.size(), false);
  for (const size_t i : order) drawn.at(c.bars[i].group) = true;
  for (size_t g = 0; g < c.groups.size(); ++g)
    if (drawn[g]) entries.push_back({c.groups[g], fmt::format("c{}", g % kPalette)});
  if (named) entries.push_back({"waiting (arrival to start)", "wait", true});
  bool any_failure = false, any_preemption = false;
  for (const size_t i : order) {
    any_failure = any_failure || !c.bars[i].interruption_times_s.empty();
    any_preemption = any_preemption || !c.bars[i].preemption_times_s.empty();
  }
  if (any_failure) entries.push_back({"failure hit it", "fail-mark", true});
  if (any_preemption) entries.push_back({"preempted", "preempt-mark", true});
  legend(svg, left, 18, c.width - 20, entries);
  bottom_axis(svg, f, linear_ticks(xt, x_unit), fmt::format("simulated time ({})", unit.name));
  if (!named)
    svg.vertical_text(f.left - 20, f.top + f.height / 2, fmt::format("{} lanes", r.lanes), "axis-title");

  svg.open_group("gantt-bars");
  const double bar_h = named ? row_h - 8 : std::max(row_h - (row_h >= 4 ? 1 : 0), 0.6);
  for (size_t k = 0; k < order.size(); ++k) {
    const GanttBar& b = c.bars[order[k]];
    const double y = f.top + row[k] * row_h + (row_h - bar_h) / 2;
    if (named) {
      svg.text(left - 10, y + bar_h - 3, fit(b.name, left - 14), "row-label", Anchor::kEnd);
      if (b.start_s > b.arrival_s) svg.line(x(b.arrival_s), y + bar_h / 2, x(b.start_s), y + bar_h / 2, "wait");
    }
    const double x0 = x(b.start_s);
    // At least half a pixel, so that a short job is still seen.
    const double x1 = std::max(x(b.end_s), x0 + 0.5);
    svg.rect(x0, y, x1 - x0, bar_h, bar_class(b), tooltip(b, unit));
    // Each failure and preemption where it happened: a tick across the bar (named rows
    // have room for it to stick out), and the counts after the bar.
    const double overhang = named ? 3 : 0;
    for (const auto& [times, cls] : {std::pair{&b.interruption_times_s, "fail-mark"}, std::pair{&b.preemption_times_s, "preempt-mark"}})
      for (const double t : *times) svg.line(x(t), y - overhang, x(t), y + bar_h + overhang, cls);
    if (named && was_hit(b)) svg.text(x1 + 6, y + bar_h - 3, hits(b), "hit-note");
  }
  svg.close_group();
  r.svg = std::move(svg).finish();
  if (r.shown < c.bars.size())
    r.note = fmt::format(
        "Showing the {} jobs with the most device-time of {} that ran (the others are in jobs.csv); each lane "
        "holds jobs that do not overlap.",
        format_number(static_cast<double>(r.shown), 0), format_number(static_cast<double>(c.bars.size()), 0));
  else if (!named)
    r.note = fmt::format("All {} jobs that ran, packed into {} lanes: each lane holds jobs that do not overlap.",
                         format_number(static_cast<double>(r.shown), 0), r.lanes);
  return r;
}

}  // namespace podsim::report

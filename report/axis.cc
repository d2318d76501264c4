#include "report/axis.h"

#include <fmt/format.h>

#include <array>

namespace podsim::report {

std::vector<Tick> linear_ticks(const Ticks& t, const LinearScale& scale, std::string_view suffix) {
  std::vector<Tick> out;
  for (const double v : t.values) out.push_back({scale(v), format_number(v, t.decimals) + std::string(suffix)});
  return out;
}

std::vector<Tick> log_time_ticks(const LogScale& scale, double lo_s, double hi_s) {
  struct Mark {
    double seconds;
    const char* label;
  };
  // Decades of the clock; the fine ladder adds the 2-5 steps people count time in, for
  // ranges too narrow to show four decades.
  static constexpr std::array<Mark, 10> kCoarse{{{1, "1 s"}, {10, "10 s"}, {60, "1 min"}, {600, "10 min"},
                                                 {3600, "1 h"}, {36000, "10 h"}, {86400, "1 d"}, {864000, "10 d"},
                                                 {8640000, "100 d"}, {86400000, "1000 d"}}};
  static constexpr std::array<Mark, 22> kFine{{{1, "1 s"},       {2, "2 s"},        {5, "5 s"},       {10, "10 s"},
                                               {30, "30 s"},     {60, "1 min"},     {120, "2 min"},   {300, "5 min"},
                                               {600, "10 min"},  {1800, "30 min"},  {3600, "1 h"},    {7200, "2 h"},
                                               {18000, "5 h"},   {36000, "10 h"},   {86400, "1 d"},   {172800, "2 d"},
                                               {432000, "5 d"},  {864000, "10 d"},  {1728000, "20 d"}, {4320000, "50 d"},
                                               {8640000, "100 d"}, {86400000, "1000 d"}}};
  auto pick = [&](const auto& ladder) {
    std::vector<Tick> out;
    for (const Mark& m : ladder)
      if (m.seconds >= lo_s * (1 - 1e-9) && m.seconds <= hi_s * (1 + 1e-9)) out.push_back({scale(m.seconds), m.label});
    return out;
  };
  std::vector<Tick> ticks = pick(kCoarse);
  return ticks.size() >= 4 ? ticks : pick(kFine);
}

TimeUnit time_unit_for(double span_s) {
  if (span_s < 2 * 3600) return {"min", 60};
  if (span_s < 3 * 86400) return {"h", 3600};
  return {"d", 86400};
}

void bottom_axis(Svg& svg, const Frame& frame, const std::vector<Tick>& ticks, std::string_view title) {
  svg.open_group("axis");
  for (const Tick& t : ticks) {
    svg.line(t.px, frame.top, t.px, frame.bottom(), "grid");
    svg.line(t.px, frame.bottom(), t.px, frame.bottom() + 5, "tick");
    svg.text(t.px, frame.bottom() + 18, t.label, "tick-label", Anchor::kMiddle);
  }
  svg.line(frame.left, frame.bottom(), frame.right(), frame.bottom(), "axis-line");
  if (!title.empty()) svg.text(frame.left + frame.width / 2, frame.bottom() + 38, title, "axis-title", Anchor::kMiddle);
  svg.close_group();
}

void left_axis(Svg& svg, const Frame& frame, const std::vector<Tick>& ticks, std::string_view title) {
  svg.open_group("axis");
  double widest = 0;
  for (const Tick& t : ticks) {
    svg.line(frame.left, t.px, frame.right(), t.px, "grid");
    svg.line(frame.left - 5, t.px, frame.left, t.px, "tick");
    svg.text(frame.left - 8, t.px + 4, t.label, "tick-label", Anchor::kEnd);
    widest = std::max(widest, text_width(t.label));
  }
  svg.line(frame.left, frame.top, frame.left, frame.bottom(), "axis-line");
  if (!title.empty()) svg.vertical_text(frame.left - widest - 22, frame.top + frame.height / 2, title, "axis-title");
  svg.close_group();
}

double legend(Svg& svg, double x, double y, double max_x, const std::vector<LegendEntry>& entries) {
  const double x0 = x;
  svg.open_group("legend");
  for (const LegendEntry& e : entries) {
    const double w = 22 + text_width(e.label) + 18;
    if (x + w > max_x && x > x0) {
      x = x0;
      y += 18;
    }
    if (e.line)
      svg.line(x, y - 4, x + 16, y - 4, e.cls);
    else
      svg.rect(x, y - 10, 16, 11, e.cls);
    svg.text(x + 22, y, e.label, "legend-label");
    x += w;
  }
  svg.close_group();
  return y;
}

double text_width(std::string_view text, double font_px) {
  // About 0.55 em per character for a proportional sans-serif (digits are 0.55 em in
  // DejaVu Sans and Liberation Sans); a UTF-8 continuation byte adds nothing.
  double chars = 0;
  for (const char c : text)
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) chars += 1;
  return chars * 0.55 * font_px;
}

}  // namespace podsim::report

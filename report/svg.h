#pragma once
// The drawing primitives of podsim's HTML reports: text escaping, deterministic number
// formatting, "nice" axis ticks, linear and log scales, and an SVG writer. Charts
// (one file per kind beside this one) are functions of plain data to an SVG string,
// so the same input gives byte-identical output: coordinates are printed with one
// decimal, numbers with fmt's locale-independent formatting, and nothing depends on
// the clock or on addresses.
//
//   Svg svg(640, 320, "Utilization");
//   const LinearScale x(0, 100, 60, 620);          // domain [0, 100] -> pixels [60, 620]
//   svg.rect(x(10), 40, x(30) - x(10), 200, "c0");  // a bar from 10 to 30
//   std::string markup = std::move(svg).finish();
#include <string>
#include <string_view>
#include <vector>

namespace podsim::report {

// `text` safe inside SVG/HTML element content and double- or single-quoted attribute
// values: & < > " ' become entities; other bytes (UTF-8 included) pass through.
std::string escape(std::string_view text);

// `v` with exactly `decimals` digits after the point, thousands separated by commas
// ("15,802", "1,437.7"); -0 prints as 0.
std::string format_number(double v, int decimals);

// Axis ticks by Heckbert's "nice numbers" (Graphics Gems, 1990, "Nice numbers for
// graph labels"): a step of 1, 2 or 5 x 10^k close to (hi - lo) / (target - 1), and
// ticks at every multiple of it from floor(lo / step) to ceil(hi / step).
struct Ticks {
  double step = 1;
  std::vector<double> values;  // ascending; values.front() <= lo, values.back() >= hi
  int decimals = 0;            // enough to tell two ticks apart: max(0, -floor(log10 step))
};
// REQUIRES: lo <= hi, target >= 2. lo == hi widens the range to lo +- 1 (or [0, 1]).
Ticks nice_ticks(double lo, double hi, int target = 5);
// Heckbert's nicenum: a 1, 2, 5 or 10 x 10^k near x > 0; `round` picks the closest,
// otherwise the smallest not below x.
double nice_number(double x, bool round);

// Maps [d0, d1] onto [r0, r1] (r1 < r0 for a y axis pointing up).
class LinearScale {
 public:
  LinearScale(double d0, double d1, double r0, double r1);
  double operator()(double v) const { return r0_ + (v - d0_) * k_; }
  // Pixels per domain unit (negative for a flipped axis).
  double k() const { return k_; }

 private:
  double d0_, r0_, k_;
};

// Maps [d0, d1] (both > 0) onto [r0, r1] logarithmically; values below d0 clamp to r0.
class LogScale {
 public:
  LogScale(double d0, double d1, double r0, double r1);
  double operator()(double v) const;

 private:
  double l0_, r0_, k_;
};

enum class Anchor { kStart, kMiddle, kEnd };

// An <svg> element built by appending shapes. CSS classes style them (html_page.h has
// the style sheet); a non-empty `tooltip` adds a <title> child the browser shows on
// hover. Coordinates print with one decimal.
class Svg {
 public:
  // `title` is the chart's accessible name (aria-label); `id` its element id.
  Svg(double width, double height, std::string_view title, std::string_view id = {});
  void rect(double x, double y, double w, double h, std::string_view cls, std::string_view tooltip = {});
  void line(double x1, double y1, double x2, double y2, std::string_view cls);
  void text(double x, double y, std::string_view text, std::string_view cls, Anchor anchor = Anchor::kStart);
  // Text rotated -90 degrees about (x, y), for a y-axis label.
  void vertical_text(double x, double y, std::string_view text, std::string_view cls);
  // An open line through `points`, or the area between them and the horizontal line
  // y = base_y.
  struct Point {
    double x, y;
  };
  void polyline(const std::vector<Point>& points, std::string_view cls);
  void area(const std::vector<Point>& points, double base_y, std::string_view cls);
  // A closed polygon through `points` (a band joining two tiers of a topology drawing).
  void polygon(const std::vector<Point>& points, std::string_view cls, std::string_view tooltip = {});
  // Groups: everything appended between open_group and close_group.
  void open_group(std::string_view cls);
  void close_group();
  std::string finish() &&;

 private:
  std::string out_;
  int open_groups_ = 0;
};

// "12.3": a coordinate as Svg prints it.
std::string coord(double v);

}  // namespace podsim::report

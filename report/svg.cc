#include "report/svg.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace podsim::report {

std::string escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string format_number(double v, int decimals) {
  std::string digits = fmt::format("{:.{}f}", std::fabs(v), std::max(decimals, 0));
  const bool negative = v < 0 && digits.find_first_not_of("0.") != std::string::npos;
  const size_t point = std::min(digits.find('.'), digits.size());
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && i < point && (point - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return negative ? "-" + out : out;
}

double nice_number(double x, bool round) {
  if (!(x > 0)) throw std::invalid_argument("nice_number: x must be > 0");
  const double exponent = std::floor(std::log10(x));
  const double scale = std::pow(10.0, exponent);
  const double f = x / scale;  // in [1, 10)
  double nice;
  if (round)
    nice = f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10;
  else
    nice = f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10;
  return nice * scale;
}

Ticks nice_ticks(double lo, double hi, int target) {
  if (!(lo <= hi) || target < 2) throw std::invalid_argument("nice_ticks: needs lo <= hi and target >= 2");
  if (lo == hi) {
    if (lo == 0) {
      hi = 1;
    } else {
      lo -= 1;
      hi += 1;
    }
  }
  const double range = nice_number(hi - lo, false);
  Ticks t;
  t.step = nice_number(range / (target - 1), true);
  // Ticks are k x step for integer k, never a running sum, so 0.1 + 0.2 drift cannot
  // creep into the labels. The small slack keeps floor(0.6 / 0.2) from giving 2.
  const double slack = 1e-9;
  const auto first = static_cast<long long>(std::floor(lo / t.step + slack));
  const auto last = static_cast<long long>(std::ceil(hi / t.step - slack));
  for (long long k = first; k <= last; ++k) t.values.push_back(static_cast<double>(k) * t.step);
  t.decimals = std::max(0, static_cast<int>(-std::floor(std::log10(t.step) + slack)));
  return t;
}

LinearScale::LinearScale(double d0, double d1, double r0, double r1)
    : d0_(d0), r0_(r0), k_(d1 == d0 ? 0 : (r1 - r0) / (d1 - d0)) {}

LogScale::LogScale(double d0, double d1, double r0, double r1) : l0_(0), r0_(r0), k_(0) {
  if (!(d0 > 0 && d1 > 0)) throw std::invalid_argument("LogScale: the domain must be positive");
  l0_ = std::log10(d0);
  const double l1 = std::log10(d1);
  k_ = l1 == l0_ ? 0 : (r1 - r0) / (l1 - l0_);
}

double LogScale::operator()(double v) const {
  const double l = v > 0 ? std::log10(v) : l0_;
  return r0_ + (std::max(l, l0_) - l0_) * k_;
}

std::string coord(double v) {
  std::string s = fmt::format("{:.1f}", v);
  return s == "-0.0" ? "0.0" : s;
}

Svg::Svg(double width, double height, std::string_view title, std::string_view id) {
  out_ = fmt::format(R"(<svg width="{0}" height="{1}" viewBox="0 0 {0} {1}")",
                     coord(width), coord(height));
  if (!id.empty()) out_ += fmt::format(R"( id="{}")", escape(id));
  out_ += fmt::format(R"( role="img" aria-label="{}">)", escape(title));
  out_ += '\n';
}

void Svg::rect(double x, double y, double w, double h, std::string_view cls, std::string_view tooltip) {
  out_ += fmt::format(R"(<rect x="{}" y="{}" width="{}" height="{}" class="{}")", coord(x), coord(y),
                      coord(std::max(w, 0.0)), coord(std::max(h, 0.0)), escape(cls));
  if (tooltip.empty())
    out_ += "/>\n";
  else
    out_ += fmt::format("><title>{}</title></rect>\n", escape(tooltip));
}

void Svg::line(double x1, double y1, double x2, double y2, std::string_view cls) {
  out_ += fmt::format(R"(<line x1="{}" y1="{}" x2="{}" y2="{}" class="{}"/>)", coord(x1), coord(y1), coord(x2),
                      coord(y2), escape(cls));
  out_ += '\n';
}

namespace {
const char* anchor_name(Anchor a) {
  switch (a) {
    case Anchor::kMiddle: return "middle";
    case Anchor::kEnd: return "end";
    default: return "start";
  }
}

std::string points_attribute(const std::vector<Svg::Point>& points) {
  std::string s;
  for (const Svg::Point& p : points) {
    if (!s.empty()) s += ' ';
    s += coord(p.x) + ',' + coord(p.y);
  }
  return s;
}
}  // namespace

void Svg::text(double x, double y, std::string_view text, std::string_view cls, Anchor anchor) {
  out_ += fmt::format(R"(<text x="{}" y="{}" class="{}" text-anchor="{}">{}</text>)", coord(x), coord(y),
                      escape(cls), anchor_name(anchor), escape(text));
  out_ += '\n';
}

void Svg::vertical_text(double x, double y, std::string_view text, std::string_view cls) {
  out_ += fmt::format(R"svg(<text x="0" y="0" class="{}" text-anchor="middle" transform="translate({},{}) rotate(-90)">{}</text>)svg",
                      escape(cls), coord(x), coord(y), escape(text));
  out_ += '\n';
}

void Svg::polyline(const std::vector<Point>& points, std::string_view cls) {
  if (points.empty()) return;
  out_ += fmt::format(R"(<polyline points="{}" class="{}"/>)", points_attribute(points), escape(cls));
  out_ += '\n';
}

void Svg::area(const std::vector<Point>& points, double base_y, std::string_view cls) {
  if (points.empty()) return;
  std::vector<Point> closed = points;
  closed.push_back({points.back().x, base_y});
  closed.push_back({points.front().x, base_y});
  out_ += fmt::format(R"(<polygon points="{}" class="{}"/>)", points_attribute(closed), escape(cls));
  out_ += '\n';
}

void Svg::polygon(const std::vector<Point>& points, std::string_view cls, std::string_view tooltip) {
  if (points.empty()) return;
  out_ += fmt::format(R"(<polygon points="{}" class="{}")", points_attribute(points), escape(cls));
  if (tooltip.empty())
    out_ += "/>\n";
  else
    out_ += fmt::format("><title>{}</title></polygon>\n", escape(tooltip));
}

void Svg::open_group(std::string_view cls) {
  out_ += fmt::format(R"(<g class="{}">)", escape(cls));
  out_ += '\n';
  ++open_groups_;
}

void Svg::close_group() {
  if (open_groups_ == 0) throw std::logic_error("Svg::close_group without open_group");
  out_ += "</g>\n";
  --open_groups_;
}

std::string Svg::finish() && {
  while (open_groups_ > 0) close_group();
  out_ += "</svg>\n";
  return std::move(out_);
}

}  // namespace podsim::report

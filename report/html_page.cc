#include "report/html_page.h"

#include <fmt/format.h>

#include "report/svg.h"

namespace podsim::report {
namespace {

// Okabe & Ito's colour-blind-safe palette ("Color Universal Design", 2008), yellow
// replaced by wine and teal, which read better on white.
constexpr std::string_view kStyle = R"(
body { font: 14px/1.45 "DejaVu Sans", "Liberation Sans", Arial, sans-serif; color: #222; background: #fff;
       margin: 0 auto; max-width: 1120px; padding: 16px 20px 40px; }
h1 { font-size: 24px; margin: 8px 0 2px; }
h2 { font-size: 19px; margin: 30px 0 8px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
h3 { font-size: 15px; margin: 18px 0 4px; }
p.subtitle { color: #555; margin: 0 0 14px; }
p.note { color: #555; font-size: 12.5px; margin: 2px 0 10px; }
.cards { display: flex; flex-wrap: wrap; gap: 10px; margin: 8px 0; }
.card { border: 1px solid #ddd; border-radius: 6px; padding: 8px 12px; min-width: 150px; background: #fafafa; }
.card .label { color: #666; font-size: 12px; }
.card .value { font-size: 20px; font-weight: bold; }
.card .detail { color: #666; font-size: 12px; }
figure { margin: 0 0 12px; }
.row { display: flex; flex-wrap: wrap; gap: 20px; }
svg { display: block; }
table { border-collapse: collapse; margin: 8px 0 16px; font-size: 13px; }
th, td { border-bottom: 1px solid #e3e3e3; padding: 4px 10px; text-align: left; vertical-align: top; }
thead th { border-bottom: 2px solid #bbb; }
tbody th { font-weight: normal; color: #555; }
svg text { font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; font-size: 12px; fill: #333; }
svg .axis-title { font-size: 13px; fill: #222; }
svg .value-label { font-size: 11.5px; }
svg .hit-note { fill: #c00000; font-size: 11.5px; }
svg .grid { stroke: #e6e6e6; stroke-width: 1; }
svg .tick, svg .axis-line { stroke: #444; stroke-width: 1; }
svg rect { stroke-width: 0; }
svg polyline.series { fill: none; stroke-width: 2; stroke-linejoin: round; }
svg polygon.area { fill-opacity: 0.35; stroke-width: 1; }
svg .legend line { stroke-width: 3; }
svg line.wait { stroke: #888; stroke-width: 1.5; stroke-dasharray: 3 2; }
svg rect.job { fill-opacity: 0.9; }
svg line.fail-mark { stroke: #c00000; stroke-width: 2; }
svg line.preempt-mark { stroke: #111; stroke-width: 2; }
svg rect.open { fill-opacity: 0.45; stroke: #333; stroke-width: 1; stroke-dasharray: 4 2; }
.c0 { fill: #0072b2; stroke: #0072b2; } .c1 { fill: #e69f00; stroke: #e69f00; }
.c2 { fill: #009e73; stroke: #009e73; } .c3 { fill: #cc79a7; stroke: #cc79a7; }
.c4 { fill: #56b4e9; stroke: #56b4e9; } .c5 { fill: #d55e00; stroke: #d55e00; }
.c6 { fill: #882255; stroke: #882255; } .c7 { fill: #44aa99; stroke: #44aa99; }
.down { fill: #c00000; stroke: #c00000; }
svg rect.rack { fill: #f3f3f3; stroke: #777; stroke-width: 1; }
svg rect.rack.more { fill: #fff; stroke-dasharray: 4 3; }
svg rect.node { fill: #fff; stroke: #aaa; stroke-width: 0.8; }
svg rect.dev { fill: #333; }
svg rect.sw { fill: #777; stroke: #777; }
svg rect.bar-chip { fill-opacity: 0.85; }
svg line.bus { stroke-width: 3; }
svg line.tap { stroke-width: 1.2; }
svg line.wire { stroke: #999; stroke-width: 1; }
svg line.trunk { stroke: #555; stroke-width: 4; }
svg .rack-label { font-size: 11px; fill: #222; }
svg .tier-label { font-size: 12.5px; font-weight: bold; fill: #222; }
svg .small { font-size: 10.5px; fill: #444; }
svg .inverse { font-size: 10.5px; fill: #fff; }
svg rect.group { fill: none; stroke: #999; stroke-width: 0.8; stroke-dasharray: 3 2; }
svg polygon.band { fill: #0072b2; fill-opacity: 0.12; stroke: #0072b2; stroke-opacity: 0.3; stroke-width: 0.8; }
svg rect.core, svg rect.spine, svg rect.leaf { fill: #555; }
svg rect.domain { fill: #0072b2; fill-opacity: 0.85; }
.bubble { fill: #bbbbbb; stroke: #bbbbbb; }
.host { fill: #777777; stroke: #777777; }
.offload { fill: #999933; stroke: #999933; }
)";

}  // namespace

HtmlPage::HtmlPage(std::string_view title) {
  out_ = fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "{}\n<title>{}</title>\n<style>{}</style>\n</head>\n<body>\n",
      kHtmlSignature, escape(title), kStyle);
}

void HtmlPage::heading(std::string_view title, std::string_view subtitle) {
  out_ += fmt::format("<h1>{}</h1>\n", escape(title));
  if (!subtitle.empty()) out_ += fmt::format("<p class=\"subtitle\">{}</p>\n", escape(subtitle));
}

void HtmlPage::headlines(const std::vector<Headline>& items) {
  out_ += "<div class=\"cards\">\n";
  for (const Headline& h : items) {
    out_ += fmt::format("<div class=\"card\"><div class=\"label\">{}</div><div class=\"value\">{}</div>", escape(h.label),
                        escape(h.value));
    if (!h.detail.empty()) out_ += fmt::format("<div class=\"detail\">{}</div>", escape(h.detail));
    out_ += "</div>\n";
  }
  out_ += "</div>\n";
}

void HtmlPage::section(std::string_view title) { out_ += fmt::format("<h2>{}</h2>\n", escape(title)); }

void HtmlPage::paragraph(std::string_view text) { out_ += fmt::format("<p>{}</p>\n", escape(text)); }

void HtmlPage::figure(std::string_view title, std::string_view svg, std::string_view note) {
  out_ += fmt::format("<figure>\n<h3 class=\"chart-title\">{}</h3>\n", escape(title));
  out_ += svg;
  if (!note.empty()) out_ += fmt::format("<p class=\"note\">{}</p>\n", escape(note));
  out_ += "</figure>\n";
}

void HtmlPage::figure_row(std::string_view title, const std::vector<std::string>& svgs, std::string_view note) {
  out_ += fmt::format("<figure>\n<h3 class=\"chart-title\">{}</h3>\n<div class=\"row\">\n", escape(title));
  for (const std::string& svg : svgs) out_ += svg;
  out_ += "</div>\n";
  if (!note.empty()) out_ += fmt::format("<p class=\"note\">{}</p>\n", escape(note));
  out_ += "</figure>\n";
}

void HtmlPage::table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows) {
  out_ += "<table>\n<thead><tr>";
  for (const std::string& h : header) out_ += fmt::format("<th>{}</th>", escape(h));
  out_ += "</tr></thead>\n<tbody>\n";
  for (const std::vector<std::string>& row : rows) {
    out_ += "<tr>";
    for (size_t i = 0; i < row.size(); ++i)
      out_ += i == 0 ? fmt::format("<th>{}</th>", escape(row[i])) : fmt::format("<td>{}</td>", escape(row[i]));
    out_ += "</tr>\n";
  }
  out_ += "</tbody>\n</table>\n";
}

std::string HtmlPage::finish() && {
  out_ += "</body>\n</html>\n";
  return std::move(out_);
}

}  // namespace podsim::report

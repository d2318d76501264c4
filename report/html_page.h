#pragma once
// A self-contained HTML page: inline CSS, inline SVG, no scripts, no external URLs, so
// the file opens anywhere (mailed, offline, in a CI artifact). Sections are appended in
// reading order; every text goes through escape().
#include <string>
#include <string_view>
#include <vector>

namespace podsim::report {

// In the head of every page HtmlPage makes: how `--report` knows a file it may replace
// (io/output_paths.h).
inline constexpr std::string_view kHtmlSignature = "<meta name=\"generator\" content=\"podsim\">";

struct Headline {
  std::string label;  // "makespan"
  std::string value;  // "1,437.7 h"
  std::string detail;  // optional second line
};

class HtmlPage {
 public:
  explicit HtmlPage(std::string_view title);
  // The page title (h1) and a line under it.
  void heading(std::string_view title, std::string_view subtitle);
  // Key numbers as a row of cards.
  void headlines(const std::vector<Headline>& items);
  void section(std::string_view title);
  void paragraph(std::string_view text);
  // A chart: its title as the figure caption's heading (h3), the SVG markup as is,
  // and an optional note under it.
  void figure(std::string_view title, std::string_view svg, std::string_view note = {});
  // Several charts side by side (wrapping when the page is narrow) under one title.
  void figure_row(std::string_view title, const std::vector<std::string>& svgs, std::string_view note = {});
  // A table of text cells; the first column is a row heading.
  void table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows);
  std::string finish() &&;

 private:
  std::string out_;
};

}  // namespace podsim::report

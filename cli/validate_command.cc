#include "cli/validate_command.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "cli/command_line.h"
#include "engine/error.h"
#include "scenario/compare_run.h"
#include "scenario/scenario_file.h"
#include "sim/study.h"
#include "workloads/planner.h"

namespace podsim::cli {

using sim::PublishedFigure;
using sim::StudyCell;
using sim::StudyResult;
using sim::find_cell;
using sim::metric_name;
using sim::predicted_value;
using scenario::run_study;
using scenario::ScenarioFile;

ValidationSummary summarize(const std::vector<double>& relative_errors) {
  std::vector<double> sorted;
  for (double e : relative_errors) sorted.push_back(std::abs(e));
  std::sort(sorted.begin(), sorted.end());
  const size_t n = sorted.size();
  ValidationSummary s{.figures = n};
  s.median = n % 2 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  s.max = sorted.back();
  s.within_15 = static_cast<size_t>(std::count_if(sorted.begin(), sorted.end(), [](double e) { return e <= 0.15; }));
  s.met = s.median <= 0.05 && 10 * s.within_15 >= 9 * n;
  return s;
}

std::string refusal_reason(const std::string& error) {
  const std::string line = error.substr(0, error.find('\n'));
  return line.empty() ? "no reason given" : line;
}

int validate_command(const std::string& dir, std::ostream& out) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    throw UserError(fmt::format("podsim validate: {}: {} (expected a directory of validation scenarios)",
                                dir.empty() ? "''" : dir,
                                dir.empty() ? "an empty path" : fs::exists(dir, ec) ? "not a directory" : "does not exist"));
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().extension() == ".textproto") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  if (files.empty()) throw UserError(fmt::format("podsim validate: {}: no .textproto scenarios", dir));

  out << fmt::format("{:<34} {:<18} {:<36} {:>10} {:>10} {:>8}\n", "run", "metric", "plan", "published", "predicted",
                     "error");
  std::vector<double> errors;
  size_t refused = 0;
  for (const fs::path& f : files) {
    StudyResult r;
    try {
      r = run_study(ScenarioFile::load(f.string()));
    } catch (const UserError& e) {
      // The run's name is inside the file, which may be what failed: the file's stem.
      ++refused;
      out << fmt::format("{:<34} refused: {}\n", f.stem().string(), refusal_reason(e.what()));
      continue;
    }
    for (const PublishedFigure& p : r.published) {
      const StudyCell* c = find_cell(r, r.systems.front(), p.job);
      const double v = predicted_value(*c, p.metric);
      const double err = v / p.value - 1;
      errors.push_back(err);
      out << fmt::format("{:<34} {:<18} {:<36} {:>10.4g} {:>10.4g} {:>+7.1f}%\n", r.name, metric_name(p.metric),
                         workloads::describe(c->plan).substr(0, 36), p.value, v, 100 * err);
    }
  }
  const std::string refused_note = refused ? fmt::format(", {} scenario{} refused", refused, refused == 1 ? "" : "s") : "";
  // Exit 2 says why on stderr, in one line, as every refusal does; the rows say the rest.
  const auto refusal = [&] {
    return UserError(fmt::format("podsim validate: {}: {} of {} scenario{} refused (each row says why)", dir, refused,
                                 files.size(), files.size() == 1 ? "" : "s"));
  };
  if (errors.empty()) {
    out << fmt::format("\n0 figures{}\n", refused_note);
    if (refused) throw refusal();
    throw UserError(fmt::format("podsim validate: {}: no published figure in its {} scenario{} (expected "
                                "compare.published entries to compare the predictions with)",
                                dir, files.size(), files.size() == 1 ? "" : "s"));
  }
  const ValidationSummary s = summarize(errors);
  out << fmt::format(
      "\n{} figures{}: median |error| {:.1f}% (target <= 5%), within 15%: {} of {} ({:.1f}%, target >= 90%), max "
      "{:.1f}%: {}\n",
      s.figures, refused_note, 100 * s.median, s.within_15, s.figures, 100.0 * double(s.within_15) / double(s.figures),
      100 * s.max, s.met && !refused ? "met" : "NOT met");
  if (refused) throw refusal();
  return s.met ? 0 : 1;
}

void validate_options(boost::program_options::options_description& /*options*/) {}

int validate_run(const boost::program_options::variables_map& vm, const Console& console) {
  return validate_command(string_of(vm, "dir", "scenarios/validation"), console.out);
}

}  // namespace podsim::cli

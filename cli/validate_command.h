#pragma once
// `podsim validate [DIR]`: every scenario in DIR (scenarios/validation: published
// training runs, docs/validation-sources.md) run as a study (compare_run.h), each
// published figure printed beside the prediction with the relative error, then the
// median and largest absolute error against the targets (issue #5 part 5: median <=
// 10%, every row <= 25%) and the share of figures within 15% (issue #14's target).
// A scenario that cannot run (bad input, a plan that does not fit) does not stop the
// directory: it becomes a row `refused: <its one-line error>`, the rest still run, and
// the summary counts it (issue #14 item 7). The exit status is what it was when such a
// scenario stopped the run: 2 if any row was refused (with one line on stderr: "podsim
// validate: DIR: 1 of 9 scenarios refused (each row says why)"), else 0 or 1 by the
// targets; 2 as well for a directory without a published figure (no target to meet).
#include <ostream>
#include <string>
#include <vector>

#include "cli/command_line.h"

namespace podsim::cli {

// The summary of a validation: |predicted / published - 1| over every figure.
struct ValidationSummary {
  size_t figures = 0;
  double median = 0;  // median absolute relative error (mean of the middle two if even)
  double max = 0;     // largest absolute relative error
  size_t within_15 = 0;  // figures with |error| <= 15%
  // The calibration targets (issue 14): median <= 5% and at least 90% of the figures
  // within 15%.
  bool met = false;
};

// REQUIRES: !relative_errors.empty(). Errors are signed (predicted / published - 1).
ValidationSummary summarize(const std::vector<double>& relative_errors);

// The reason a refused row prints: the first line of `error`'s message (UserError
// messages are one line; anything after a newline is usage text).
std::string refusal_reason(const std::string& error);

// Returns the exit code: 0, or 1 when a target is missed, or 2 when a scenario was
// refused (the table and summary still print).
int validate_command(const std::string& dir, std::ostream& out);

// `podsim validate`'s own options, and the command run from its parsed command line
// (the table in main.cc, command_line.h).
void validate_options(boost::program_options::options_description& options);
int validate_run(const boost::program_options::variables_map& vm, const Console& console);

}  // namespace podsim::cli

#pragma once
// `podsim validate [DIR]`: every scenario in DIR (scenarios/validation: published
// training runs, data/validation/calibration.md) run as a study (compare_run.h), each
// published figure printed beside the prediction with the relative error, then the
// median and largest absolute error against the targets (issue #5 part 5: median <=
// 10%, every row <= 25%).
#include <ostream>
#include <string>

namespace podsim::cli {

// Returns the exit code: 0, or 1 when a target is missed (the table still prints).
int validate_command(const std::string& dir, std::ostream& out);

}  // namespace podsim::cli

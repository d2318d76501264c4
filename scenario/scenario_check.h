#pragma once
// Validation of a loaded scenario: every problem found, each as one line
// "WHERE: field.path: what is wrong (what was expected)", thrown together as one
// UserError. Runs once, after overrides, before anything is built. For a derived
// scenario (ScenarioFile::derive) the path is the field's in the file, after its
// context: "x.textproto:31:40: system 'NVL72': compare.systems[1].cluster.pools[0].count: ...".
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "scenario/scenario_file.h"

namespace podsim::scenario {

// At most this many problems are listed, then how many more there are: a generated
// scenario repeating one mistake 50,000 times once printed 50,000 lines (and took 4.8 s
// to find its duplicates, comparing each line with every earlier one).
inline constexpr size_t kMaxListedProblems = 20;

class Problems {
 public:
  explicit Problems(const ScenarioFile& file) : file_(file) {}
  // Records a problem with the field at `field_path`.
  void add(const std::string& field_path, const std::string& message);
  // Throws UserError listing the problems, if there are any: the first
  // kMaxListedProblems in the order found, then a line counting the rest.
  void throw_if_any() const;
  bool empty() const { return lines_.empty(); }

 private:
  const ScenarioFile& file_;
  std::vector<std::string> lines_;  // in the order found
  std::set<std::string> seen_;      // the same lines, to say each once
};

// Checks the fields this version of podsim understands. Throws UserError.
void check_scenario(const ScenarioFile& file);

// A name that heads a line of output (the scenario's, a pool's, a compared system's)
// must be one line without control characters: is_one_line, else check_one_line adds a
// problem at `field`.
bool is_one_line(std::string_view text);
void check_one_line(const std::string& field, const std::string& text, Problems& problems);

// Each job_settings entry's index by the name of the explicit job it applies to. Adds a
// problem at job_settings[i].job for a name that is no job in `jobs` (with no jobs at all,
// settings that apply to nothing: traces and synthetic mixes have pools and priorities of
// their own) and for a second entry for one job.
std::map<std::string, int> job_settings_by_name(const podsim::v1::Scenario& s, Problems& problems);

}  // namespace podsim::scenario

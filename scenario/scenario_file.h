#pragma once
// ScenarioFile: a scenario read from a .textproto file, with the source position of
// every field so that a later check can say where a bad value came from.
//
// load() parses with unknown fields rejected and reports every syntax error as
// "FILE:LINE:COL: message" (1-based, like compilers), all in one UserError.
// where("cluster.pools[1].count") answers "FILE:LINE:COL" for a field that is in the
// file, "--set cluster.pools[1].count" for one overridden on the command line, and
// "FILE" when the field was left at its default.
//
// derive() makes the scenario as a part of the file changes it (a comparison's system:
// its cluster and plans in place of the scenario's) whose fields are still found in this
// file: where("cluster.pools[0].count") of compare.systems[1]'s scenario answers the
// place of compare.systems[1].cluster.pools[0].count.
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <google/protobuf/text_format.h>

#include "podsim/v1/scenario.pb.h"

namespace podsim::scenario {

class ScenarioFile {
 public:
  // Reads and parses `path`. Throws UserError (missing file, syntax, unknown field).
  static ScenarioFile load(const std::string& path);
  // Parses text that claims to come from `path` (tests, stdin).
  static ScenarioFile parse(const std::string& path, const std::string& text);

  ScenarioFile(ScenarioFile&&) noexcept;
  ScenarioFile& operator=(ScenarioFile&&) noexcept;
  ~ScenarioFile();

  const std::string& path() const { return path_; }
  const podsim::v1::Scenario& scenario() const { return scenario_; }
  // The text it was parsed from (before any override).
  const std::string& text() const { return *text_; }

  // Applies "a.b[2].c=VALUE" (see field_override.h). Throws UserError naming the
  // assignment. The field's location becomes "--set a.b[2].c", or `origin` when given:
  // the command-line option the value came from ("--max-events").
  void apply_override(std::string_view assignment, std::string_view origin = {});

  // Where a field (dotted path with [i] for repeated elements) was given.
  std::string where(std::string_view field_path) const;

  // A field's path in the file: `field_path` itself, unless derive() renamed it.
  std::string source_path(std::string_view field_path) const;

  // What the scenario is, when derived ("system 'NVL72'"); empty for the file's own.
  const std::string& context() const { return context_; }

  // A path prefix of a derived scenario and the path in the file it comes from:
  // {"cluster", "compare.systems[1].cluster"}.
  using Rename = std::pair<std::string, std::string>;

  // `scenario` in place of this file's, its fields located through `renames` (the
  // longest prefix of a path that matches whole fields renames it; among equal ones, the
  // last), its problems said to be about `context`. path() stays the file's.
  ScenarioFile derive(podsim::v1::Scenario scenario, std::vector<Rename> renames, std::string context) const;

 private:
  ScenarioFile();
  std::string path_;
  // Shared by the scenarios derived from one file (a sweep's points: one copy of a long
  // text, not one per point); never changed after parsing.
  std::shared_ptr<const std::string> text_;
  podsim::v1::Scenario scenario_;
  // Shared by the scenarios derived from one file; never changed after parsing.
  std::shared_ptr<const google::protobuf::TextFormat::ParseInfoTree> locations_;
  std::map<std::string, std::string, std::less<>> overridden_;  // field path in the file -> where() ("--set PATH")
  std::vector<Rename> renames_;
  std::string context_;
};

}  // namespace podsim::scenario

#include "cli/scenario_file.h"

#include <doctest/doctest.h>

#include <string>

#include "cli/scenario_check.h"
#include "engine/error.h"

using podsim::UserError;
using podsim::cli::ScenarioFile;

namespace {
std::string error_of(auto&& fn) {
  try {
    fn();
  } catch (const UserError& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST_CASE("a typo'd field is reported as FILE:LINE:COL with the field name") {
  const std::string text = "name: \"x\"\nseed: 3\nhorizn_s: 5\n";
  const std::string err = error_of([&] { ScenarioFile::parse("bad.textproto", text); });
  CHECK(err.starts_with("bad.textproto:3:"));
  CHECK(err.find("horizn_s") != std::string::npos);
}

TEST_CASE("syntax errors and wrong types name the line") {
  CHECK(error_of([] { ScenarioFile::parse("s.textproto", "name: \"x\"\nseed: -1\n"); }).starts_with("s.textproto:2:"));
  CHECK(error_of([] { ScenarioFile::parse("s.textproto", "name: \"x\"\njobs { name: \"a\"\n"); }).starts_with("s.textproto:3:"));
  CHECK(error_of([] { ScenarioFile::parse("s.textproto", "scheduler { policy: FIFOO }"); }).find("FIFOO") != std::string::npos);
  CHECK(error_of([] { ScenarioFile::parse("s.textproto", std::string("name: \"\0\"", 10)); }).find("NUL") != std::string::npos);
}

TEST_CASE("a missing file is a one-line error naming it") {
  CHECK(error_of([] { ScenarioFile::load("/nonexistent/x.textproto"); }) == "/nonexistent/x.textproto: cannot open scenario file (No such file or directory)");
}

TEST_CASE("where() points at the field in the file, or at the --set that changed it") {
  const std::string text =
      "name: \"x\"\n"
      "jobs { name: \"a\" }\n"
      "jobs {\n"
      "  name: \"b\"\n"
      "  arrival_s: 5\n"
      "}\n";
  ScenarioFile f = ScenarioFile::parse("w.textproto", text);
  CHECK(f.where("name") == "w.textproto:1:1");
  CHECK(f.where("jobs[1].arrival_s") == "w.textproto:5:3");
  CHECK(f.where("jobs[0].arrival_s") == "w.textproto:2:1");  // default: the enclosing job
  CHECK(f.where("horizon_s") == "w.textproto");               // not in the file at all
  f.apply_override("jobs[1].arrival_s=7");
  CHECK(f.where("jobs[1].arrival_s") == "--set jobs[1].arrival_s");
  CHECK(f.scenario().jobs(1).arrival_s() == 7);
}

TEST_CASE("checks report every problem with its location") {
  ScenarioFile f = ScenarioFile::parse("c.textproto",
                                       "horizon_s: -1\n"
                                       "jobs { name: \"a\" }\n"
                                       "jobs { name: \"a\" arrival_s: 1e300 }\n");
  const std::string err = error_of([&] { podsim::cli::check_scenario(f); });
  CHECK(err.find("c.textproto: name: missing") != std::string::npos);
  CHECK(err.find("c.textproto:1:1: horizon_s: -1 is out of range") != std::string::npos);
  CHECK(err.find("c.textproto:3:8: jobs[1].name: duplicate job name 'a'") != std::string::npos);
  CHECK(err.find("jobs[1].arrival_s: 1e+300 is out of range") != std::string::npos);
}

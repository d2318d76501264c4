#include "scenario/field_override.h"

#include <doctest/doctest.h>

#include <string>

#include "engine/error.h"
#include "podsim/v1/scenario.pb.h"
#include "tests/test_util.h"

using podsim::UserError;
using podsim::scenario::set_field;
using podsim::scenario::split_assignment;
using podsim::testing::error_of;

TEST_CASE("scalars, enums by name, nested and repeated fields") {
  podsim::v1::Scenario s;
  set_field(s, "name", "sweep-point");
  set_field(s, "seed", "18446744073709551615");
  set_field(s, "horizon_s", "1.5e3");
  set_field(s, "scheduler.policy", "EASY_BACKFILL");
  set_field(s, "jobs[0].name", "a");  // index == size appends
  set_field(s, "jobs[1].arrival_s", "30");
  set_field(s, "jobs[0].arrival_s", "10");
  CHECK(s.name() == "sweep-point");
  CHECK(s.seed() == 18446744073709551615ULL);
  CHECK(s.horizon_s() == 1500.0);
  CHECK(s.scheduler().policy() == podsim::v1::Scheduler::EASY_BACKFILL);
  REQUIRE(s.jobs_size() == 2);
  CHECK(s.jobs(0).arrival_s() == 10.0);
  CHECK(s.jobs(1).arrival_s() == 30.0);
}

TEST_CASE("clear errors for unknown paths and wrong values") {
  podsim::v1::Scenario s;
  CHECK(error_of([&] { set_field(s, "sed", "1"); }).find("Scenario has no field 'sed' (expected one of: name,") != std::string::npos);
  CHECK(error_of([&] { set_field(s, "seed", "-1"); }) == "--set seed: expected a non-negative 64-bit integer, got '-1'");
  CHECK(error_of([&] { set_field(s, "seed", "99999999999999999999"); }).find("out of range") != std::string::npos);
  CHECK(error_of([&] { set_field(s, "horizon_s", "nan"); }) == "--set horizon_s: expected a finite number, got 'nan'");
  CHECK(error_of([&] { set_field(s, "horizon_s", "10s"); }).find("expected a finite number") != std::string::npos);
  CHECK(error_of([&] { set_field(s, "scheduler.policy", "fifo"); }).find("expected one of: POLICY_UNSPECIFIED, FIFO") != std::string::npos);
  CHECK(error_of([&] { set_field(s, "scheduler", "x"); }).find("is a message") != std::string::npos);
  CHECK(error_of([&] { set_field(s, "jobs.name", "x"); }).find("is repeated: give an index") != std::string::npos);
  CHECK(error_of([&] { set_field(s, "jobs[3].name", "x"); }).find("out of range: 'jobs' has 0 element(s)") != std::string::npos);
  CHECK(error_of([&] { set_field(s, "seed[0]", "1"); }).find("not repeated") != std::string::npos);
  CHECK(error_of([&] { set_field(s, "seed.x", "1"); }).find("is a scalar") != std::string::npos);
  CHECK(error_of([&] { set_field(s, "jobs[-1].name", "x"); }).find("non-negative") != std::string::npos);
  CHECK(error_of([&] { set_field(s, "", "x"); }).find("empty field path") != std::string::npos);
  CHECK(error_of([] { split_assignment("seed"); }) == "--set seed: expected FIELD.PATH=VALUE");
}

TEST_CASE("a value or path with a line break, or of a megabyte, is quoted on one line and cut") {
  // Once quoted raw: '--set seed: expected ..., got '1' and '2'' on two lines, and a
  // 100,000-digit value or field name quoted whole.
  podsim::v1::Scenario s;
  CHECK(error_of([&] { set_field(s, "seed", "1\n2"); }) == "--set seed: expected a non-negative 64-bit integer, got '1?2'");
  CHECK(error_of([&] { set_field(s, "scheduler.policy", "F\nIFO"); }).starts_with("--set scheduler.policy: 'F?IFO' is not"));
  CHECK(error_of([&] { set_field(s, "jobs[0].name", "x"); set_field(s, "jobs[0].model.causal", "t\rrue"); }) ==
        "--set jobs[0].model.causal: expected true or false, got 't?rue'");
  CHECK(error_of([&] { set_field(s, "se\ned", "1"); }).starts_with("--set se?ed: Scenario has no field 'se?ed' ("));
  CHECK(error_of([&] { set_field(s, "horizon_s", std::string(100000, '9')); }) ==
        "--set horizon_s: expected a finite number, got '" + std::string(37, '9') + "...'");
  CHECK(error_of([&] { set_field(s, std::string(100000, 'a'), "1"); })
            .starts_with("--set " + std::string(37, 'a') + "...: Scenario has no field '" + std::string(37, 'a') + "...' ("));
}

TEST_CASE("round 3: numbers past a double's range, indices past an int's, and the option a value came from") {
  podsim::v1::Scenario s;
  // Once "expected a finite number" for a number nearer 0 than a double holds.
  CHECK(error_of([&] { set_field(s, "horizon_s", "1e-400"); }) ==
        "--set horizon_s: '1e-400' is nearer 0 than a double holds (expected 0, or a magnitude of at least 2.2e-308)");
  CHECK(error_of([&] { set_field(s, "horizon_s", "1e999"); }) == "--set horizon_s: expected a finite number, got '1e999'");
  // Once "index must be a non-negative integer" for digits an int cannot hold.
  CHECK(error_of([&] { set_field(s, "jobs[99999999999].name", "x"); }) ==
        "--set jobs[99999999999].name: 'jobs[99999999999]': index 99999999999 is out of range (expected an existing "
        "index)");
  // Round 4: "jobs[01]" appended jobs[1], whose missing model was then blamed on the file.
  CHECK(error_of([&] { set_field(s, "jobs[01].name", "x"); }) ==
        "--set jobs[01].name: 'jobs[01]': index 01 has a leading 0 (expected 1)");
  CHECK(error_of([&] { set_field(s, "jobs[00].name", "x"); }) ==
        "--set jobs[00].name: 'jobs[00]': index 00 has a leading 0 (expected 0)");
  // A value a command-line option sets is named by the option, not as a --set.
  CHECK(error_of([&] { set_field(s, "limits.max_events", "1e999", "--max-events"); }) ==
        "--max-events: limits.max_events: expected a finite number, got '1e999'");
}

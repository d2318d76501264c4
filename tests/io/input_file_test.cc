// Inputs are regular files of a bounded size, checked without blocking (issue 17 item 3).
#include "io/input_file.h"

#include <doctest/doctest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "engine/error.h"
#include "tests/test_util.h"

namespace fs = std::filesystem;
using podsim::io::check_input_file;
using podsim::io::read_input_file;
using podsim::testing::TempDir;


TEST_CASE("read_input_file: a regular file whole, missing, directory and over-the-cap refused in one line each") {
  const TempDir dir("podsim_input_file_test");
  const fs::path& d = dir.path;
  { std::ofstream(d / "s.textproto") << "name: \"x\"\n"; }
  CHECK(read_input_file(d / "s.textproto", "scenario file") == "name: \"x\"\n");
  CHECK_THROWS_WITH_AS(read_input_file(d / "no.textproto", "scenario file"),
                       ((d / "no.textproto").string() + ": cannot open scenario file (No such file or directory)").c_str(),
                       podsim::UserError);
  CHECK_THROWS_WITH_AS(read_input_file(d, "scenario file"),
                       (d.string() + ": is a directory (expected a scenario file)").c_str(), podsim::UserError);
  // 10 bytes against a 4-byte cap (the real cap, 1 GiB, is the default argument).
  CHECK_THROWS_WITH_AS(read_input_file(d / "s.textproto", "scenario file", 4),
                       doctest::Contains("10 B, more than the 4 bytes podsim reads (expected a scenario file of at "
                                         "most 4 bytes)"),
                       podsim::UserError);
  CHECK_THROWS_WITH_AS(check_input_file(d / "s.textproto", "CSV trace file", 4), doctest::Contains("more than the 4 bytes"),
                       podsim::UserError);
  CHECK_NOTHROW(check_input_file(d / "s.textproto", "CSV trace file"));
  CHECK_NOTHROW(check_input_file(d / "no.csv", "CSV trace file"));  // the caller's open says it is missing
  CHECK(podsim::io::kMaxInputBytes == 1073741824);
}

TEST_CASE("read_input_file: a FIFO with no writer is refused at once, not waited on, and so is /dev/zero") {
  const TempDir dir("podsim_input_file_fifo");
  const fs::path& d = dir.path;
  const fs::path fifo = d / "pipe.textproto";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  CHECK_THROWS_WITH_AS(read_input_file(fifo, "scenario file"),
                       (fifo.string() + ": not a regular file (a FIFO; expected a scenario file)").c_str(),
                       podsim::UserError);
  CHECK_THROWS_WITH_AS(check_input_file(fifo, "CSV trace file"), doctest::Contains("a FIFO"), podsim::UserError);
  CHECK_THROWS_WITH_AS(read_input_file("/dev/zero", "scenario file"),
                       "/dev/zero: not a regular file (a character device; expected a scenario file)", podsim::UserError);
}

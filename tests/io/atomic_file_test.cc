// Output files are whole or absent (issue #8: "outputs are written to a temporary name
// and renamed when whole").
#include "io/atomic_file.h"

#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

#include "engine/error.h"
#include "tests/test_util.h"

namespace fs = std::filesystem;
using podsim::io::write_atomically;
using podsim::testing::TempDir;

namespace {

std::string read(const fs::path& p) {
  std::ifstream in(p);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

TEST_CASE("write_atomically: the file appears whole, with no temporary left") {
  const TempDir dir("podsim_atomic_file_test_ok");
  const fs::path& d = dir.path;
  write_atomically(d / "out.csv", [](std::ostream& o) { o << "a,b\n1,2\n"; });
  CHECK(read(d / "out.csv") == "a,b\n1,2\n");
  CHECK(std::distance(fs::directory_iterator(d), fs::directory_iterator()) == 1);  // no temporary beside it
}

TEST_CASE("write_atomically: a writer that throws half-way leaves neither the file nor its temporary") {
  const TempDir dir("podsim_atomic_file_test_throw");
  const fs::path& d = dir.path;
  CHECK_THROWS_AS(write_atomically(d / "out.csv",
                                   [](std::ostream& o) {
                                     o << "half";
                                     throw std::runtime_error("writer failed");
                                   }),
                  std::runtime_error);
  CHECK(fs::is_empty(d));
}

TEST_CASE("write_atomically: a missing directory is one line naming the output and what was expected") {
  const TempDir dir("podsim_atomic_file_test_missing");
  const fs::path& d = dir.path;
  const fs::path out = d / "no" / "out.csv";
  const std::string want = out.string() + ": output: directory " + (d / "no").string() +
                           " does not exist (expected a path in an existing, writable directory)";
  CHECK_THROWS_WITH_AS(write_atomically(out, [](std::ostream& o) { o << "x"; }), want.c_str(), podsim::UserError);
}

TEST_CASE("write_atomically: a name as long as the file system takes gets a temporary that fits too") {
  // Once "cannot create the output (File name too long ...)" for a 250-byte name: the
  // name fit, PATH.PID.N.tmp did not, and the write failed after the run.
  const TempDir dir("podsim_atomic_file_test_long_name");
  const fs::path& d = dir.path;
  const long name_max = ::pathconf(d.c_str(), _PC_NAME_MAX);
  REQUIRE(name_max > 10);
  const fs::path out = d / (std::string(static_cast<size_t>(name_max) - 4, 'a') + ".csv");
  write_atomically(out, [](std::ostream& o) { o << "a,b\n"; });
  CHECK(read(out) == "a,b\n");
  write_atomically(out, [](std::ostream& o) { o << "c,d\n"; });  // and replaced by a rerun
  CHECK(read(out) == "c,d\n");
  CHECK(std::distance(fs::directory_iterator(d), fs::directory_iterator()) == 1);
}

TEST_CASE("write_atomically: an unrelated PATH.tmp is never touched (the temporary has a name of its own)") {
  const TempDir dir("podsim_atomic_file_test_tmp");
  const fs::path& d = dir.path;
  { std::ofstream(d / "out.csv.tmp") << "someone else's"; }
  write_atomically(d / "out.csv", [](std::ostream& o) { o << "mine"; });
  CHECK(read(d / "out.csv.tmp") == "someone else's");
  CHECK(read(d / "out.csv") == "mine");
  CHECK(std::distance(fs::directory_iterator(d), fs::directory_iterator()) == 2);
}

TEST_CASE("write_atomically: a symbolic link to a file keeps the link and replaces its target") {
  const TempDir dir("podsim_atomic_file_test_link");
  const fs::path& d = dir.path;
  { std::ofstream(d / "real.csv") << "old"; }
  fs::permissions(d / "real.csv", fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read);
  fs::create_symlink("real.csv", d / "link.csv");
  write_atomically(d / "link.csv", [](std::ostream& o) { o << "new"; });
  CHECK(fs::is_symlink(d / "link.csv"));
  CHECK(read(d / "real.csv") == "new");
  // The replaced file's permissions are kept.
  CHECK(fs::status(d / "real.csv").permissions() ==
        (fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read));
}

TEST_CASE("write_atomically: a device or FIFO is refused, never replaced or written") {
  const TempDir dir("podsim_atomic_file_test_fifo");
  const fs::path& d = dir.path;
  const fs::path fifo = d / "pipe";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  CHECK_THROWS_WITH_AS(write_atomically(fifo, [](std::ostream& o) { o << "x"; }),
                       doctest::Contains("not a regular file (a FIFO)"), podsim::UserError);
  CHECK(fs::is_fifo(fifo));
  CHECK(std::distance(fs::directory_iterator(d), fs::directory_iterator()) == 1);
  // /dev/null is only looked at (stat): refused before anything is opened.
  CHECK_THROWS_WITH_AS(write_atomically("/dev/null", [](std::ostream& o) { o << "x"; }),
                       "/dev/null: output: not a regular file (a character device); podsim writes an output whole to a "
                       "new file and renames it into place, never onto a device, FIFO or socket (expected a file path)",
                       podsim::UserError);
  CHECK(fs::is_character_file("/dev/null"));
}

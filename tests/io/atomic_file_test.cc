// Output files are whole or absent (issue #8: "outputs are written to a temporary name
// and renamed when whole").
#include "io/atomic_file.h"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

#include "engine/error.h"

namespace fs = std::filesystem;
using podsim::io::write_atomically;

namespace {

fs::path fresh_dir(const std::string& name) {
  const fs::path d = fs::temp_directory_path() / name;
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

std::string read(const fs::path& p) {
  std::ifstream in(p);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

TEST_CASE("write_atomically: the file appears whole, with no temporary left") {
  const fs::path d = fresh_dir("podsim_atomic_file_test_ok");
  write_atomically(d / "out.csv", [](std::ostream& o) { o << "a,b\n1,2\n"; });
  CHECK(read(d / "out.csv") == "a,b\n1,2\n");
  CHECK(!fs::exists(d / "out.csv.tmp"));
  fs::remove_all(d);
}

TEST_CASE("write_atomically: a writer that throws half-way leaves neither the file nor its temporary") {
  const fs::path d = fresh_dir("podsim_atomic_file_test_throw");
  CHECK_THROWS_AS(write_atomically(d / "out.csv",
                                   [](std::ostream& o) {
                                     o << "half";
                                     throw std::runtime_error("writer failed");
                                   }),
                  std::runtime_error);
  CHECK(fs::is_empty(d));
  fs::remove_all(d);
}

TEST_CASE("write_atomically: a missing directory is one line naming the temporary path") {
  const fs::path d = fresh_dir("podsim_atomic_file_test_missing");
  const fs::path out = d / "no" / "out.csv";
  const std::string want = out.string() + ".tmp: cannot create: No such file or directory";
  CHECK_THROWS_WITH_AS(write_atomically(out, [](std::ostream& o) { o << "x"; }), want.c_str(), podsim::UserError);
  fs::remove_all(d);
}

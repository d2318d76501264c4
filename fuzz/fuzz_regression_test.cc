// Replays every input the fuzzers once crashed on (tests/fuzz_regressions/<target>/*)
// through the same entry functions, in the normal build: each must now pass or be
// refused with a UserError (which the entries swallow), nothing else.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "fuzz/fuzz_entries.h"

namespace fs = std::filesystem;

TEST_CASE("every kept fuzzer input runs cleanly through its target") {
  const fs::path root = fs::path(PODSIM_SOURCE_DIR) / "tests" / "fuzz_regressions";
  REQUIRE(fs::is_directory(root));
  int replayed = 0;
  for (const auto& target : fs::directory_iterator(root)) {
    if (!target.is_directory()) continue;
    for (const auto& input : fs::directory_iterator(target.path())) {
      if (!input.is_regular_file() || input.path().filename() == "README.md") continue;
      std::ifstream in(input.path(), std::ios::binary);
      std::ostringstream bytes;
      bytes << in.rdbuf();
      CAPTURE(input.path().string());
      bool known = false;
      CHECK_NOTHROW(known = podsim::fuzz::run_target(target.path().filename().string(), bytes.str()));
      CHECK_MESSAGE(known, "no fuzz target named " << target.path().filename());
      ++replayed;
    }
  }
  MESSAGE("replayed " << replayed << " fuzzer inputs");
}

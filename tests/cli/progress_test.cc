// The progress line's text: counts, percent, time left; a cluster run's simulated time.
#include <doctest/doctest.h>

#include <sstream>

#include "cli/progress.h"
#include "cli/run_command.h"

using namespace podsim::cli;

TEST_CASE("waits read as a person reads them") {
  CHECK(format_wait(0) == "0s");
  CHECK(format_wait(45.4) == "45s");
  CHECK(format_wait(185) == "3m05s");
  CHECK(format_wait(2 * 3600 + 7 * 60) == "2h07m");
  CHECK(format_wait(12 * 86400 + 3 * 3600 + 59) == "12d03h");
}

TEST_CASE("time left is the pace so far times what is left") {
  // 10 of 40 points in 20 s: 2 s a point, 30 left: 60 s.
  CHECK(progress_text("sweep", 10, 40, "points", 20) == "sweep: 10/40 points (25%), about 1m00s left");
  CHECK(progress_text("sweep", 0, 40, "points", 3) == "sweep: 0/40 points (0%)");
  CHECK(progress_text("sweep", 40, 40, "points", 80) == "sweep: 40/40 points (100%)");
}

TEST_CASE("a cluster run's line: simulated time of the horizon, jobs finished") {
  CHECK(run_progress_text(3 * 3600, 12 * 3600, 2, 5) == "simulated 3h00m of 12h00m (25%), 2/5 jobs finished");
  CHECK(run_progress_text(90, 0, 0, 3) == "simulated 1m30s, 0/3 jobs finished");
}

TEST_CASE("a disabled progress writes nothing") {
  std::ostringstream err;
  {
    Progress p(err, false, "sweep", "points");
    p.update(1, 2);
    p.show("x");
  }
  CHECK(err.str().empty());
  {
    Progress p(err, true, "sweep", "points");
    p.update(1, 2);
  }
  const std::string text = err.str();
  CHECK(text.starts_with("\r\x1b[Ksweep: 1/2 points (50%)"));  // then the time left, about 0s
  CHECK(text.ends_with("\r\x1b[K"));  // the line is erased at the end
}

#include "engine/sim_time.h"

#include <doctest/doctest.h>

#include <limits>

using podsim::engine::SimTime;

TEST_CASE("unit helpers") {
  CHECK(SimTime::micros(3).ns() == 3000);
  CHECK(SimTime::millis(2).ns() == 2'000'000);
  CHECK(SimTime::seconds(1.5).ns() == 1'500'000'000);
  CHECK(SimTime::seconds(1e-9 * 0.4).ns() == 0);       // nearest
  CHECK(SimTime::seconds_ceil(1e-9 * 0.4).ns() == 1);  // a transfer never ends early
  CHECK(SimTime::micros(1) + SimTime::nanos(5) == SimTime::nanos(1005));
  CHECK(SimTime::seconds(90061).to_string() == "1.042 d");
  CHECK(SimTime::micros(1250).to_string() == "1.250 ms");
}

TEST_CASE("out-of-range and non-finite seconds are rejected") {
  CHECK_THROWS_AS(SimTime::seconds(std::numeric_limits<double>::quiet_NaN()), std::invalid_argument);
  CHECK_THROWS_AS(SimTime::seconds(1e12), std::invalid_argument);  // ~31,700 years
}

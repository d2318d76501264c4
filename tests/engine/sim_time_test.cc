#include "engine/sim_time.h"

#include <doctest/doctest.h>

#include <limits>

#include "engine/check.h"

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

TEST_CASE("seconds past the int64 range saturate, NaN is an internal error") {
  constexpr double inf = std::numeric_limits<double>::infinity();
  CHECK_THROWS_AS(SimTime::seconds(std::numeric_limits<double>::quiet_NaN()), podsim::InternalError);
  CHECK(SimTime::seconds(1e12) == SimTime::max());  // ~31,700 years: "never"
  CHECK(SimTime::seconds_ceil(inf) == SimTime::max());
  CHECK(SimTime::seconds(-inf) == -SimTime::max());
  CHECK(SimTime::seconds(9.1e9).ns() == 9'100'000'000'000'000'000);  // still exact below the limit
  CHECK(SimTime::end_of_time() < SimTime::max());
}

TEST_CASE("arithmetic saturates instead of wrapping") {
  const SimTime big = SimTime::nanos(std::numeric_limits<int64_t>::max() - 10);
  CHECK(big + SimTime::nanos(100) == SimTime::max());
  CHECK(SimTime::max() + SimTime::max() == SimTime::max());
  CHECK(-SimTime::max() - SimTime::max() == -SimTime::max());
  CHECK(SimTime::zero() - SimTime::max() == -SimTime::max());
  CHECK(SimTime::nanos(int64_t{1} << 62) * 4 == SimTime::max());
  CHECK(SimTime::nanos(int64_t{1} << 62) * -4 == -SimTime::max());
  CHECK(SimTime::millis(int64_t{1} << 60) == SimTime::max());
  SimTime t = SimTime::nanos(5);
  t += SimTime::max();
  CHECK(t == SimTime::max());
  // The sum of two in-range latencies the old code wrapped into the past (issue 17):
  const SimTime latency = SimTime::nanos(std::numeric_limits<int64_t>::max());
  CHECK(SimTime::seconds(1) + latency + latency > SimTime::seconds(1));
  // Plain values are untouched.
  CHECK(SimTime::nanos(7) - SimTime::nanos(9) == SimTime::nanos(-2));
  CHECK(SimTime::micros(3) * 2 == SimTime::nanos(6000));
}

// Simulated time never goes backwards (engine/simulator.h): scheduling an event
// before the clock is an internal error that names the invariant.
#include <doctest/doctest.h>

#include "engine/check.h"
#include "engine/simulator.h"

using namespace podsim::engine;

TEST_CASE("simulated time never goes backwards: an event before the clock is an internal error") {
  Simulator sim(1);
  bool late_ran = false;
  sim.schedule_at(SimTime::seconds(2), [&] {
    CHECK_THROWS_WITH_AS(sim.schedule_at(SimTime::seconds(1), [&] { late_ran = true; }),
                         doctest::Contains("simulated time never goes backwards"), podsim::InternalError);
  });
  sim.run();
  CHECK(sim.now() == SimTime::seconds(2));
  CHECK_FALSE(late_ran);
}

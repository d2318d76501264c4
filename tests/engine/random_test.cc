#include "engine/random.h"

#include <doctest/doctest.h>

using podsim::engine::RandomStreams;

TEST_CASE("streams are per purpose and reproducible") {
  RandomStreams a(42), b(42), c(43);
  CHECK(a.stream("arrivals")() == b.stream("arrivals")());
  CHECK(a.stream("arrivals")() != a.stream("failures")());
  CHECK(a.stream("arrivals")() != c.stream("arrivals")());
  // Asking for another stream first does not change this one.
  auto f1 = a.stream("failures");
  auto x = a.stream("arrivals")();
  CHECK(x == b.stream("arrivals")());
  (void)f1;
}

#include "engine/block_fifo.h"

#include <doctest/doctest.h>

#include <vector>

using podsim::engine::BlockFifo;

TEST_CASE("a block FIFO keeps order across block boundaries, pops and reuse") {
  BlockFifo<int, 4>::Pool pool;
  BlockFifo<int, 4> a, b;
  for (int i = 0; i < 10; ++i) a.push_back(i, pool);
  for (int i = 0; i < 6; ++i) {
    REQUIRE(a.front() == i);
    a.pop_front(pool);
  }
  for (int i = 10; i < 13; ++i) a.push_back(i, pool);
  std::vector<int> seen;
  a.for_each([&](int x) {
    seen.push_back(x);
    b.push_back(-x, pool);  // pushing into another FIFO of the pool while iterating
  });
  CHECK(seen == std::vector<int>{6, 7, 8, 9, 10, 11, 12});
  CHECK(a.size() == 7);
  CHECK(b.size() == 7);
  a.clear(pool);
  CHECK(a.empty());
  for (int i = 0; i < 5; ++i) a.push_back(100 + i, pool);  // blocks come back from the pool
  CHECK(a.front() == 100);
  seen.clear();
  b.for_each([&](int x) { seen.push_back(x); });
  CHECK(seen == std::vector<int>{-6, -7, -8, -9, -10, -11, -12});
  // Popping a FIFO empty at a block boundary leaves it usable.
  while (!b.empty()) b.pop_front(pool);
  b.push_back(1, pool);
  CHECK(b.front() == 1);
  CHECK(b.size() == 1);
}

#pragma once
// Measured curves over sizes that span decades (message bytes, sequence lengths) are
// read piecewise-linearly in log2 of the size and held flat beyond the measured ends:
// what the measurements say, and nothing past them.
#include <cmath>
#include <span>

namespace podsim::engine {

// `at(k)` gives knot k's (size, value) as a std::pair; knots ascend in size.
// REQUIRES: n > 0.
template <class At>
double interpolate_log2(std::size_t n, double size, At at) {
  if (size <= at(0).first) return at(0).second;
  if (size >= at(n - 1).first) return at(n - 1).second;
  for (std::size_t i = 1; i < n; ++i) {
    const auto [b_size, b_value] = at(i);
    if (size > b_size) continue;
    const auto [a_size, a_value] = at(i - 1);
    const double w = std::log2(size / a_size) / std::log2(b_size / a_size);
    return a_value + w * (b_value - a_value);
  }
  return at(n - 1).second;
}

}  // namespace podsim::engine

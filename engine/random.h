#pragma once
// Random streams, one per purpose, derived from the scenario seed, and the
// distributions podsim draws from them.
//
// Each purpose ("arrivals", "failures", "placement") gets its own generator seeded from
// (scenario seed, purpose name), so adding a failure model or drawing one more failure
// never shifts the arrival sequence. Derivation is a fixed function (FNV-1a of the
// name, mixed with SplitMix64), independent of the order streams are asked for.
//
// Portable draws: std::mt19937_64's output sequence is fixed by the C++ standard, but
// the standard's distributions (std::normal_distribution, std::discrete_distribution,
// ...) are not: libstdc++, libc++ and MSVC turn the same bits into different numbers.
// The distributions below are podsim's own, written out here, so a seed gives the same
// draws with any standard library. What remains platform-dependent is the last bit of
// std::log and std::pow (the C math library; see docs/reliability.md).
//
//   RandomEngine rng = streams.stream("arrivals");
//   double gap = exponential(rng, 600.0);  // mean 600
//   size_t k = WeightedChoice({3, 1})(rng);  // 0 three times as often as 1
#include <cstddef>
#include <cstdint>
#include <random>
#include <string_view>
#include <vector>

namespace podsim::engine {

using RandomEngine = std::mt19937_64;

class RandomStreams {
 public:
  explicit RandomStreams(uint64_t seed) : seed_(seed) {}

  uint64_t seed() const { return seed_; }
  // A fresh generator for `purpose`; the same (seed, purpose) always gives the same one.
  RandomEngine stream(std::string_view purpose) const { return RandomEngine(derive_seed(purpose)); }
  uint64_t derive_seed(std::string_view purpose) const;

 private:
  uint64_t seed_;
};

// Uniform on [0, 1): the top 53 bits of one 64-bit draw, times 2^-53 (exact).
double uniform01(RandomEngine& rng);
// Exponential with the given mean (> 0): -mean x ln(1 - U), inversion of the CDF.
double exponential(RandomEngine& rng, double mean);
// Standard normal: Marsaglia's polar method (one of the pair is used; the other is
// dropped so that a draw needs no state beyond the generator).
double standard_normal(RandomEngine& rng);
// Weibull with shape k > 0 and scale > 0: scale x (-ln(1 - U))^(1/k), inversion.
double weibull(RandomEngine& rng, double shape, double scale);

// An index drawn with probability proportional to its weight (weights >= 0, at least one
// > 0): U x total located in the running sums by binary search.
class WeightedChoice {
 public:
  explicit WeightedChoice(const std::vector<double>& weights);
  size_t operator()(RandomEngine& rng) const;

 private:
  std::vector<double> cumulative_;
  size_t last_positive_ = 0;
};

}  // namespace podsim::engine

#include "engine/random.h"

#include <algorithm>
#include <cmath>

#include "engine/check.h"

namespace podsim::engine {
namespace {

// SplitMix64 finalizer (Steele, Lea, Flood, "Fast splittable pseudorandom number
// generators", OOPSLA 2014): decorrelates nearby seeds.
uint64_t splitmix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

uint64_t fnv1a(std::string_view s) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : s) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

}  // namespace

uint64_t RandomStreams::derive_seed(std::string_view purpose) const {
  return splitmix64(splitmix64(seed_) ^ fnv1a(purpose));
}

double uniform01(RandomEngine& rng) {
  static_assert(RandomEngine::min() == 0 && RandomEngine::max() == ~uint64_t{0}, "a full 64-bit generator");
  return static_cast<double>(rng() >> 11) * 0x1.0p-53;
}

double exponential(RandomEngine& rng, double mean) {
  // 1 - U is in (0, 1], so the logarithm is finite; U = 0 gives 0.
  return -mean * std::log(1.0 - uniform01(rng));
}

double standard_normal(RandomEngine& rng) {
  // Marsaglia & Bray, "A convenient method for generating normal variables", SIAM
  // Review 6(3), 1964: a point uniform in the unit disc, (x, y) with s = x^2 + y^2 in
  // (0, 1), gives x sqrt(-2 ln s / s) standard normal. Accepts pi/4 of the tries.
  for (;;) {
    const double x = 2.0 * uniform01(rng) - 1.0, y = 2.0 * uniform01(rng) - 1.0;
    const double s = x * x + y * y;
    if (s > 0.0 && s < 1.0) return x * std::sqrt(-2.0 * std::log(s) / s);
  }
}

double weibull(RandomEngine& rng, double shape, double scale) {
  return scale * std::pow(-std::log(1.0 - uniform01(rng)), 1.0 / shape);
}

WeightedChoice::WeightedChoice(const std::vector<double>& weights) {
  double sum = 0;
  for (double w : weights) {
    PODSIM_CHECK(w >= 0 && std::isfinite(w), "WeightedChoice: a weight is negative or not finite");
    cumulative_.push_back(sum += w);
  }
  PODSIM_CHECK(sum > 0 && std::isfinite(sum), "WeightedChoice: no positive weight");
  last_positive_ = static_cast<size_t>(std::find_if(weights.rbegin(), weights.rend(), [](double w) { return w > 0; }).base() -
                                       weights.begin()) - 1;
}

size_t WeightedChoice::operator()(RandomEngine& rng) const {
  const double target = uniform01(rng) * cumulative_.back();
  // The first running sum above the target: index i has probability w_i / total, and a
  // zero weight (an interval of length 0) is never chosen.
  // (U x total can round up to total: that draw belongs to the last positive weight.)
  const auto it = std::upper_bound(cumulative_.begin(), cumulative_.end(), target);
  return std::min(static_cast<size_t>(it - cumulative_.begin()), last_positive_);
}

}  // namespace podsim::engine

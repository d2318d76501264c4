#pragma once
// Random streams, one per purpose, derived from the scenario seed.
//
// Each purpose ("arrivals", "failures", "placement") gets its own generator seeded from
// (scenario seed, purpose name), so adding a failure model or drawing one more failure
// never shifts the arrival sequence. Derivation is a fixed function (FNV-1a of the
// name, mixed with SplitMix64), independent of the order streams are asked for.
#include <cstdint>
#include <random>
#include <string_view>

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

}  // namespace podsim::engine

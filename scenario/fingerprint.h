#pragma once
// Fingerprints: short stable hashes that name what was run, for reports and sweep files.
//
// Fnv1a is 64-bit FNV-1a (Fowler, Noll, Vo): simple, stable across platforms and
// versions, enough to tell scenarios apart (not a defence against forgery). Each add()
// is length-prefixed, so ("ab", "c") and ("a", "bc") hash differently.
//
// scenario_fingerprint(file) names a scenario as run: the scenario as protobuf prints it
// after every --set override (so the file's comments, layout and path do not enter it,
// and an override does) and its seed. Same file, overrides and seed -> same 16 hex
// digits on every machine and podsim version; the report prints the version beside it.
#include <cstdint>
#include <string>
#include <string_view>

#include "scenario/scenario_file.h"

namespace podsim::scenario {

class Fnv1a {
 public:
  void add(std::string_view s);
  std::string hex() const;  // 16 hex digits

 private:
  void bytes(std::string_view s);
  uint64_t h_ = 0xcbf29ce484222325ULL;
};

std::string scenario_fingerprint(const ScenarioFile& file);

}  // namespace podsim::scenario
